"""Hybrid retrieval over the keynote index: e5 vectors in Chroma fused with a Spanish BM25 leg."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import numpy as np

from bot.config import Settings
from bot.rag.chroma import MODEL_KEY, first_line, open_client
from bot.rag.embeddings import Embedder, Vectors, make_embedder
from bot.rag.errors import IndexMismatchError, IndexMissingError, RagError
from bot.rag.fusion import reciprocal_rank_fusion
from bot.rag.lexical import LexicalIndex
from bot.rag.types import Passage

CANDIDATES = 20
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 1.0


class Index:
    """A read-only view of the built index; open it once and search it from many tasks."""

    def __init__(self, collection: Any, embedder: Embedder, rows: dict[str, Any]) -> None:
        """Hold the collection, the embedder and the chunk rows fetched when opening."""
        self._collection = collection
        self._embedder = embedder
        self._ids: list[str] = list(rows["ids"])
        self._metadatas: list[dict[str, Any]] = list(rows["metadatas"])
        self._documents: list[str] = list(rows["documents"])
        self._vectors: Vectors = np.asarray(rows["embeddings"], dtype=np.float32)
        self._row_of = {chunk_id: row for row, chunk_id in enumerate(self._ids)}
        self._lexical = LexicalIndex(self._documents)

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> Index:
        """Open the index, refusing a missing, empty or other-model index."""
        embedder = embedder or make_embedder(settings)
        client = open_client(settings)
        try:
            collection = client.get_collection(settings.chroma_collection, embedding_function=None)
            rows = collection.get(include=["documents", "metadatas", "embeddings"])
        except Exception as error:
            raise _missing(settings, error) from error
        metadata = collection.metadata or {}
        built_with = metadata.get(MODEL_KEY)
        if built_with != embedder.name:
            raise IndexMismatchError(
                f"the index was built with embedding model {built_with!r} but {embedder.name!r} "
                "is configured: rebuild it with `pide-ayuda ingest --rebuild` or restore the "
                "EMBEDDINGS_* settings"
            )
        if not rows["ids"]:
            raise IndexMissingError("the index is empty: build it with `pide-ayuda ingest`")
        return cls(collection, embedder, rows)

    async def search(self, query: str, k: int = 5) -> list[Passage]:
        """Return the `k` best passages for `query`, fused from the dense and lexical legs."""
        passages, _ = await self.search_timed(query, k)
        return passages

    async def search_timed(self, query: str, k: int = 5) -> tuple[list[Passage], dict[str, float]]:
        """Search like `search`, also returning per-stage timings in milliseconds."""
        return await asyncio.to_thread(self._search, query, k)

    def talks(self) -> list[tuple[str, str]]:
        """Return (title, author) of every indexed talk, in index order."""
        seen = dict.fromkeys((str(m["title"]), str(m["author"])) for m in self._metadatas)
        return list(seen)

    def close(self) -> None:
        """Release the in-memory lexical index and vectors."""
        self._lexical = LexicalIndex([])
        self._vectors = np.zeros((0, 0), dtype=np.float32)

    def _search(self, query: str, k: int) -> tuple[list[Passage], dict[str, float]]:
        timings: dict[str, float] = {}
        started = clock = time.perf_counter()
        vector = self._embedder.embed_queries([query])[0]
        clock = _lap(timings, "embed", clock)
        dense_ids = self._dense(vector, max(k, CANDIDATES))
        clock = _lap(timings, "dense", clock)
        lexical = self._lexical.search(query, max(k, CANDIDATES))
        lexical_ids = [self._ids[row] for row, _ in lexical]
        clock = _lap(timings, "lexical", clock)
        fused = reciprocal_rank_fusion([(dense_ids, DENSE_WEIGHT), (lexical_ids, LEXICAL_WEIGHT)])[
            :k
        ]
        passages = [self._passage(chunk_id, score, vector) for chunk_id, score in fused]
        _lap(timings, "fusion", clock)
        timings["total"] = (time.perf_counter() - started) * 1000
        return passages, timings

    def _dense(self, vector: Vectors, n: int) -> list[str]:
        try:
            result = self._collection.query(
                query_embeddings=[vector.tolist()], n_results=min(n, len(self._ids)), include=[]
            )
        except Exception as error:
            raise RagError(
                f"the Chroma query failed ({first_line(error)}); check the index "
                "(`pide-ayuda ingest --rebuild`) or the Chroma server"
            ) from error
        return [str(chunk_id) for chunk_id in result["ids"][0]]

    def _passage(self, chunk_id: str, score: float, vector: Vectors) -> Passage:
        row = self._row_of[chunk_id]
        meta = self._metadatas[row]
        return Passage(
            chunk_id=chunk_id,
            talk_id=str(meta["talk_id"]),
            title=str(meta["title"]),
            author=str(meta["author"]),
            position=int(meta["position"]),
            text=self._documents[row],
            score=score,
            dense_score=float(self._vectors[row] @ vector),
        )


def _lap(timings: dict[str, float], stage: str, since: float) -> float:
    now = time.perf_counter()
    timings[stage] = (now - since) * 1000
    return now


def _missing(settings: Settings, error: Exception) -> RagError:
    from chromadb.errors import NotFoundError

    if isinstance(error, NotFoundError) or "does not exist" in str(error):
        return IndexMissingError(
            f"no collection {settings.chroma_collection!r} in the index: "
            "build it with `pide-ayuda ingest`"
        )
    return IndexMissingError(
        f"the index cannot be read ({first_line(error)}); "
        "rebuild it with `pide-ayuda ingest --rebuild`"
    )
