"""Retrieval quality and latency on a dev set, in a warm search-only process.

Usage:
    python -m bench.retrieval --questions bench/data/dev_questions.jsonl [--repeats 5]
        [--data-dir DIR]  # an already built data dir; default: ingest the sample into a temp dir
                          # in a separate process, so this process only searches (honest RSS)

A retrieved chunk is a hit when, lower-cased with whitespace collapsed, it contains one of the
question's `evidence` phrases. Reports recall@1, recall@5, right-talk@1, per-stage latency p50/p95
over every (question, repeat) after a warm-up, and the peak RSS of this process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from bot.config import load_settings
from bot.rag.evaluation import is_hit
from bot.rag.index import Index

STAGES = ("embed", "dense", "lexical", "fusion", "features", "rerank", "total")


def build_sample(data_dir: Path) -> None:
    env = {**os.environ, "PIDE_AYUDA_DATA_DIR": str(data_dir)}
    command = [sys.executable, "-m", "bot", "ingest", "--source", "sample", "--no-progress"]
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)


async def evaluate(questions: list[dict[str, object]], repeats: int) -> dict[str, object]:
    index = Index.open(load_settings())
    for item in questions[:3]:  # warm-up: model pages, Chroma caches
        await index.search(str(item["question"]), k=5)
    timings: dict[str, list[float]] = {stage: [] for stage in STAGES}
    recall1 = recall5 = right_talk = 0
    misses = []
    for item in questions:
        for repeat in range(repeats):
            passages, stage_ms = await index.search_timed(str(item["question"]), k=5)
            for stage in STAGES:
                timings[stage].append(stage_ms[stage])
            if repeat:
                continue
            evidence = [str(e) for e in item["evidence"]]  # type: ignore[attr-defined]
            hits = [is_hit(p, evidence) for p in passages]
            recall1 += hits[0]
            recall5 += any(hits)
            right_talk += passages[0].author == item["author"]
            if not any(hits):
                misses.append(item["question"])
    index.close()
    n = len(questions)
    return {
        "questions": n,
        "recall@1": f"{recall1}/{n}",
        "recall@5": f"{recall5}/{n}",
        "right_talk@1": f"{right_talk}/{n}",
        "misses@5": misses,
        "latency_ms": {
            stage: {
                "p50": round(float(np.percentile(values, 50)), 2),
                "p95": round(float(np.percentile(values, 95)), 2),
            }
            for stage, values in timings.items()
        },
        "searches_timed": len(timings["total"]),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS", "unset (all cores)"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line) for line in lines if line.strip()]
    with tempfile.TemporaryDirectory(prefix="pide-ayuda-bench-") as scratch:
        data_dir = args.data_dir or Path(scratch)
        if args.data_dir is None:
            build_sample(data_dir)
        os.environ["PIDE_AYUDA_DATA_DIR"] = str(data_dir)
        report = asyncio.run(evaluate(questions, args.repeats))
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
