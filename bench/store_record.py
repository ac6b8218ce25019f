"""Measure the recorder: arrival latency (on the reply path) and pair throughput, SQLite (WAL).

Usage:
    python -m bench.store_record [--pairs 1000] [--concurrency 1 8]

Each pair carries 3 cited sources, like a real answer. `open` (saving the question as it
arrives) is the only write a question waits for; the outcome is queued and written by the
recorder's worker. Throughput counts both writes of every pair, until the queue is flushed.
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
from bot.storage import open_database, open_recorder, outcome_of
from store.records import AskContext


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
    settings = Settings.model_validate({"PIDE_AYUDA_DATA_DIR": data_dir})
    db = open_database(settings)
    await db.upgrade()
    recorder = open_recorder(db, settings)
    latencies: list[float] = []
    queue = iter(range(pairs))

    async def worker() -> None:
        for i in queue:
            context = AskContext(surface="slash", user_id=10**17 + i % 50, guild_id=1)
            start = time.perf_counter()
            question = await recorder.open(f"¿Pregunta número {i}?", context)
            latencies.append(time.perf_counter() - start)
            recorder.finished(question, outcome_of(answer(i), "delivered"))

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    await recorder.flush()
    elapsed = time.perf_counter() - start
    assert recorder.pending() == 0, "some writes were spooled; see the log"
    await recorder.aclose()
    await db.aclose()
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "pairs": pairs,
        "concurrency": concurrency,
        "seconds": round(elapsed, 3),
        "pairs_per_second": round(pairs / elapsed, 1),
        "arrival_p50_ms": round(cuts[49] * 1000, 2),
        "arrival_p95_ms": round(cuts[94] * 1000, 2),
        "arrival_max_ms": round(max(latencies) * 1000, 2),
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
