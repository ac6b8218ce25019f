"""The relevance gate: answer only when the retrieved passages cover the question.

One e5 cosine cannot decide it: cosines of multilingual-e5-small are compressed (0.78-0.90), and
an injection string or a row of emoji scores like a near-miss question. The gate adds lexical
evidence: the IDF-weighted share of the question's content terms found together in one passage
window (`bot.rag.rerank.coverage`). Off-topic questions use words the keynotes never say, so
their coverage is low even when their cosine is not. It also subtracts how much closer than
OTHER_TOPIC_FLOOR the question comes to a reference question on another subject
(`bot.rag.other_topics`): "¿Nevará en Madrid?" is far closer to a weather question than to the
talks, whatever its cosine to them.

    relevance = best cosine + COVERAGE_WEIGHT * best coverage    (over the k passages)
                - OTHER_TOPIC_WEIGHT * max(0, other-topic closeness - OTHER_TOPIC_FLOOR)
    answer when relevance >= THRESHOLD

Messages that are not questions (small talk, orders to the bot, tasks, no words:
`bot.rag.intent`) are never answered, whatever their scores; a request for code is judged like a
question (answered when the talks cover it).

The weights, floor and threshold form an `OperatingPoint`. Cosines sit on a different scale for
each embedder, so the point in force is fitted for the index at ingest (`bot.rag.calibration_fit`,
`pide-ayuda calibrate`); `E5_SMALL` below, chosen by cross-validation with `python -m
bench.threshold` for the bundled multilingual-e5-small on the sample (docs/retrieval.md), is used
only for an index that has no calibration yet. RETRIEVAL_MIN_SCORE replaces the threshold (0
answers every question).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.rag.types import SEARCHED, Intent

COVERAGE_WEIGHT = 0.15
OTHER_TOPIC_WEIGHT = 1.5
OTHER_TOPIC_FLOOR = 0.83
THRESHOLD = 0.8686


@dataclass(frozen=True, slots=True)
class OperatingPoint:
    """The gate's weights, other-topic floor and threshold, on one embedder's cosine scale."""

    threshold: float
    coverage_weight: float
    other_topic_weight: float
    other_topic_floor: float

    def relevance(self, cosine: float, coverage: float, other_topic: float) -> float:
        """Return the relevance of a question's evidence at this operating point."""
        return relevance(
            cosine,
            coverage,
            other_topic,
            self.coverage_weight,
            self.other_topic_weight,
            self.other_topic_floor,
        )


# The point fitted for the bundled e5-small on the 4-talk sample: only for an uncalibrated index.
E5_SMALL = OperatingPoint(THRESHOLD, COVERAGE_WEIGHT, OTHER_TOPIC_WEIGHT, OTHER_TOPIC_FLOOR)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The gate's decision and the evidence it weighed."""

    relevant: bool
    cosine: float
    coverage: float
    other_topic: float
    relevance: float
    threshold: float
    intent: Intent = "question"

    def describe(self) -> str:
        """Return a one-line account of the decision for the operator's log."""
        if self.intent not in SEARCHED:
            return f"not a question ({self.intent})"
        return (
            f"relevance {self.relevance:.3f} (cosine {self.cosine:.3f}, coverage "
            f"{self.coverage:.2f}, other topic {self.other_topic:.3f}) "
            f"{'>=' if self.relevant else '<'} {self.threshold:.3f}"
        )


def relevance(
    cosine: float,
    coverage: float,
    other_topic: float,
    coverage_weight: float = COVERAGE_WEIGHT,
    other_topic_weight: float = OTHER_TOPIC_WEIGHT,
    other_topic_floor: float = OTHER_TOPIC_FLOOR,
) -> float:
    """Return the relevance of a question's best cosine, coverage and other-topic closeness."""
    penalty = other_topic_weight * max(0.0, other_topic - other_topic_floor)
    return cosine + coverage_weight * coverage - penalty


def judge(
    cosines: Sequence[float],
    coverages: Sequence[float],
    other_topic: float,
    threshold: float | None = None,
    intent: Intent = "question",
    point: OperatingPoint = E5_SMALL,
) -> Verdict:
    """Decide whether to answer from intent, passage cosines, coverages, other-topic closeness.

    `threshold` (RETRIEVAL_MIN_SCORE) replaces the threshold of `point` when given.
    """
    limit = point.threshold if threshold is None else threshold
    cosine, covered = max(cosines, default=0.0), max(coverages, default=0.0)
    score = point.relevance(cosine, covered, other_topic)
    relevant = intent in SEARCHED and score >= limit
    return Verdict(relevant, cosine, covered, other_topic, score, limit, intent)
