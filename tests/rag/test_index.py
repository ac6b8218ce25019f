"""Searching the ingested sample through the public Index API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.rag.index import Index


@pytest.fixture
def index(sample_data_dir: Path) -> Iterator[Index]:
    opened = Index.open(load_settings())
    yield opened
    opened.close()


async def test_search_finds_the_argilla_workshop(index: Index) -> None:
    passages = await index.search("¿Cómo se despliega Argilla en un espacio del Hub?", k=3)
    assert len(passages) == 3
    assert passages[0].author == "Gabriel @Argilla"
    assert "argila" in passages[0].text.lower()
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)


async def test_every_passage_carries_its_cosine_similarity(index: Index) -> None:
    passages = await index.search("reglamento de inteligencia artificial y documentación", k=5)
    assert all(p.dense_score is not None and -1.0 <= p.dense_score <= 1.0 for p in passages)
    assert len({p.chunk_id for p in passages}) == 5


def test_talks_lists_the_four_sample_talks(index: Index) -> None:
    talks = index.talks()
    assert len(talks) == 4
    assert "Manu Romero" in {author for _, author in talks}
