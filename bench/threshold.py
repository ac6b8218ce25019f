"""Measure the relevance threshold: best dense cosine of on-topic vs off-topic questions.

Usage (after `pide-ayuda ingest --source sample`, same PIDE_AYUDA_DATA_DIR):
    OMP_NUM_THREADS=1 python -m bench.threshold [--min-dev-kept 0.9]

Policy: the highest threshold that still answers at least `--min-dev-kept` of the dev questions
(refusing a covered question costs more than passing an off-topic one to the LLM, which is told to
say when the passages do not answer). Prints every question's best cosine and the chosen value.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
from pathlib import Path

from bot.config import load_settings
from bot.rag.index import Index

DATA = Path(__file__).parent / "data"


def load(name: str) -> list[dict[str, object]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


async def best_scores(index: Index, questions: list[dict[str, object]]) -> list[float]:
    scores = []
    for item in questions:
        passages = await index.search(str(item["question"]), k=5)
        scores.append(max((p.dense_score or 0.0) for p in passages))
    return scores


def choose(dev: list[float], off: list[float], min_dev_kept: float) -> float:
    """Return the highest midpoint threshold keeping at least `min_dev_kept` of dev answered."""
    values = sorted(set(dev + off))
    candidates = [values[0] - 0.001] + [(a + b) / 2 for a, b in itertools.pairwise(values)]
    allowed = [t for t in candidates if sum(s >= t for s in dev) >= min_dev_kept * len(dev)]
    return round(max(allowed), 4)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--min-dev-kept", type=float, default=0.9)
    args = parser.parse_args()
    index = Index.open(load_settings())
    dev_q, off_q = load("dev_questions.jsonl"), load("offtopic_questions.jsonl")
    dev, off = await best_scores(index, dev_q), await best_scores(index, off_q)
    for item, score in [*zip(dev_q, dev, strict=True), *zip(off_q, off, strict=True)]:
        kind = "dev" if "near_miss" not in item else ("near" if item["near_miss"] else "off")
        print(f"{score:.3f}  {kind:4}  {item['question']}")
    threshold = choose(dev, off, args.min_dev_kept)
    near = [s for item, s in zip(off_q, off, strict=True) if item["near_miss"]]
    clear = [s for item, s in zip(off_q, off, strict=True) if not item["near_miss"]]
    print(f"\nthreshold {threshold}")
    print(f"dev answered        {sum(s >= threshold for s in dev)}/{len(dev)}")
    print(f"off-topic refused   {sum(s < threshold for s in clear)}/{len(clear)}")
    print(f"near misses refused {sum(s < threshold for s in near)}/{len(near)}")


if __name__ == "__main__":
    asyncio.run(main())
