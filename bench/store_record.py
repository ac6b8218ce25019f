"""Measure QALog.record: throughput and latency percentiles for N pairs on SQLite (WAL).

Usage:
    python -m bench.store_record [--pairs 1000] [--concurrency 1 8]

Each pair carries 3 cited sources, like a real answer. Sequential runs show the per-commit
cost (every record is its own fsync'd transaction); concurrent runs show how writers queue
behind SQLite's single write lock (the busy timeout absorbs the waits).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from bot.config import Settings
from bot.rag.types import Answer, Source
from store.db import Database
from store.records import AskContext
from store.repository import QALog


def answer(i: int) -> Answer:
    sources = [
        Source(f"Charla {j}", f"Autora {j}", "cita " * 40, f"talk-{j}", f"talk-{j}-{i}", 0.8)
        for j in range(3)
    ]
    return Answer(
        question=f"¿Pregunta número {i} sobre las charlas del hackatón?",
        text="Respuesta de ejemplo. " * 30,
        mode="llm",
        status="answered",
        sources=sources,
        model="bench-model",
        endpoint="http://127.0.0.1:8000/v1",
        timings={"retrieval": 0.1, "llm": 2.0, "total": 2.1},
    )


async def run(pairs: int, concurrency: int, data_dir: Path) -> dict[str, float]:
    db = Database.from_settings(Settings.model_validate({"PIDE_AYUDA_DATA_DIR": data_dir}))
    await db.upgrade()
    qalog = QALog(db)
    latencies: list[float] = []
    queue = iter(range(pairs))

    async def worker() -> None:
        for i in queue:
            context = AskContext(surface="slash", user_id=10**17 + i % 50, guild_id=1)
            start = time.perf_counter()
            pair_id = await qalog.record(answer(i), context)
            latencies.append(time.perf_counter() - start)
            assert pair_id is not None, "record failed; see the log"

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    await db.aclose()
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "pairs": pairs,
        "concurrency": concurrency,
        "seconds": round(elapsed, 3),
        "pairs_per_second": round(pairs / elapsed, 1),
        "p50_ms": round(cuts[49] * 1000, 2),
        "p95_ms": round(cuts[94] * 1000, 2),
        "max_ms": round(max(latencies) * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    args = parser.parse_args()
    print(f"# {platform.machine()} {os.cpu_count()} cpus, Python {platform.python_version()}")
    for concurrency in args.concurrency:
        with tempfile.TemporaryDirectory(prefix="store-record-") as folder:
            result = asyncio.run(run(args.pairs, concurrency, Path(folder)))
        print(json.dumps(result))


if __name__ == "__main__":
    main()
