"""The relevance gate: answer only when the retrieved passages cover the question.

One e5 cosine cannot decide it: cosines of multilingual-e5-small are compressed (0.78-0.90), and
an injection string or a row of emoji scores like a near-miss question. The gate adds lexical
evidence: the IDF-weighted share of the question's content terms found together in one passage
window (`bot.rag.rerank.coverage`). Off-topic questions use words the keynotes never say, so
their coverage is low even when their cosine is not.

    relevance = best cosine + COVERAGE_WEIGHT * best coverage    (over the k passages)
    answer when relevance >= THRESHOLD

Messages that are not questions (small talk, orders to the bot, no words: `bot.rag.intent`) are
never answered, whatever their scores.

All the constants are here, measured with `python -m bench.threshold` on
bench/data/questions_tune.jsonl and bench/data/offtopic_tune.jsonl (docs/retrieval.md).
RETRIEVAL_MIN_SCORE replaces THRESHOLD (0 answers every question).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.rag.types import Intent

COVERAGE_WEIGHT = 0.15
THRESHOLD = 0.8759


@dataclass(frozen=True, slots=True)
class Verdict:
    """The gate's decision and the evidence it weighed."""

    relevant: bool
    cosine: float
    coverage: float
    relevance: float
    threshold: float
    intent: Intent = "question"

    def describe(self) -> str:
        """Return a one-line account of the decision for the operator's log."""
        if self.intent != "question":
            return f"not a question ({self.intent})"
        return (
            f"relevance {self.relevance:.3f} (cosine {self.cosine:.3f}, coverage "
            f"{self.coverage:.2f}) {'>=' if self.relevant else '<'} {self.threshold:.3f}"
        )


def relevance(cosines: Sequence[float], coverages: Sequence[float]) -> tuple[float, float, float]:
    """Return (relevance, best cosine, best coverage) of the retrieved passages."""
    cosine = max(cosines, default=0.0)
    covered = max(coverages, default=0.0)
    return cosine + COVERAGE_WEIGHT * covered, cosine, covered


def judge(
    cosines: Sequence[float],
    coverages: Sequence[float],
    threshold: float | None = None,
    intent: Intent = "question",
) -> Verdict:
    """Decide from the message's intent and each passage's cosine and coverage whether to answer."""
    limit = THRESHOLD if threshold is None else threshold
    score, cosine, covered = relevance(cosines, coverages)
    return Verdict(intent == "question" and score >= limit, cosine, covered, score, limit, intent)
