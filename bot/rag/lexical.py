"""Spanish BM25 leg: accent folding, glossary, Snowball stemming and stopwords (bm25s)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_SPANISH

from bot.rag.glossary import fold, normalise

# bm25s forces its logger to DEBUG on import; let the application's logging decide instead.
logging.getLogger("bm25s").setLevel(logging.NOTSET)

_STOPWORDS = sorted({fold(word) for word in STOPWORDS_SPANISH})


class LexicalIndex:
    """In-memory BM25 over chunk texts; returns (row, score) pairs ranked best first."""

    def __init__(self, texts: Sequence[str]) -> None:
        """Index `texts`; rows of results refer to positions in this sequence."""
        self._stemmer = Stemmer.Stemmer("spanish")
        self._size = len(texts)
        self._bm25 = bm25s.BM25()
        if texts:
            self._bm25.index(self._tokenize(texts), show_progress=False)

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """Return up to `k` (row, score) pairs with a positive BM25 score."""
        tokens = self._tokenize([query])
        if self._size == 0 or not tokens[0]:
            return []
        k = min(k, self._size)
        rows, scores = self._bm25.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        return [
            (int(row), float(score))
            for row, score in zip(np.asarray(rows)[0], np.asarray(scores)[0], strict=True)
            if score > 0
        ]

    def save(self, folder: Path) -> None:
        """Write the BM25 index into `folder` in bm25s' own format (arrays + vocabulary)."""
        self._bm25.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int) -> LexicalIndex:
        """Open an index written by `save` over `size` texts, its arrays memory-mapped."""
        index = cls([])
        index._bm25 = bm25s.BM25.load(str(folder), mmap=True, show_progress=False)
        index._size = size
        return index

    def _tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        tokens: list[list[str]] = bm25s.tokenize(
            [normalise(text) for text in texts],
            stopwords=_STOPWORDS,
            stemmer=self._stemmer.stemWords,
            show_progress=False,
            return_ids=False,
        )
        return tokens
