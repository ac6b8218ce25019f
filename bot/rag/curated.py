"""Curated answers: approved, mentor and moderator pairs in a second Chroma collection.

The collection sits beside the keynotes (same client settings, same embedder) and holds one row
per pair id: the curated question is embedded, the answer and provenance ride in its metadata.
Rows are added and removed one pair at a time (no re-ingest); `sync` makes the collection match
the database again after a rebuild wiped it. Question and query are both embedded with the e5
`query: ` prefix (a symmetric question-to-question match); bench/curated_threshold.py measured it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot import strings
from bot.config import Settings
from bot.rag.chroma import COSINE, MODEL_KEY, open_client
from bot.rag.embeddings import Embedder, Vectors, make_embedder
from bot.rag.errors import RagError, first_line
from bot.rag.types import Source

log = logging.getLogger(__name__)

COLLECTION = "curated"
# Cosine similarity (multilingual-e5-small, query vs curated question) at or above which a
# curated answer is used. Measured with bench/curated_threshold.py; see docs/mentors.md.
# CURATED_MIN_SCORE overrides it.
DEFAULT_MIN_SCORE = 0.92
ID_PREFIX = "pair-"


@dataclass(frozen=True, slots=True)
class CuratedEntry:
    """A curated pair: its id in the Q&A log, question, answer and provenance."""

    pair_id: int
    question: str
    answer: str
    provenance: str


@dataclass(frozen=True, slots=True)
class CuratedMatch:
    """The curated pair closest to a question, and its cosine similarity."""

    entry: CuratedEntry
    score: float

    def source(self) -> Source:
        """Return the pair as the `faq` source an answer from it cites."""
        entry = self.entry
        return Source(
            title=entry.question,
            author=strings.FAQ_AUTHORS.get(entry.provenance, entry.provenance),
            quote=entry.answer[:300],
            talk_id="faq",
            chunk_id=f"faq-{entry.pair_id}",
            score=self.score,
            kind="faq",
            text=entry.answer,
        )


class CuratedIndex:
    """The curated collection: incremental add/remove by pair id, best-match search."""

    def __init__(self, client: Any, embedder: Embedder, name: str = COLLECTION) -> None:
        """Open (or create) the collection; one built with another embedder is emptied."""
        self._client = client
        self._embedder = embedder
        self._name = name
        self._collection = self._get_or_create()

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> CuratedIndex:
        """Connect like the keynote index (embedded store or CHROMA_URL)."""
        client = open_client(settings, create=True)
        try:
            return cls(client, embedder or make_embedder(settings))
        except BaseException:
            client.close()
            raise

    def _get_or_create(self) -> Any:
        metadata = {MODEL_KEY: self._embedder.name}
        try:
            collection = self._client.get_or_create_collection(
                self._name, metadata=metadata, configuration=COSINE, embedding_function=None
            )
            if (collection.metadata or {}).get(MODEL_KEY) != self._embedder.name:
                log.warning("curated answers were embedded with another model; re-adding them")
                self._client.delete_collection(self._name)
                collection = self._client.create_collection(
                    self._name, metadata=metadata, configuration=COSINE, embedding_function=None
                )
        except Exception as error:
            raise RagError(f"cannot open the curated answers ({first_line(error)})") from error
        return collection

    def add(self, entries: Sequence[CuratedEntry]) -> None:
        """Add or replace these pairs (keyed by pair id)."""
        if not entries:
            return
        vectors = self._embed([e.question for e in entries])
        self._collection.upsert(
            ids=[_row_id(e.pair_id) for e in entries],
            embeddings=[v.tolist() for v in vectors],
            documents=[e.question for e in entries],
            metadatas=[
                {"pair_id": e.pair_id, "answer": e.answer, "provenance": e.provenance}
                for e in entries
            ],
        )

    def remove(self, pair_ids: Iterable[int]) -> None:
        """Remove these pairs (unknown ids are ignored)."""
        ids = [_row_id(pair_id) for pair_id in pair_ids]
        if ids:
            self._collection.delete(ids=ids)

    def pair_ids(self) -> set[int]:
        """Return the ids of every pair in the collection."""
        rows = self._collection.get(include=[])
        return {int(str(row_id).removeprefix(ID_PREFIX)) for row_id in rows["ids"]}

    def sync(self, entries: Sequence[CuratedEntry]) -> tuple[int, int]:
        """Make the collection hold exactly `entries`; return (added, removed)."""
        wanted = {e.pair_id: e for e in entries}
        present = self.pair_ids()
        missing = [e for pair_id, e in wanted.items() if pair_id not in present]
        extra = present - wanted.keys()
        self.add(missing)
        self.remove(extra)
        return len(missing), len(extra)

    def best(self, question: str, vector: Vectors | None = None) -> CuratedMatch | None:
        """Return the closest curated pair to `question` (embedded as `vector`, if given)."""
        if self._collection.count() == 0:
            return None
        if vector is None:
            vector = self._embedder.embed_queries([question])[0]
        found = self._collection.query(
            query_embeddings=[vector.tolist()],
            n_results=1,
            include=["metadatas", "documents", "distances"],
        )
        if not found["ids"][0]:
            return None
        meta, document = found["metadatas"][0][0], found["documents"][0][0]
        entry = CuratedEntry(
            int(meta["pair_id"]), str(document), str(meta["answer"]), str(meta["provenance"])
        )
        return CuratedMatch(entry, 1.0 - float(found["distances"][0][0]))

    def close(self) -> None:
        """Release the Chroma connection."""
        self._client.close()

    def _embed(self, questions: Sequence[str]) -> Vectors:
        return self._embedder.embed_queries(list(questions))


def _row_id(pair_id: int) -> str:
    return f"{ID_PREFIX}{pair_id}"
