"""Calibrate the relevance gate (bot/rag/gate.py) on the tuning splits; report the test splits.

Usage (after `pide-ayuda ingest --source sample`, same PIDE_AYUDA_DATA_DIR):
    OMP_NUM_THREADS=1 python -m bench.threshold [--max-in-scope-refused 0]

Calibrated on the tuning halves with the dev set (questions_tune + dev_questions, offtopic_tune +
offtopic_questions); scored on the test halves and the everyday off-topic set.

For every in-scope and off-topic question: the best cosine and the best term coverage of the
passages the bot would retrieve, and its closeness to the reference questions on other topics
(bot/rag/other_topics.py). For each (coverage weight, other-topic weight, other-topic floor) of
the grid, the threshold is the midpoint below the weakest in-scope question it must answer (all
but `--max-in-scope-refused`). The setting that wins makes the fewest errors on held-out folds of
the tuning data, calibrated on the other folds (ties: more refused, then the wider margin), so a
threshold squeezed between two tuning questions does not. Refusing a covered question costs more
than passing an off-topic one to the LLM, which is told to say when the passages do not answer.
The test sets are only scored, never used to choose. Messages that are not questions
(`bot/rag/intent.py`: greetings, orders to the bot, emoji) are refused whatever their scores:
they are left out of the calibration and counted as refused.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path

from bot.config import load_settings
from bot.rag import gate
from bot.rag.index import Index
from bot.rag.types import SEARCHED

DATA = Path(__file__).parent / "data"
COVERAGE_WEIGHTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4)
OTHER_TOPIC_WEIGHTS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
OTHER_TOPIC_FLOORS = (0.80, 0.81, 0.82, 0.83, 0.84, 0.85, 0.86, 0.87, 0.88)
# Settings are compared by their errors on held-out folds of the tuning splits, so a setting that
# only fits the tuning questions (a threshold squeezed between two of them) does not win; refusing
# a covered question costs more than passing an off-topic one to the LLM.
FOLDS = 5
IN_SCOPE_COST = 3


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the gate weighs for one message (`asked`: a question, not small talk or an order)."""

    asked: bool
    cosine: float
    coverage: float
    other_topic: float


@dataclass(frozen=True, slots=True)
class Setting:
    """One point of the grid and the threshold calibrated for it."""

    coverage_weight: float
    other_topic_weight: float
    other_topic_floor: float
    threshold: float = 0.0
    refused: int = -1
    margin: float = 0.0

    def score(self, item: Evidence) -> float:
        """Return the item's relevance under this setting (-inf for a message that is not asked)."""
        if not item.asked:
            return -math.inf
        return gate.relevance(
            item.cosine,
            item.coverage,
            item.other_topic,
            self.coverage_weight,
            self.other_topic_weight,
            self.other_topic_floor,
        )


# Calibration data (tuning halves and the dev set: more questions steady the choice) and test data.
SPLITS = {
    "in-scope tune": ("questions_tune", "dev_questions", "questions_probe_tune"),
    "off-topic tune": ("offtopic_tune", "offtopic_questions", "offtopic_probe_tune"),
    "in-scope test": ("questions_test", "questions_probe_test"),
    "off-topic test": ("offtopic_test", "offtopic_probe_test"),
    "off-topic daily": ("offtopic_everyday",),
}
IN_FORCE = Setting(
    gate.COVERAGE_WEIGHT, gate.OTHER_TOPIC_WEIGHT, gate.OTHER_TOPIC_FLOOR, gate.THRESHOLD
)


def load(name: str) -> list[dict[str, object]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


async def evidence(index: Index, questions: list[dict[str, object]], k: int) -> list[Evidence]:
    """Return the gate's evidence for each question's retrieved passages."""
    found = []
    for item in questions:
        question = str(item["question"])
        _, verdict = await index.search_judged(question, k)
        asked = verdict.intent in SEARCHED
        found.append(Evidence(asked, verdict.cosine, verdict.coverage, verdict.other_topic))
    return found


def calibrate(
    setting: Setting, inside: list[Evidence], outside: list[Evidence], spare: int
) -> Setting:
    """Return `setting` with the threshold below its weakest kept in-scope question."""
    scores_in = sorted(setting.score(item) for item in inside)
    floor = scores_in[min(spare, len(scores_in) - 1)]
    below = [s for s in map(setting.score, outside) if -math.inf < s < floor]
    threshold = (floor + max(below)) / 2 if below else floor
    margin = floor - max(below, default=floor)
    return Setting(
        setting.coverage_weight,
        setting.other_topic_weight,
        setting.other_topic_floor,
        round(threshold, 4),
        len(below),
        round(margin, 4),
    )


def cross_validated_cost(
    setting: Setting, inside: list[Evidence], outside: list[Evidence], spare: int
) -> int:
    """Return the errors of `setting` on each tuning fold when calibrated on the other folds.

    A wrongly refused in-scope question costs IN_SCOPE_COST, an answered off-topic one costs 1.
    """
    cost = 0
    for fold in range(FOLDS):
        kept_in = [item for n, item in enumerate(inside) if n % FOLDS != fold]
        kept_out = [item for n, item in enumerate(outside) if n % FOLDS != fold]
        fitted = calibrate(setting, kept_in, kept_out, spare)
        held_in = inside[fold::FOLDS]
        held_out = outside[fold::FOLDS]
        cost += IN_SCOPE_COST * sum(fitted.score(item) < fitted.threshold for item in held_in)
        cost += sum(fitted.score(item) >= fitted.threshold for item in held_out)
    return cost


def choose(inside: list[Evidence], outside: list[Evidence], spare: int) -> Setting:
    """Return the grid setting of least cross-validated cost (ties: more refused, wider margin)."""
    grid = itertools.product(COVERAGE_WEIGHTS, OTHER_TOPIC_WEIGHTS, OTHER_TOPIC_FLOORS)
    scored = [
        (cross_validated_cost(Setting(*point), inside, outside, spare), Setting(*point))
        for point in grid
    ]
    fitted = [(cost, calibrate(setting, inside, outside, spare)) for cost, setting in scored]
    return min(fitted, key=lambda pair: (pair[0], -pair[1].refused, -pair[1].margin))[1]


def rate(found: list[Evidence], setting: Setting, refuse: bool) -> str:
    hits = sum((setting.score(item) < setting.threshold) == refuse for item in found)
    return f"{hits}/{len(found)}"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-in-scope-refused", type=int, default=0)
    args = parser.parse_args()
    settings = load_settings()
    index = Index.open(settings)
    sets = {
        name: [
            item
            for part in parts
            for item in await evidence(index, load(f"{part}.jsonl"), settings.retrieval_k)
        ]
        for name, parts in SPLITS.items()
    }
    index.close()
    best = choose(sets["in-scope tune"], sets["off-topic tune"], args.max_in_scope_refused)
    for label, setting in (("chosen", best), ("in force", IN_FORCE)):
        print(
            f"{label:8}: COVERAGE_WEIGHT {setting.coverage_weight}  OTHER_TOPIC_WEIGHT "
            f"{setting.other_topic_weight}  OTHER_TOPIC_FLOOR {setting.other_topic_floor}  "
            f"THRESHOLD {setting.threshold}  (margin {best.margin if setting is best else '-'})"
        )
        for name, found in sets.items():
            refuse = name.startswith("off-topic")
            verb = "refused" if refuse else "answered"
            print(f"  {name:14} {verb} {rate(found, setting, refuse)}")


if __name__ == "__main__":
    asyncio.run(main())
