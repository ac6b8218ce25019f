"""Export writers: each appends batches of records to one open file (Parquet, JSON Lines, CSV).

The record shapes (`messages`, `alpaca`, `preferences`) and their Arrow schemas live here, so a
Parquet file and a JSON Lines file of the same config hold the same fields.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

SOURCE_TYPE = pa.struct(
    [
        ("talk_id", pa.string()),
        ("title", pa.string()),
        ("speaker", pa.string()),
        ("text", pa.string()),
        ("chunk_id", pa.string()),
        ("score", pa.float64()),
    ]
)
MESSAGE_TYPE = pa.struct([("role", pa.string()), ("content", pa.string())])
MESSAGES_TYPE = pa.list_(MESSAGE_TYPE)
PROVENANCE_FIELDS: list[tuple[str, pa.DataType]] = [
    ("id", pa.int64()),
    ("edited", pa.bool_()),
    ("provenance", pa.string()),
    ("asker", pa.string()),
    ("created_at", pa.string()),
    ("status", pa.string()),
    ("review_state", pa.string()),
    ("mode", pa.string()),
    ("surface", pa.string()),
    ("model", pa.string()),
    ("feedback_up", pa.int64()),
    ("feedback_down", pa.int64()),
    ("sources", pa.list_(SOURCE_TYPE)),
]
PREFERENCE_FIELDS: list[tuple[str, pa.DataType]] = [
    ("prompt", MESSAGES_TYPE),
    ("chosen", MESSAGES_TYPE),
    ("rejected", MESSAGES_TYPE),
    ("id", pa.int64()),
    ("rejected_id", pa.int64()),
    ("chosen_provenance", pa.string()),
    ("asker", pa.string()),
    ("created_at", pa.string()),
    ("sources", pa.list_(SOURCE_TYPE)),
]
SCHEMAS: dict[str, pa.Schema] = {
    "messages": pa.schema([("messages", MESSAGES_TYPE), *PROVENANCE_FIELDS]),
    "alpaca": pa.schema(
        [
            ("instruction", pa.string()),
            ("input", pa.string()),
            ("output", pa.string()),
            *PROVENANCE_FIELDS,
        ]
    ),
    "preferences": pa.schema(PREFERENCE_FIELDS),
}
CSV_FIELDS = ["question", "answer"] + [name for name, _ in PROVENANCE_FIELDS]
# First characters that make a spreadsheet read a cell as a formula (OWASP, CSV Injection),
# with the full-width forms some spreadsheets also accept.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\0\uff1d\uff0b\uff0d\uff20")

Shape = Callable[[dict[str, Any]], dict[str, Any]]


class Writer(Protocol):
    """Appends rows to an export file."""

    def write(self, rows: list[dict[str, Any]]) -> None:
        """Append a batch of rows."""

    def close(self) -> None:
        """Flush and close the file."""


def _provenance(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row[name] for name, _ in PROVENANCE_FIELDS}


def chat_record(row: dict[str, Any]) -> dict[str, Any]:
    """Build the chat `messages` record (TRL SFT / `datasets.load_dataset("json")`)."""
    messages = [
        {"role": "user", "content": row["question"]},
        {"role": "assistant", "content": row["answer"]},
    ]
    return {"messages": messages, **_provenance(row)}


def alpaca_record(row: dict[str, Any]) -> dict[str, Any]:
    """Build the Alpaca instruction/input/output record."""
    return {
        "instruction": row["question"],
        "input": "",
        "output": row["answer"],
        **_provenance(row),
    }


def preference_record(row: dict[str, Any]) -> dict[str, Any]:
    """Keep a preference row (already in TRL's conversational prompt/chosen/rejected shape)."""
    return {name: row[name] for name, _ in PREFERENCE_FIELDS}


SHAPES: dict[str, Shape] = {
    "messages": chat_record,
    "alpaca": alpaca_record,
    "preferences": preference_record,
}


class JsonLinesWriter:
    """One JSON object per line, UTF-8, in the shape given."""

    def __init__(self, path: Path, shape: Shape) -> None:
        """Open the file for writing."""
        self._handle: IO[str] = path.open("w", encoding="utf-8")
        self._shape = shape

    def write(self, rows: list[dict[str, Any]]) -> None:
        """Append a batch of rows."""
        for row in rows:
            self._handle.write(json.dumps(self._shape(row), ensure_ascii=False) + "\n")

    def close(self) -> None:
        """Flush and close the file."""
        self._handle.close()


def neutralise_cell(value: Any) -> Any:
    """Prefix `'` to text a spreadsheet would evaluate, even after leading spaces; keep the rest."""
    if isinstance(value, str) and (
        value[:1] in FORMULA_TRIGGERS or value.lstrip()[:1] in FORMULA_TRIGGERS
    ):
        return "'" + value
    return value


class CsvWriter:
    """A flat table for spreadsheets: RFC 4180 quoting, formulas neutralised, sources as JSON."""

    def __init__(self, path: Path) -> None:
        """Open the file and write the header."""
        self._handle: IO[str] = path.open("w", encoding="utf-8", newline="")
        self._csv = csv.DictWriter(self._handle, fieldnames=CSV_FIELDS)
        self._csv.writeheader()

    def write(self, rows: list[dict[str, Any]]) -> None:
        """Append a batch of rows."""
        for row in rows:
            flat = {name: row[name] for name in CSV_FIELDS}
            flat["sources"] = json.dumps(row["sources"], ensure_ascii=False)
            self._csv.writerow({name: neutralise_cell(value) for name, value in flat.items()})

    def close(self) -> None:
        """Flush and close the file."""
        self._handle.close()


class ParquetRowGroupWriter:
    """Parquet with a fixed schema; each batch becomes one row group."""

    def __init__(self, path: Path, config: str) -> None:
        """Open the file with the config's schema."""
        self._schema = SCHEMAS[config]
        self._shape = SHAPES[config]
        self._writer = pq.ParquetWriter(str(path), self._schema, compression="zstd")

    def write(self, rows: list[dict[str, Any]]) -> None:
        """Append a batch of rows as a row group."""
        if rows:
            records = [self._shape(row) for row in rows]
            self._writer.write_table(pa.Table.from_pylist(records, schema=self._schema))

    def close(self) -> None:
        """Write the footer and close the file."""
        self._writer.close()


def open_config_writer(fmt: str, config: str, path: Path) -> Writer:
    """Open the writer of one config of a dataset folder, in Parquet or JSON Lines."""
    if fmt == "parquet":
        return ParquetRowGroupWriter(path, config)
    if fmt == "jsonl":
        return JsonLinesWriter(path, SHAPES[config])
    raise ValueError(f"unknown dataset format {fmt!r}; use parquet or jsonl")
