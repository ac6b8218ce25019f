"""One consistent view of the indexed collection, and what a search reads from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.rag.embeddings import Vectors
from bot.rag.lexical import LexicalIndex
from bot.rag.neighbours import Span, joined_text
from bot.rag.rerank import Candidate, row_coverage
from bot.rag.speakers import SpeakerMatch
from bot.rag.talk_vectors import TalkVectors
from bot.rag.types import Passage


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One consistent view of the collection: swapped whole when the index is reloaded.

    Documents, metadata and vectors stay in Chroma; only the chunk ids, the talk list, the
    memory-mapped lexical index and vectors by talk are held here (bot/rag/lexical_store.py).
    """

    collection: Any
    ids: list[str]
    talks: list[tuple[str, str, str]]
    lexical: LexicalIndex
    rows: dict[str, int]
    vectors: TalkVectors
    talk_positions: dict[str, int]

    @classmethod
    def closed(cls) -> Snapshot:
        """Return the empty view a closed index holds."""
        no_vectors = TalkVectors.from_rows(
            np.zeros((0, 0), dtype=np.float32), np.zeros(0, np.int64), 0
        )
        return cls(None, [], [], LexicalIndex([]), {}, no_vectors, {})


@dataclass(frozen=True, slots=True)
class Chunk:
    """What Chroma holds for one chunk: read only for the candidates of a search."""

    metadata: dict[str, Any]
    document: str


def dense_query(snapshot: Snapshot, vector: Vectors, n: int) -> list[str]:
    """Return the ids of the `n` chunks nearest to `vector`, from Chroma."""
    result = snapshot.collection.query(
        query_embeddings=[vector.tolist()], n_results=min(n, len(snapshot.ids)), include=[]
    )
    return [str(chunk_id) for chunk_id in result["ids"][0]]


def talks_query(snapshot: Snapshot, vector: Vectors, talk_ids: frozenset[str], n: int) -> list[str]:
    """Return the `n` best chunks of the talks `talk_ids` for `vector`, from the saved vectors."""
    talks = [snapshot.talk_positions[t] for t in talk_ids if t in snapshot.talk_positions]
    rows = snapshot.vectors.top_rows(vector, talks, n)
    return [snapshot.ids[row] for row in rows]


def fetch_chunks(snapshot: Snapshot, chunk_ids: list[str]) -> dict[str, Chunk]:
    """Fetch the metadata and text of `chunk_ids` from Chroma in one request."""
    found = snapshot.collection.get(ids=chunk_ids, include=["documents", "metadatas"])
    return {
        str(chunk_id): Chunk(dict(meta), str(text))
        for chunk_id, meta, text in zip(
            found["ids"], found["metadatas"], found["documents"], strict=True
        )
    }


def candidate_features(
    snapshot: Snapshot,
    fused: list[tuple[str, float]],
    vector: Vectors,
    terms: list[str],
    named: SpeakerMatch,
) -> list[Candidate]:
    """Return the late-scoring features of `fused` from the saved vectors, talks and terms."""
    rows = [snapshot.rows[chunk_id] for chunk_id, _ in fused]
    talk_ids = [snapshot.talks[talk][0] for talk in snapshot.vectors.talk_of_rows(rows)]
    return [
        Candidate(
            chunk_id=chunk_id,
            talk_id=talk_id,
            dense=float(chunk_vector @ vector),
            fused=score,
            coverage=row_coverage(snapshot.lexical, terms, row),
            named=talk_id in named.talk_ids,
        )
        for (chunk_id, score), row, talk_id, chunk_vector in zip(
            fused, rows, talk_ids, snapshot.vectors.of_rows(rows), strict=True
        )
    ]


def span_of(chunk: Chunk) -> Span:
    """Return where `chunk` sits in its talk."""
    meta = chunk.metadata
    return Span(str(meta["talk_id"]), int(meta["position"]), int(meta["start"]), int(meta["end"]))


def passage_of(
    group: list[str],
    chunks: dict[str, Chunk],
    spans: dict[str, Span],
    ranked: dict[str, tuple[Candidate, float]],
) -> Passage:
    """Build the Passage of a group of neighbouring chunks (best ranked first)."""
    meta = chunks[group[0]].metadata
    return Passage(
        chunk_id=group[0],
        talk_id=str(meta["talk_id"]),
        title=str(meta["title"]),
        author=str(meta["author"]),
        position=min(spans[chunk_id].position for chunk_id in group),
        text=joined_text([(spans[chunk_id], chunks[chunk_id].document) for chunk_id in group]),
        score=ranked[group[0]][1],
        dense_score=max(ranked[chunk_id][0].dense for chunk_id in group),
        neighbours=tuple(group[1:]),
    )
