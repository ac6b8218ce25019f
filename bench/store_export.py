"""Measure `pide-ayuda export`: wall time and peak memory (RSS) exporting N pairs per format.

Usage:
    python -m bench.store_export [--pairs 100000] [--formats parquet jsonl csv]

Generates N pairs (3 sources each with a ~700-character passage, votes on a third of them, 5 %
edited, and one moderator answer to a question the bot answered per 100 pairs) in a temporary
SQLite database, then exports each format in a fresh child process so that the child's peak RSS
(ru_maxrss) is the export's own; a child that only opens the database gives the baseline.
`parquet` and `jsonl` write the dataset folder (configs messages, alpaca, preferences); `csv`
writes the spreadsheet file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bot.config import Settings
from bot.storage import open_database
from store.export_dataset import export_csv, export_dataset
from store.export_rows import ExportFilters
from store.models import Feedback, PairSource, QAPair

SALT = b"a test salt"

BATCH = 5000


def settings_for(folder: Path) -> Settings:
    return Settings.model_validate({"PIDE_AYUDA_DATA_DIR": folder, "EXPORT_SALT": "bench"})


def pair_rows(start: int, stop: int) -> list[dict[str, Any]]:
    base = datetime(2024, 4, 1, tzinfo=UTC)
    return [
        {
            "id": i,
            "created_at": base + timedelta(seconds=i),
            "updated_at": base + timedelta(seconds=i),
            # every 100th pair is a moderator's answer to the question of the pair before it
            "question": f"¿Pregunta {i - (i % 100 == 0)} sobre las charlas del hackatón?",
            "answer": "Según la charla, la respuesta es esta [1]. " * 20,
            "provenance": "moderator" if i % 100 == 0 else "bot",
            "status": "answered",
            "mode": "llm",
            "model": "bench-model",
            "endpoint": "http://127.0.0.1:8000/v1",
            "timings": {"total": 2.0},
            "surface": "slash",
            "user_id": 10**17 + i % 2000,
            "guild_id": 10**17,
            "review_state": "edited" if i % 20 == 0 else "pending",
            "edited_answer": "Respuesta corregida." if i % 20 == 0 else None,
        }
        for i in range(start, stop)
    ]


async def generate(folder: Path, pairs: int) -> None:
    db = open_database(settings_for(folder))
    await db.upgrade()
    async with db.engine.begin() as connection:
        for start in range(1, pairs + 1, BATCH):
            stop = min(start + BATCH, pairs + 1)
            await connection.execute(sa.insert(QAPair), pair_rows(start, stop))
            sources = [
                {
                    "pair_id": i,
                    "rank": r,
                    "talk_id": f"talk-{r}",
                    "chunk_id": f"talk-{r}-{i % 40}",
                    "title": f"Charla {r}",
                    "author": f"Autora {r}",
                    "quote": "cita literal de la charla " * 8,
                    "text": "pasaje completo de la transcripción de la charla " * 14,
                    "score": 0.8,
                }
                for i in range(start, stop)
                for r in range(3)
            ]
            await connection.execute(sa.insert(PairSource), sources)
            votes = [
                {"pair_id": i, "user_id": 7, "value": 1 if i % 2 else -1}
                for i in range(start, stop)
                if i % 3 == 0
            ]
            await connection.execute(sa.insert(Feedback), votes)
    await db.aclose()


async def export_once(folder: Path, fmt: str) -> dict[str, Any]:
    db = open_database(settings_for(folder))
    out = folder / "exports" / fmt
    start = time.perf_counter()
    if fmt == "csv":
        out = out.with_suffix(".csv")
        report = await export_csv(db, out, ExportFilters(), salt=SALT, overwrite=True)
    else:
        report = await export_dataset(db, out, ExportFilters(), salt=SALT, fmt=fmt)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    await db.aclose()
    files = [out] if out.is_file() else [p for p in out.rglob("*") if p.is_file()]
    rows = report.rows.get("messages", report.rows.get("csv", 0))
    return {
        "format": fmt,
        "rows": report.rows,
        "seconds": round(elapsed, 2),
        "pairs_per_second": round(rows / elapsed),
        "written_mb": round(sum(p.stat().st_size for p in files) / 1e6, 1),
    }


def child(folder: Path, fmt: str) -> None:
    if fmt == "baseline":
        result: dict[str, Any] = {"format": "baseline (open the database only)"}

        async def open_only() -> None:
            db = open_database(settings_for(folder))
            async with db.sessions() as session:
                await session.scalar(sa.select(sa.func.count()).select_from(QAPair))
            await db.aclose()

        asyncio.run(open_only())
    else:
        result = asyncio.run(export_once(folder, fmt))
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--formats", nargs="+", default=["parquet", "jsonl", "csv"])
    parser.add_argument("--child", nargs=2, metavar=("FOLDER", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.child[1])
        return
    print(f"# {platform.machine()} {os.cpu_count()} cpus, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="store-export-") as name:
        folder = Path(name)
        start = time.perf_counter()
        asyncio.run(generate(folder, args.pairs))
        print(f"# generated {args.pairs} pairs in {time.perf_counter() - start:.1f} s")
        for fmt in ["baseline", *args.formats]:
            command = [sys.executable, __file__, "--child", str(folder), fmt]
            print(
                subprocess.run(command, check=True, capture_output=True, text=True).stdout, end=""
            )


if __name__ == "__main__":
    main()
