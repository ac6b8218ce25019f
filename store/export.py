"""Export logged pairs as an instruction dataset, atomically, into a folder with one dataset card.

A folder may hold several exports (e.g. `qa.jsonl` and `qa.parquet`): its README.md describes
every data file in it. What the card says about each file is kept in a small manifest beside it,
so a later export adds its file to the card, and exporting the same file again replaces its entry.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy.exc import SQLAlchemyError

from store.card import ExportSummary, FileEntry, render_card
from store.db import Database
from store.errors import translate
from store.export_folder import CARD_NAME, MANIFEST_NAME, ExportError, ExportFolder
from store.export_rows import ExportFilters, describe_filters, iter_batches
from store.models import utcnow
from store.writers import open_writer

ExportFormat = Literal["jsonl", "alpaca", "csv", "parquet"]
FORMATS: tuple[ExportFormat, ...] = ("jsonl", "alpaca", "csv", "parquet")

__all__ = ["FORMATS", "ExportError", "ExportFilters", "ExportReport", "export_pairs"]


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What an export wrote."""

    path: Path
    card_path: Path
    rows: int
    summary: ExportSummary
    files_in_card: int


def _check_target(fmt: str, out: Path, overwrite: bool) -> None:
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if out.name in (CARD_NAME, MANIFEST_NAME):
        raise ExportError(f"{out} is where the dataset card goes; pick another name")
    if out.is_dir():
        raise ExportError(f"{out} is a directory; give a file path such as {out / 'pairs.jsonl'}")
    if out.exists() and not overwrite:
        raise ExportError(f"{out} already exists; choose another path or pass --force")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(
            f"cannot create {out.parent} ({error.strerror}); pick another path"
        ) from error
    if not os.access(out.parent, os.W_OK):
        raise ExportError(f"{out.parent} is not writable; pick another path")


def _temp_beside(path: Path) -> Path:
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    return Path(name)


async def _write_data(
    db: Database, fmt: str, temp: Path, filters: ExportFilters, salt: bytes
) -> ExportSummary:
    summary = ExportSummary()
    writer = await asyncio.to_thread(open_writer, fmt, temp)
    try:
        async for rows in iter_batches(db, filters, salt):
            await asyncio.to_thread(writer.write, rows)
            summary.add(rows)
    finally:
        await asyncio.to_thread(writer.close)
    return summary


def _publish(data: Path, out: Path, entry: FileEntry, overwrite: bool) -> int:
    """Move the data file in place and rewrite the card and manifest; return files described."""
    folder = ExportFolder(out.parent)
    with folder.locked():
        entries = folder.entries(overwrite)
        entries = [e for e in entries if e.name != entry.name and (out.parent / e.name).exists()]
        entries = sorted([*entries, entry], key=lambda e: e.name)
        folder.commit(data, out, entries, render_card(entries))
    return len(entries)


async def export_pairs(
    db: Database,
    fmt: ExportFormat,
    out: Path,
    filters: ExportFilters,
    *,
    salt: bytes,
    overwrite: bool = False,
) -> ExportReport:
    """Write the pairs matching `filters` to `out` and describe it in the folder's card.

    `salt` keys the pseudonyms of askers (see `store.pseudonym.load_salt`).
    """
    _check_target(fmt, out, overwrite)
    ExportFolder(out.parent).entries(overwrite)  # refuse a foreign README.md before the work
    temp: Path | None = None
    try:
        temp = _temp_beside(out)
        summary = await _write_data(db, fmt, temp, filters, salt)
        made_at = utcnow().isoformat(timespec="seconds")
        entry = FileEntry.of(out.name, fmt, summary, describe_filters(filters), made_at)
        described = await asyncio.to_thread(_publish, temp, out, entry, overwrite)
    except SQLAlchemyError as error:
        raise translate(error, "exporting") from error
    except OSError as error:
        raise ExportError(
            f"cannot write {out} ({error.strerror or error}); pick another path"
        ) from error
    finally:
        if temp is not None:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
    card = out.parent / CARD_NAME
    return ExportReport(
        path=out, card_path=card, rows=summary.rows, summary=summary, files_in_card=described
    )
