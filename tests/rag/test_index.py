"""Searching the ingested sample through the public Index API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bot.config import load_settings
from bot.rag.embeddings import LocalEmbedder
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
    query = "reglamento de inteligencia artificial y documentación"
    passages = await index.search(query, k=20)  # both legs' candidates, lexical-only ones too
    assert len({p.chunk_id for p in passages}) == 20
    embedder = LocalEmbedder()
    expected = (
        embedder.embed_passages([p.text for p in passages]) @ embedder.embed_queries([query])[0]
    )
    scores = [p.dense_score for p in passages]
    assert None not in scores
    assert np.allclose(np.asarray(scores, dtype=np.float32), expected, atol=2e-3)


def test_talks_lists_the_four_sample_talks(index: Index) -> None:
    talks = index.talks()
    assert len(talks) == 4
    assert "Manu Romero" in {author for _, author in talks}
