"""Spanish BM25 leg: accent folding, glossary, Snowball stemming and stopwords (bm25s)."""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_SPANISH

from bot.rag.glossary import RULES_DIGEST, fold, normalise, normalise_question
from bot.rag.lemmas import VERSION as LEMMAS_VERSION
from bot.rag.lemmas import lemma

# bm25s forces its logger to DEBUG on import; let the application's logging decide instead.
logging.getLogger("bm25s").setLevel(logging.NOTSET)

_STOPWORDS = sorted({fold(word) for word in STOPWORDS_SPANISH})
# Words are lemmatised (bot/rag/lemmas.py) before stemming: Snowball keeps a verb's persons apart
# when its stem changes ("recomiendo" -> "recom", "recomienda" -> "recomiend"): speakers say
# "recomiendo", askers "recomienda".
_STEMMER = "spanish"
# What turns a text into terms (glossary, stopwords, lemmas, stemmer): part of a saved index's
# name, so an upgrade that changes any of them rebuilds the saved index instead of mixing terms.
_RECIPE = f"{RULES_DIGEST}|{_STOPWORDS}|{_STEMMER}|{LEMMAS_VERSION}"
TERMS_DIGEST = hashlib.sha256(_RECIPE.encode()).hexdigest()[:12]
_VOCABULARY = "terms.json"
_FREQUENCY = "term_frequency.npy"
_TERMS = "row_terms.npy"
_OFFSETS = "row_offsets.npy"


class LexicalIndex:
    """In-memory BM25 over chunk texts; returns (row, score) pairs ranked best first."""

    def __init__(self, texts: Sequence[str]) -> None:
        """Index `texts`; rows of results refer to positions in this sequence."""
        self._stemmer = Stemmer.Stemmer(_STEMMER)
        self._size = len(texts)
        self._bm25 = bm25s.BM25()
        self._vocabulary: dict[str, int] = {}
        tokens = self._tokenize(texts) if texts else []
        if tokens:
            self._bm25.index(tokens, show_progress=False)
        # Every chunk's term ids end to end (row r is _terms[_offsets[r]:_offsets[r + 1]]), and
        # the number of chunks holding each term id: flat arrays, so `load` can memory-map them.
        vocabulary = self._vocabulary
        rows = [
            np.fromiter((vocabulary.setdefault(t, len(vocabulary)) for t in terms), np.int32)
            for terms in tokens
        ]
        self._terms = np.concatenate([np.zeros(0, np.int32), *rows])
        distinct = np.concatenate([np.zeros(0, np.int32), *map(np.unique, rows)])
        self._frequency = np.bincount(distinct, minlength=len(vocabulary))
        self._offsets = np.cumsum([0, *map(len, rows)], dtype=np.int64)

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """Return up to `k` (row, score) pairs with a positive BM25 score."""
        return self.search_terms(self.question_terms(query), k)

    def search_terms(self, terms: list[str], k: int) -> list[tuple[int, float]]:
        """Search like `search` for already tokenized query `terms`."""
        if self._size == 0 or not terms:
            return []
        k = min(k, self._size)
        # n_threads=0 scores in this thread; 1 would start a thread pool for every search.
        rows, scores = self._bm25.retrieve([terms], k=k, show_progress=False, n_threads=0)
        return [
            (int(row), float(score))
            for row, score in zip(np.asarray(rows)[0], np.asarray(scores)[0], strict=True)
            if score > 0
        ]

    def terms(self, text: str) -> list[str]:
        """Return the stemmed, folded, glossary-normalised content terms of transcript `text`."""
        return self._tokenize([text])[0]

    def question_terms(self, question: str) -> list[str]:
        """Return the content terms of a question (glossary rules for questions only)."""
        return self._tokenize([question], normalise_question)[0]

    def term_id(self, term: str) -> int:
        """Return the vocabulary id of `term` (-1 when no chunk has it)."""
        return self._vocabulary.get(term, -1)

    def row_term_ids(self, row: int) -> list[int]:
        """Return the term ids of indexed chunk `row`, in order (tokenized once, at indexing)."""
        return list(self._terms[self._offsets[row] : self._offsets[row + 1]].tolist())

    def idf(self, term: str) -> float:
        """Return the BM25 inverse document frequency of `term` (highest for unseen terms)."""
        term_id = self.term_id(term)
        seen = int(self._frequency[term_id]) if term_id >= 0 else 0
        return math.log(1 + (self._size - seen + 0.5) / (seen + 0.5))

    def save(self, folder: Path) -> None:
        """Write the index into `folder`: bm25s' own format plus the vocabulary and chunk terms."""
        self._bm25.save(str(folder), show_progress=False)
        terms = json.dumps(list(self._vocabulary), ensure_ascii=False)
        (folder / _VOCABULARY).write_text(terms, encoding="utf-8")
        np.save(folder / _FREQUENCY, self._frequency)
        np.save(folder / _TERMS, self._terms)
        np.save(folder / _OFFSETS, self._offsets)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """Open an index written by `save`, its arrays memory-mapped."""
        index = cls([])
        index._bm25 = bm25s.BM25.load(str(folder), mmap=True, show_progress=False)
        terms = json.loads((folder / _VOCABULARY).read_text(encoding="utf-8"))
        index._vocabulary = {str(term): term_id for term_id, term in enumerate(terms)}
        index._frequency = np.load(folder / _FREQUENCY, mmap_mode="r")
        index._terms = np.load(folder / _TERMS, mmap_mode="r")
        index._offsets = np.load(folder / _OFFSETS, mmap_mode="r")
        index._size = len(index._offsets) - 1
        return index

    def _stem(self, words: list[str]) -> list[str]:
        """Return the Snowball stems of the words' lemmas."""
        stems: list[str] = self._stemmer.stemWords([lemma(word) for word in words])
        return stems

    def _tokenize(
        self, texts: Sequence[str], rewrite: Callable[[str], str] = normalise
    ) -> list[list[str]]:
        tokens: list[list[str]] = bm25s.tokenize(
            [rewrite(text) for text in texts],
            stopwords=_STOPWORDS,
            stemmer=self._stem,
            show_progress=False,
            return_ids=False,
        )
        return tokens
