"""Chunk vectors saved beside the lexical index, for dense search restricted to some talks.

A question that names a speaker adds a dense query over that speaker's talks only. Chroma answers
it with a metadata pre-filter whose cost grows with the chunks the filter keeps (p95 253 ms at
100,000 chunks when one speaker has 48 talks: docs/scale.md). The same vectors, saved grouped by
talk and memory-mapped, give the exact top-n of a few talks by one matrix product over each talk's
contiguous block. Derived data like the BM25 index: written at ingest, rebuilt from Chroma when
missing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

_VECTORS = "talk_vectors.npy"  # rows grouped by talk
_ROWS = "talk_vector_rows.npy"  # index row of each saved vector
_BOUNDS = "talk_bounds.npy"  # talk t's vectors are [bounds[t], bounds[t + 1])

Floats = npt.NDArray[np.float32]
Ints = npt.NDArray[np.int64]


class TalkVectors:
    """Every chunk's vector, grouped by talk, with the index row each one belongs to."""

    def __init__(self, vectors: Floats, rows: Ints, bounds: Ints) -> None:
        """Keep the (possibly memory-mapped) arrays; see `from_rows` to build them."""
        self._vectors = vectors
        self._rows = rows
        self._bounds = bounds
        # Where each index row's vector is saved (the inverse of `rows`), for `of_rows`.
        self._saved_at = np.empty(len(rows), dtype=np.int64)
        self._saved_at[rows] = np.arange(len(rows), dtype=np.int64)

    @classmethod
    def from_rows(cls, vectors: Floats, row_talks: Ints, talks: int) -> TalkVectors:
        """Group `vectors` (one per index row) by the talk position of each row."""
        order = np.argsort(row_talks, kind="stable")
        bounds = np.searchsorted(row_talks[order], np.arange(talks + 1), side="left")
        return cls(vectors[order], order.astype(np.int64), bounds.astype(np.int64))

    def save(self, folder: Path) -> None:
        """Write the arrays into `folder`."""
        np.save(folder / _VECTORS, self._vectors)
        np.save(folder / _ROWS, self._rows)
        np.save(folder / _BOUNDS, self._bounds)

    @classmethod
    def load(cls, folder: Path) -> TalkVectors:
        """Open arrays written by `save`, memory-mapped: only the talks searched are read."""
        vectors = np.load(folder / _VECTORS, mmap_mode="r")
        return cls(vectors, np.load(folder / _ROWS, mmap_mode="r"), np.load(folder / _BOUNDS))

    def of_rows(self, rows: Sequence[int]) -> Floats:
        """Return the vectors of index `rows`, one per row, in their order."""
        return np.asarray(self._vectors[self._saved_at[np.asarray(rows, dtype=np.int64)]])

    def talk_of_rows(self, rows: Sequence[int]) -> Ints:
        """Return the talk position of each of index `rows`."""
        saved = self._saved_at[np.asarray(rows, dtype=np.int64)]
        return np.searchsorted(self._bounds, saved, side="right") - 1

    def top_rows(self, query: Floats, talks: Collection[int], n: int) -> list[int]:
        """Return the index rows of `talks` most similar to `query` (cosine), best first."""
        blocks = [(int(self._bounds[t]), int(self._bounds[t + 1])) for t in sorted(set(talks))]
        blocks = [(start, end) for start, end in blocks if end > start]
        if not blocks or n <= 0:
            return []
        scores = np.concatenate([self._vectors[start:end] @ query for start, end in blocks])
        saved = np.concatenate([np.arange(start, end) for start, end in blocks])
        best = np.argpartition(-scores, min(n, len(scores)) - 1)[:n]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [int(self._rows[saved[i]]) for i in best]
