"""Late scoring of fused candidates: dense cosine, fused rank, speaker match and term coverage.

Term coverage is the IDF-weighted share of the question's content terms (stemmed, folded,
glossary-normalised) found in the best window of consecutive terms of a passage, so the one of
several near-duplicate chunks that holds the answer's words together ranks first. An offline
cross-encoder was not available (see docs/retrieval.md); embedding sentence windows with e5 at
query time costs too much on 2 cores, so windows are scored lexically.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.rag.lexical import LexicalIndex

# Weights of the late score, tuned on bench/data/questions_tune.jsonl with bench/retrieval_tune.py
# (see docs/retrieval.md): dense cosine, fused RRF score (divided by the best), term coverage,
# and a bonus for passages of a talk whose speaker the question names.
WEIGHT_DENSE = 1.0
WEIGHT_FUSED = 0.02
WEIGHT_COVERAGE = 0.1
WEIGHT_NAMED = 0.05
WINDOW_TERMS = 24
WINDOW_STRIDE = 4

Term = TypeVar("Term", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One fused candidate with the features the late score combines."""

    chunk_id: str
    talk_id: str
    dense: float
    fused: float
    coverage: float
    named: bool


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights of the late score; the defaults are the tuned constants above."""

    dense: float = WEIGHT_DENSE
    fused: float = WEIGHT_FUSED
    coverage: float = WEIGHT_COVERAGE
    named: float = WEIGHT_NAMED


def query_terms(lexical: LexicalIndex, query: str, skip: frozenset[str]) -> list[str]:
    """Return the distinct content terms of `query`, without the terms of the `skip` words."""
    skipped = {term for word in skip for term in lexical.question_terms(word)}
    return [term for term in dict.fromkeys(lexical.question_terms(query)) if term not in skipped]


def coverage(lexical: LexicalIndex, terms: Sequence[str], text: str) -> float:
    """Return the IDF-weighted share of `terms` found in the best window of `text`."""
    weights = {term: lexical.idf(term) for term in terms}
    return best_window(weights, lexical.terms(text))


def row_coverage(lexical: LexicalIndex, terms: Sequence[str], row: int) -> float:
    """Return `coverage` for indexed chunk `row`, from its terms tokenized at indexing."""
    # Terms no chunk has get distinct negative ids: they never match but each keeps its weight.
    weights = {
        lexical.term_id(term) if lexical.term_id(term) >= 0 else -1 - unseen: lexical.idf(term)
        for unseen, term in enumerate(terms)
    }
    return best_window(weights, lexical.row_term_ids(row))


def best_window(weights: Mapping[Term, float], words: Sequence[Term]) -> float:
    """Return the largest weight share of `weights` keys found together in a window of words."""
    total = sum(weights.values())
    if not total:
        return 0.0
    best = 0.0
    for start in range(0, max(1, len(words) - WINDOW_TERMS + WINDOW_STRIDE), WINDOW_STRIDE):
        window = set(words[start : start + WINDOW_TERMS])
        best = max(best, sum(weight for term, weight in weights.items() if term in window))
    return best / total


def late_score(candidate: Candidate, best_fused: float, weights: Weights) -> float:
    """Combine a candidate's features into one score (higher is better)."""
    fused = candidate.fused / best_fused if best_fused else 0.0
    return (
        weights.dense * candidate.dense
        + weights.fused * fused
        + weights.coverage * candidate.coverage
        + weights.named * candidate.named
    )


def rerank(
    candidates: Sequence[Candidate], weights: Weights | None = None
) -> list[tuple[Candidate, float]]:
    """Return (candidate, late score) pairs, best first; ties keep the fused order."""
    weights = weights or Weights()
    best_fused = max((c.fused for c in candidates), default=0.0)
    scored = [(c, late_score(c, best_fused, weights)) for c in candidates]
    return sorted(scored, key=lambda pair: pair[1], reverse=True)
