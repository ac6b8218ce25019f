"""Searching the ingested sample through the public Index API."""

from __future__ import annotations

import numpy as np
import pytest

from bot.config import load_settings
from bot.rag.chroma import open_client
from bot.rag.embeddings import LocalEmbedder
from bot.rag.index import Index


async def test_search_finds_the_argilla_workshop(index: Index) -> None:
    passages = await index.search("¿Cómo se despliega Argilla en un espacio del Hub?", k=3)
    assert len(passages) == 3
    assert passages[0].author == "Gabriel @Argilla"
    assert "argila" in passages[0].text.lower()
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)


async def test_every_passage_carries_its_cosine_similarity(index: Index) -> None:
    query = "reglamento de inteligencia artificial y documentación"
    passages = await index.search(query, k=20)  # both legs' candidates, lexical-only ones too
    chunk_ids = [p.chunk_id for p in passages]
    # How many neighbours merge into one passage depends on float rounding (AMD and Intel differ),
    # so assert no duplicates and a deep enough list, not an exact count.
    assert len(set(chunk_ids)) == len(chunk_ids) and 10 <= len(chunk_ids) <= 20
    settings = load_settings()
    client = open_client(settings)
    collection = client.get_collection(settings.chroma_collection, embedding_function=None)
    embedder = LocalEmbedder()
    question = embedder.embed_queries([query])[0]
    for passage in passages:  # a merged passage scores its best chunk (bot/rag/neighbours.py)
        chunks = collection.get(ids=list(passage.chunk_ids), include=["documents"])["documents"]
        expected = float(np.max(embedder.embed_passages(chunks) @ question))
        assert passage.dense_score == pytest.approx(expected, abs=2e-3)
    client.close()


def test_talks_lists_the_four_sample_talks(index: Index) -> None:
    talks = index.talks()
    assert len(talks) == 4
    assert "Manu Romero" in {author for _, author in talks}
