"""The curated collection on real Chroma with the real embedder: add, replace, remove, search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.rag.curated import CuratedEntry, CuratedIndex
from bot.rag.index import Index

ENTRIES = [
    CuratedEntry(1, "¿Cómo subo mi dataset al Hub de Hugging Face?", "Con push_to_hub.", "mentor"),
    CuratedEntry(2, "¿Qué licencia debe tener el modelo del hackatón?", "Apache-2.0.", "moderator"),
]


@pytest.fixture
def curated() -> Iterator[CuratedIndex]:
    index = CuratedIndex.open(load_settings())
    yield index
    index.close()


def test_an_empty_collection_matches_nothing(curated: CuratedIndex) -> None:
    assert curated.best("¿Cómo subo mi dataset?") is None


def test_a_paraphrase_finds_its_pair_above_an_unrelated_question(curated: CuratedIndex) -> None:
    curated.add(ENTRIES)
    match = curated.best("¿Cómo puedo publicar mi conjunto de datos en el Hub?")
    unrelated = curated.best("¿Cuál es la capital de Australia?")
    assert match is not None and unrelated is not None
    assert match.entry == ENTRIES[0]
    assert match.score > unrelated.score


def test_adding_again_replaces_and_removing_takes_the_pair_out(curated: CuratedIndex) -> None:
    curated.add(ENTRIES)
    edited = CuratedEntry(1, ENTRIES[0].question, "Con `huggingface-cli upload`.", "edited")
    curated.add([edited])
    match = curated.best(ENTRIES[0].question)
    assert match is not None and match.entry == edited and match.score > 0.99
    curated.remove([1, 99])
    assert curated.pair_ids() == {2}
    best = curated.best(ENTRIES[0].question)
    assert best is not None and best.entry.pair_id == 2


def test_sync_matches_the_database_and_survives_reopening() -> None:
    first = CuratedIndex.open(load_settings())
    try:
        first.add([CuratedEntry(7, "¿Pregunta borrada?", "sí", "bot")])
        assert first.sync(ENTRIES) == (2, 1)
    finally:
        first.close()
    reopened = CuratedIndex.open(load_settings())
    try:
        assert reopened.pair_ids() == {1, 2}
        assert reopened.sync(ENTRIES) == (0, 0)
    finally:
        reopened.close()


def test_the_keynote_index_opens_beside_the_curated_collection(sample_data_dir: Path) -> None:
    """The curated collection lives in the keynotes' store without disturbing them."""
    settings = load_settings()
    curated = CuratedIndex.open(settings)
    try:
        curated.add(ENTRIES)
        index = Index.open(settings)
        try:
            assert index.talks()
            assert curated.pair_ids() == {1, 2}
        finally:
            index.close()
    finally:
        curated.close()
