"""Calibrate the relevance gate (bot/rag/gate.py) on the tuning splits; report the test splits.

Usage (after `pide-ayuda ingest --source sample`, same PIDE_AYUDA_DATA_DIR):
    OMP_NUM_THREADS=1 python -m bench.threshold [--max-in-scope-refused 0]

For every in-scope and off-topic question: the best cosine and the best term coverage of the
passages the bot would retrieve. For each coverage weight of the grid, the threshold is the
midpoint below the weakest in-scope question it must answer (all but `--max-in-scope-refused`);
the weight refusing the most off-topic tuning questions wins (ties: the wider margin). Refusing a
covered question costs more than passing an off-topic one to the LLM, which is told to say when
the passages do not answer. The test splits are only scored, never used to choose. Messages
that are not questions (`bot/rag/intent.py`: greetings, orders to the bot, emoji) are refused
whatever their scores: they are left out of the calibration and counted as refused.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
from pathlib import Path

from bot.config import load_settings
from bot.rag import gate
from bot.rag.index import Index

DATA = Path(__file__).parent / "data"
WEIGHTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4)
Features = list[tuple[float, float]]


def load(name: str) -> list[dict[str, object]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


async def features(index: Index, questions: list[dict[str, object]], k: int) -> Features:
    """Return (best cosine, best coverage) of each question's retrieved passages.

    A message that is not a question gets (-inf, 0): below every threshold, as the gate treats it.
    """
    found = []
    for item in questions:
        question = str(item["question"])
        verdict = index.relevance(question, await index.search(question, k=k))
        asked = verdict.intent == "question"
        found.append((verdict.cosine if asked else -math.inf, verdict.coverage))
    return found


def choose(inside: Features, outside: Features, spare: int) -> tuple[float, float, int, float]:
    """Return (weight, threshold, off-topic refused, margin) of the best weight."""
    best = (0.0, 0.0, -1, 0.0)
    for weight in WEIGHTS:
        scores_in = sorted(c + weight * v for c, v in inside)
        floor = scores_in[min(spare, len(scores_in) - 1)]
        below = [c + weight * v for c, v in outside if -math.inf < c + weight * v < floor]
        threshold = (floor + max(below)) / 2 if below else floor
        margin = floor - max(below, default=floor)
        if (len(below), margin) > (best[2], best[3]):
            best = (weight, round(threshold, 4), len(below), round(margin, 4))
    return best


def rate(found: Features, weight: float, threshold: float, refuse: bool) -> str:
    hits = sum((c + weight * v < threshold) == refuse for c, v in found)
    return f"{hits}/{len(found)}"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-in-scope-refused", type=int, default=0)
    args = parser.parse_args()
    settings = load_settings()
    index = Index.open(settings)
    sets = {
        name: await features(index, load(f"{name}.jsonl"), settings.retrieval_k)
        for name in ("questions_tune", "offtopic_tune", "questions_test", "offtopic_test")
    }
    index.close()
    weight, threshold, _, margin = choose(
        sets["questions_tune"], sets["offtopic_tune"], args.max_in_scope_refused
    )
    print(f"chosen COVERAGE_WEIGHT {weight}  THRESHOLD {threshold}  (margin {margin})")
    print(f"in force: COVERAGE_WEIGHT {gate.COVERAGE_WEIGHT}  THRESHOLD {gate.THRESHOLD}")
    for name, found in sets.items():
        refuse = name.startswith("offtopic")
        verb = "refused" if refuse else "answered"
        print(f"{name:15} {verb} {rate(found, weight, threshold, refuse)}")
    floor = sorted(c for c, _ in sets["questions_tune"])[args.max_in_scope_refused]
    below = sum(c < floor for c, _ in sets["offtopic_tune"])
    print(
        f"cosine alone at {floor:.4f}: offtopic_tune refused {below}/{len(sets['offtopic_tune'])}"
    )


if __name__ == "__main__":
    asyncio.run(main())
