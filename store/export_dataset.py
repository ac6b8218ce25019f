"""Export the log as a Hugging Face dataset folder (configs messages, alpaca, preferences) or a CSV.

The folder is written whole beside its target and swapped in by rename, so a reader sees the
previous export or the new one, never a mix. Rows stream in batches (bounded memory): one pass
over the pairs feeds `messages`, `alpaca` and the edit preferences; a second pass adds the
preferences from people's answers. A config without rows is left out of the card's `configs`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.exc import SQLAlchemyError

from store.db import Database
from store.errors import translate
from store.export_card import CONFIGS, DatasetSummary, data_path, render_dataset_card
from store.export_folder import CARD_NAME, DatasetFolder, ExportError
from store.export_preferences import DatasetOptions, edit_preference, iter_human_preferences
from store.export_rows import ExportFilters, describe_filters, iter_batches
from store.models import utcnow
from store.writers import CsvWriter, Writer, open_config_writer

DatasetFormat = Literal["parquet", "jsonl"]
DATASET_FORMATS: tuple[DatasetFormat, ...] = ("parquet", "jsonl")

__all__ = [
    "DATASET_FORMATS",
    "DatasetOptions",
    "DatasetReport",
    "ExportError",
    "export_csv",
    "export_dataset",
]


@dataclass(frozen=True, slots=True)
class DatasetReport:
    """What an export wrote: the folder (or CSV file) and its rows per config."""

    path: Path
    rows: dict[str, int]
    configs: list[str]


def _describe_options(options: DatasetOptions) -> str:
    citations = "`[n]` markers stripped" if options.strip_citations else "`[n]` markers kept"
    extractive = "included" if options.include_extractive else "left out of messages/alpaca"
    return f"{citations}; extractive answers {extractive}"


def _shape(row: dict[str, Any], options: DatasetOptions) -> dict[str, Any]:
    return {**row, "answer": options.text(row["answer"])}


class _Writers:
    """One open writer per config, called from a worker thread."""

    def __init__(self, fmt: str, folder: Path) -> None:
        (folder / "data").mkdir()
        self.paths = {name: folder / data_path(name, fmt) for name in CONFIGS}
        self.open: dict[str, Writer] = {}
        for name in CONFIGS:
            self.open[name] = open_config_writer(fmt, name, self.paths[name])

    def write(self, batches: dict[str, list[dict[str, Any]]]) -> None:
        for name, rows in batches.items():
            self.open[name].write(rows)

    def close(self) -> None:
        for writer in self.open.values():
            writer.close()


async def _write_configs(
    db: Database,
    fmt: str,
    folder: Path,
    filters: ExportFilters,
    salt: bytes,
    options: DatasetOptions,
) -> DatasetSummary:
    summary = DatasetSummary()
    writers = await asyncio.to_thread(_Writers, fmt, folder)
    try:
        async for rows in iter_batches(db, filters, salt):
            kept = [r for r in rows if options.include_extractive or r["mode"] != "extractive"]
            summary.extractive_left_out += len(rows) - len(kept)
            pairs = [_shape(r, options) for r in kept]
            edits = [p for p in (edit_preference(r, options) for r in rows) if p is not None]
            await asyncio.to_thread(
                writers.write, {"messages": pairs, "alpaca": pairs, "preferences": edits}
            )
            summary.add_pairs(pairs)
            summary.add_preferences(edits)
        async for prefs in iter_human_preferences(db, filters, salt, options):
            await asyncio.to_thread(writers.write, {"preferences": prefs})
            summary.add_preferences(prefs)
    finally:
        await asyncio.to_thread(writers.close)
    for name, path in writers.paths.items():
        if not summary.rows[name]:
            path.unlink()
    return summary


async def export_dataset(
    db: Database,
    out: Path,
    filters: ExportFilters,
    *,
    salt: bytes,
    fmt: DatasetFormat = "parquet",
    options: DatasetOptions | None = None,
    overwrite: bool = False,
) -> DatasetReport:
    """Write the dataset folder `out` (replacing an earlier export of it) with its card."""
    if fmt not in DATASET_FORMATS:
        raise ExportError(f"unknown dataset format {fmt!r}; use parquet or jsonl (or csv)")
    options = options or DatasetOptions()
    folder = DatasetFolder(out)
    folder.check(overwrite)
    staged: Path | None = None
    try:
        staged = await asyncio.to_thread(folder.stage)
        summary = await _write_configs(db, fmt, staged, filters, salt, options)
        loadable = [name for name in CONFIGS if summary.rows[name]]
        made = utcnow().isoformat(timespec="seconds")
        card = render_dataset_card(
            summary, fmt, loadable, describe_filters(filters), _describe_options(options), made
        )
        await asyncio.to_thread((staged / CARD_NAME).write_text, card, "utf-8")
        manifest = {"format": fmt, "rows": summary.rows, "configs": loadable, "made_at": made}
        await asyncio.to_thread(folder.publish, staged, manifest)
    except SQLAlchemyError as error:
        raise translate(error, "exporting") from error
    except OSError as error:
        raise ExportError(f"cannot write {out} ({error.strerror or error})") from error
    finally:
        if staged is not None:
            shutil.rmtree(staged, ignore_errors=True)
    return DatasetReport(out, dict(summary.rows), loadable)


def _check_csv_target(out: Path, overwrite: bool) -> None:
    if out.is_dir():
        raise ExportError(f"{out} is a folder; give a file such as {out / 'pairs.csv'}")
    if out.exists() and not overwrite:
        raise ExportError(f"{out} already exists; choose another path or pass --force")


async def export_csv(
    db: Database,
    out: Path,
    filters: ExportFilters,
    *,
    salt: bytes,
    options: DatasetOptions | None = None,
    overwrite: bool = False,
) -> DatasetReport:
    """Write one spreadsheet-safe CSV file of the pairs (every mode), atomically."""
    options = options or DatasetOptions()
    _check_csv_target(out, overwrite)
    rows = 0
    temp: Path | None = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
        os.close(handle)
        temp = Path(name)
        writer = await asyncio.to_thread(CsvWriter, temp)
        try:
            async for batch in iter_batches(db, filters, salt):
                await asyncio.to_thread(writer.write, [_shape(r, options) for r in batch])
                rows += len(batch)
        finally:
            await asyncio.to_thread(writer.close)
        os.replace(temp, out)
    except SQLAlchemyError as error:
        raise translate(error, "exporting") from error
    except OSError as error:
        raise ExportError(f"cannot write {out} ({error.strerror or error})") from error
    finally:
        if temp is not None:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
    return DatasetReport(out, {"csv": rows}, [])
