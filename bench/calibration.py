"""Does the gate's self-calibration transfer? Fitted point, leave-one-talk-out, tuning vs test.

Usage (after `pide-ayuda ingest --source sample`, same PIDE_AYUDA_DATA_DIR and EMBEDDINGS_*):
    OMP_NUM_THREADS=1 python -m bench.calibration [--no-loto]

For every question of bench/data the gate's evidence is taken once (best cosine, coverage,
other-topic closeness, intent: `Index.search_judged`); each operating point is then scored on it:
- `fitted`: `bot.rag.calibration_fit.fit` on the whole index (what ingest saves);
- `uncalibrated`: the bundled model's constants (`gate.E5_SMALL`), what an index without a
  calibration gets;
- leave one talk out: for each talk, the point fitted on the other talks' chunks only, scored on
  that talk's in-scope questions (tuning, test and dev sets: the questions whose `author` is the
  talk's) and on every off-topic set.
In-scope answered and off-topic refused are printed per set, tuning and test apart.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bench.threshold import Evidence, evidence, load
from bot.config import load_settings
from bot.rag.calibrate import calibrate_index
from bot.rag.gate import E5_SMALL, OperatingPoint
from bot.rag.index import Index

IN_SCOPE = (
    "questions_tune",
    "questions_test",
    "dev_questions",
    "questions_probe_tune",
    "questions_probe_test",
)
OFF_TOPIC = (
    "offtopic_tune",
    "offtopic_test",
    "offtopic_questions",
    "offtopic_everyday",
    "offtopic_probe_tune",
    "offtopic_probe_test",
)


@dataclass(frozen=True, slots=True)
class Seen:
    """One message of a named set, its talk's author, and what the gate weighs for it."""

    set_name: str
    author: str
    evidence: Evidence

    def answered(self, point: OperatingPoint) -> bool:
        """Whether the gate answers it at `point`."""
        found = self.evidence
        score = point.relevance(found.cosine, found.coverage, found.other_topic)
        return found.asked and score >= point.threshold


async def observe(index: Index, names: Sequence[str], k: int) -> list[Seen]:
    """Return the gate's evidence for every message of the named sets."""
    seen = []
    for name in names:
        items = load(f"{name}.jsonl")
        found = await evidence(index, items, k)
        for item, weighed in zip(items, found, strict=True):
            seen.append(Seen(name, str(item.get("author", "")), weighed))
    return seen


def tally(seen: Sequence[Seen], point: OperatingPoint, answer: bool) -> str:
    """Return "right/total": answered when `answer`, else refused."""
    right = sum(item.answered(point) == answer for item in seen)
    return f"{right}/{len(seen)}"


def report(label: str, point: OperatingPoint, inside: list[Seen], outside: list[Seen]) -> None:
    """Print one operating point's figures per set."""
    print(f"\n{label}: {point}")
    for name in IN_SCOPE:
        part = [item for item in inside if item.set_name == name]
        print(f"  {name:20} in-scope answered  {tally(part, point, True)}")
    for name in OFF_TOPIC:
        part = [item for item in outside if item.set_name == name]
        print(f"  {name:20} off-topic refused  {tally(part, point, False)}")


def leave_one_talk_out(index: Index, inside: list[Seen], outside: list[Seen]) -> None:
    """Fit on all talks but one, score that talk's questions and the off-topic sets."""
    settings = load_settings()
    talks = index.talks()
    ids = index.talk_ids()
    print("\nleave one talk out (fitted without the talk's chunks):")
    totals = {name: [0, 0] for name in IN_SCOPE}
    for talk_id, (_, author) in zip(ids, talks, strict=True):
        others = [other for other in ids if other != talk_id]
        point = calibrate_index(settings, index.embedder, others, save_fit=False).point
        own = [item for item in inside if item.author == author]
        line = []
        for name in IN_SCOPE:
            part = [item for item in own if item.set_name == name]
            answered = sum(item.answered(point) for item in part)
            totals[name][0] += answered
            totals[name][1] += len(part)
            line.append(f"{name} {answered}/{len(part)}")
        refused = {
            name: tally([i for i in outside if i.set_name == name], point, False)
            for name in OFF_TOPIC
        }
        print(f"  without {author[:28]:28} threshold {point.threshold:.4f}: {', '.join(line)}")
        print(f"  {'':36} off-topic refused: {refused}")
    print("  total in-scope answered: " + ", ".join(f"{n} {a}/{t}" for n, (a, t) in totals.items()))


async def main() -> None:
    """Print the fitted point, the uncalibrated one, and leave-one-talk-out figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-loto", action="store_true", help="skip leave-one-talk-out")
    args = parser.parse_args()
    settings = load_settings()
    index = Index.open(settings)
    try:
        fitted = calibrate_index(settings, index.embedder, save_fit=False)
        print(f"embedder {index.embedder.name}; anchors {fitted.anchors}")
        print(f"curated threshold {fitted.curated_threshold}")
        inside = await observe(index, IN_SCOPE, settings.retrieval_k)
        outside = await observe(index, OFF_TOPIC, settings.retrieval_k)
        report("fitted", fitted.point, inside, outside)
        report("uncalibrated (e5-small constants)", E5_SMALL, inside, outside)
        if not args.no_loto:
            leave_one_talk_out(index, inside, outside)
    finally:
        index.close()
    print(
        f"\nmachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


if __name__ == "__main__":
    asyncio.run(main())
