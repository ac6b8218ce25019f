"""Export logged pairs as an instruction dataset, atomically, with a dataset card beside it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlalchemy.exc import SQLAlchemyError

from store.card import ExportSummary, render_card
from store.db import Database
from store.errors import StoreError, translate
from store.export_rows import ExportFilters, iter_batches
from store.models import utcnow
from store.writers import open_writer

ExportFormat = Literal["jsonl", "alpaca", "csv", "parquet"]
FORMATS: tuple[ExportFormat, ...] = ("jsonl", "alpaca", "csv", "parquet")
CARD_NAME = "README.md"

__all__ = ["FORMATS", "ExportError", "ExportFilters", "ExportReport", "export_pairs"]


class ExportError(StoreError):
    """The export cannot be written where or how it was asked."""


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What an export wrote."""

    path: Path
    card_path: Path
    rows: int
    summary: ExportSummary


def _check_target(fmt: str, out: Path, overwrite: bool) -> Path:
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    card = out.parent / CARD_NAME
    if out.name == CARD_NAME:
        raise ExportError(f"{out} would be overwritten by the dataset card; pick another name")
    if out.is_dir():
        raise ExportError(f"{out} is a directory; give a file path such as {out / 'pairs.jsonl'}")
    for path in (out, card):
        if path.exists() and not overwrite:
            raise ExportError(f"{path} already exists; choose another path or pass --force")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(
            f"cannot create {out.parent} ({error.strerror}); pick another path"
        ) from error
    if not os.access(out.parent, os.W_OK):
        raise ExportError(f"{out.parent} is not writable; pick another path")
    return card


def _describe(filters: ExportFilters) -> str:
    parts = []
    for key, value in asdict(filters).items():
        if value in (None, ()):
            continue
        shown = value.isoformat() if isinstance(value, datetime) else value
        parts.append(f"{key}={','.join(shown) if isinstance(shown, tuple) else shown}")
    return "; ".join(parts) or (
        "none (every pair the user saw, except rejected, error, cancelled and interrupted ones)"
    )


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


async def export_pairs(
    db: Database,
    fmt: ExportFormat,
    out: Path,
    filters: ExportFilters,
    *,
    salt: bytes,
    overwrite: bool = False,
) -> ExportReport:
    """Write the pairs matching `filters` to `out` and a dataset card beside it.

    `salt` keys the pseudonyms of askers (see `store.pseudonym.load_salt`).
    """
    card = _check_target(fmt, out, overwrite)
    temps: list[Path] = []
    try:
        temps.append(_temp_beside(out))
        summary = await _write_data(db, fmt, temps[0], filters, salt)
        text = render_card(summary, fmt, out.name, _describe(filters), utcnow())
        temps.append(_temp_beside(card))
        await asyncio.to_thread(temps[1].write_text, text, encoding="utf-8")
        os.replace(temps[0], out)
        os.replace(temps[1], card)
    except SQLAlchemyError as error:
        raise translate(error, "exporting") from error
    except OSError as error:
        raise ExportError(
            f"cannot write {out} ({error.strerror or error}); pick another path"
        ) from error
    finally:
        for temp in temps:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
    return ExportReport(path=out, card_path=card, rows=summary.rows, summary=summary)
