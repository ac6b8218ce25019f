"""Cost of the /healthz write probe: one row updated and committed, on a fresh SQLite file.

Usage:
    python -m bench.health_probe [--probes 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from store.db import Database
from store.write_probe import can_write


async def measure(probes: int) -> list[float]:
    """Return the milliseconds of each probe, after one warm-up probe."""
    with tempfile.TemporaryDirectory(prefix="probe-") as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'pide-ayuda.sqlite3'}")
        try:
            await db.upgrade()
            await can_write(db)
            times = []
            for _ in range(probes):
                started = time.perf_counter()
                assert await can_write(db)
                times.append((time.perf_counter() - started) * 1000)
        finally:
            await db.aclose()
    return sorted(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probes", type=int, default=200)
    times = asyncio.run(measure(parser.parse_args().probes))
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"probe p50 {statistics.median(times):.2f} ms, p95 {p95:.2f} ms ({len(times)} probes)")


if __name__ == "__main__":
    main()
