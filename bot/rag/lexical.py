"""Spanish BM25 leg: accent folding, glossary, Snowball stemming and stopwords (bm25s)."""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence

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
        self._document_frequency: Counter[str] = Counter()
        self._vocabulary: dict[str, int] = {}
        self._rows: list[np.ndarray] = []
        if texts:
            tokens = self._tokenize(texts)
            self._bm25.index(tokens, show_progress=False)
            for document in tokens:
                self._document_frequency.update(set(document))
                ids = [
                    self._vocabulary.setdefault(term, len(self._vocabulary)) for term in document
                ]
                self._rows.append(np.asarray(ids, dtype=np.int32))

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """Return up to `k` (row, score) pairs with a positive BM25 score."""
        return self.search_terms(self.terms(query), k)

    def search_terms(self, terms: list[str], k: int) -> list[tuple[int, float]]:
        """Search like `search` for already tokenized query `terms`."""
        if self._size == 0 or not terms:
            return []
        k = min(k, self._size)
        rows, scores = self._bm25.retrieve([terms], k=k, show_progress=False, n_threads=1)
        return [
            (int(row), float(score))
            for row, score in zip(np.asarray(rows)[0], np.asarray(scores)[0], strict=True)
            if score > 0
        ]

    def terms(self, text: str) -> list[str]:
        """Return the stemmed, folded, glossary-normalised content terms of `text`, in order."""
        return self._tokenize([text])[0]

    def term_id(self, term: str) -> int:
        """Return the vocabulary id of `term` (-1 when no chunk has it)."""
        return self._vocabulary.get(term, -1)

    def row_term_ids(self, row: int) -> list[int]:
        """Return the term ids of indexed chunk `row`, in order (tokenized once, at indexing)."""
        return [int(term) for term in self._rows[row]]

    def idf(self, term: str) -> float:
        """Return the BM25 inverse document frequency of `term` (highest for unseen terms)."""
        seen = self._document_frequency.get(term, 0)
        return math.log(1 + (self._size - seen + 0.5) / (seen + 0.5))

    def _tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        tokens: list[list[str]] = bm25s.tokenize(
            [normalise(text) for text in texts],
            stopwords=_STOPWORDS,
            stemmer=self._stemmer.stemWords,
            show_progress=False,
            return_ids=False,
        )
        return tokens
