"""Where the relevance gate sits on an embedder's cosine scale: anchors and the scale-free rule.

The gate's threshold, coverage weight, other-topic weight and floor, and the curated threshold,
sit at fixed *relative* positions on the anchors' scales (`RULE`): an embedder whose cosines are
shifted or compressed gets its operating point moved and stretched with them. The positions were
measured once with the bundled model on the sample (`bench/calibration.py`, docs/retrieval.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.rag.gate import OperatingPoint


@dataclass(frozen=True, slots=True)
class Anchors:
    """Medians read off the index: where in-scope and off-topic messages sit for this embedder."""

    passage_in: float
    passage_low: float
    query_near: float
    query_low: float

    @property
    def passage_spread(self) -> float:
        """Distance between the discussed and unrelated passage-cosine anchors."""
        return self.passage_in - self.passage_low

    @property
    def query_spread(self) -> float:
        """Distance between same-subject and unrelated question-to-question cosines."""
        return self.query_near - self.query_low


@dataclass(frozen=True, slots=True)
class Rule:
    """Scale-free positions between the anchors (0 = low anchor, 1 = high anchor).

    `curated` is placed between `query_near` (0) and an identical question (1).
    """

    threshold: float
    coverage_weight: float
    other_topic_weight: float
    other_topic_floor: float
    curated: float

    def point(self, anchors: Anchors) -> OperatingPoint:
        """Return the gate's operating point on the cosine scale of `anchors`."""
        spread = anchors.passage_spread
        qspread = anchors.query_spread
        return OperatingPoint(
            threshold=round(anchors.passage_low + self.threshold * spread, 4),
            coverage_weight=round(self.coverage_weight * spread, 4),
            other_topic_weight=round(self.other_topic_weight * spread / qspread, 4),
            other_topic_floor=round(anchors.query_low + self.other_topic_floor * qspread, 4),
        )

    def curated_threshold(self, anchors: Anchors) -> float:
        """Return the question-to-question cosine a curated answer needs, on this scale."""
        return round(anchors.query_near + self.curated * (1.0 - anchors.query_near), 4)

    @classmethod
    def from_point(cls, point: OperatingPoint, curated: float, anchors: Anchors) -> Rule:
        """Express an operating point measured on `anchors`' scale as relative positions."""
        spread, qspread = anchors.passage_spread, anchors.query_spread
        return cls(
            threshold=(point.threshold - anchors.passage_low) / spread,
            coverage_weight=point.coverage_weight / spread,
            other_topic_weight=point.other_topic_weight * qspread / spread,
            other_topic_floor=(point.other_topic_floor - anchors.query_low) / qspread,
            curated=(curated - anchors.query_near) / (1.0 - anchors.query_near),
        )


# The bundled model's cross-validated operating point (bot/rag/gate.py) and curated threshold
# (bench/curated_threshold.py), as positions between the anchors of the full sample index.
RULE = Rule(
    threshold=0.9967,
    coverage_weight=1.7321,
    other_topic_weight=1.2517,
    other_topic_floor=0.7007,
    curated=0.4608,
)
