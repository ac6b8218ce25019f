"""Curated pairs and keynotes answer from one embedding of the question."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.config import load_settings
from bot.rag.answer import Answerer
from bot.rag.curated import CuratedEntry, CuratedIndex
from bot.rag.embeddings import LocalEmbedder, Vectors
from bot.rag.index import Index

PAIR = CuratedEntry(1, "¿Cómo subo mi dataset al Hub de Hugging Face?", "Con push_to_hub.", "bot")


class CountingEmbedder:
    """The real embedded model, counting the questions it embeds."""

    def __init__(self) -> None:
        self._model = LocalEmbedder()
        self.name = self._model.name
        self.queries = 0

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        self.queries += len(texts)
        return self._model.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._model.embed_passages(texts)


async def test_a_question_is_embedded_once_for_curated_pairs_and_keynotes(
    sample_data_dir: Path,
) -> None:
    settings = load_settings()
    embedder = CountingEmbedder()
    curated = CuratedIndex.open(settings, embedder)
    curated.add([PAIR])
    curated.close()
    answerer = Answerer(settings, index=Index.open(settings, embedder))

    before = embedder.queries
    keynote = await answerer.answer("¿Qué es el seseo y dónde se da?")
    assert keynote.status == "answered" and keynote.passages
    assert embedder.queries - before == 1  # not once for the curated search and again here

    before = embedder.queries
    reused = await answerer.answer("¿Cómo puedo subir mi dataset al Hub de Hugging Face?")
    assert [source.kind for source in reused.sources] == ["faq"]
    assert PAIR.answer in reused.text
    assert embedder.queries - before == 1
    await answerer.aclose()
