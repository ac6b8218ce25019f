"""Measure what per-server settings cost a question: a cache hit, and a re-read from the database.

Usage:
    python -m bench.server_settings [--reads 2000] [--servers 100]
    DATABASE_URL=postgresql+asyncpg://user@127.0.0.1/db python -m bench.server_settings

A question reads its server's settings before it is admitted. Within the 2 s cache a read is a
dict lookup; after it, one primary-key SELECT. With the cache off (ttl 0) every read goes to the
database: that is the cost the cache bounds to one read per server per 2 s per process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

from bot.config import Settings
from bot.storage import open_database
from store.server_settings import ServerConfig, ServerSettingsStore


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_us": round(statistics.median(ordered) * 1e6, 1),
        "p95_us": round(ordered[int(len(ordered) * 0.95) - 1] * 1e6, 1),
    }


async def measure(reads: int, servers: int, data_dir: Path) -> dict[str, object]:
    settings = Settings(PIDE_AYUDA_DATA_DIR=data_dir)  # type: ignore[call-arg]
    db = open_database(settings)
    await db.upgrade()
    try:
        defaults = ServerConfig(cooldown_seconds=20.0)
        writer = ServerSettingsStore(db, defaults)
        for guild_id in range(1, servers + 1):
            await writer.update(guild_id, 1, cooldown_seconds=float(guild_id % 30))
        result: dict[str, object] = {"backend": db.engine.dialect.name, "servers": servers}
        for name, ttl in (("database_read", 0.0), ("cache_hit", 3600.0)):
            store = ServerSettingsStore(db, defaults, ttl_seconds=ttl)
            for guild_id in range(1, servers + 1):
                await store.get(guild_id)  # warm the pool (and the cache for cache_hit)
            samples = []
            for i in range(reads):
                started = time.perf_counter()
                await store.get(1 + i % servers)
                samples.append(time.perf_counter() - started)
            result[name] = percentiles(samples)
        return result
    finally:
        await db.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--servers", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        result = asyncio.run(measure(args.reads, args.servers, Path(folder)))
    result["machine"] = (
        f"{platform.processor() or platform.machine()}, python {platform.python_version()}"
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
