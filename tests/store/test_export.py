"""Exports (dataset folder, CSV) read back with the tools a user would use; filters; pseudonyms."""

from __future__ import annotations

import csv
import json
import stat
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from bot.config import Settings
from bot.storage import export_salt
from store.db import Database
from store.errors import StoreError
from store.export_card import data_path
from store.export_dataset import DatasetReport, ExportError, export_csv, export_dataset
from store.export_rows import ExportFilters
from store.models import QAPair
from store.records import AskContext
from tests.store.conftest import QALog, make_answer

SALT = b"a test salt"

ALICE, BOB, MOD = 381234567890123456, 381234567890654321, 381234567890999999
GUILD_A, GUILD_B = 991234567890123456, 991234567890654321
CHANNEL, MESSAGE = 551234567890123456, 771234567890123456
RAW_IDS = (ALICE, BOB, MOD, GUILD_A, GUILD_B, CHANNEL, MESSAGE)


@dataclass
class Log:
    answered: int
    approved: int
    edited: int
    rejected: int
    failed: int
    refused_b: int
    old: int


async def _add(qalog: QALog, user: int, guild: int, surface: str = "slash", **kw: Any) -> int:
    context = AskContext(
        surface=surface,  # type: ignore[arg-type]
        user_id=user,
        guild_id=guild,
        channel_id=CHANNEL,
        message_id=MESSAGE,
    )
    pair_id = await qalog.record(make_answer(**kw), context)
    assert pair_id is not None
    return pair_id


@pytest.fixture
async def log(db: Database, qalog: QALog) -> Log:
    ids = Log(
        answered=await _add(qalog, ALICE, GUILD_A, question="¿Qué es RAG?", talks=("Charla A",)),
        approved=await _add(qalog, BOB, GUILD_A, surface="mention", question="¿Quién habló?"),
        edited=await _add(qalog, ALICE, GUILD_A, question="¿Cómo anoto?", text="mal"),
        rejected=await _add(qalog, BOB, GUILD_A, question="spam"),
        failed=await _add(qalog, ALICE, GUILD_A, status="error", talks=()),
        refused_b=await _add(qalog, BOB, GUILD_B, status="refused", question="¿Fútbol?"),
        old=await _add(qalog, ALICE, GUILD_A, surface="cli", question="¿Antigua?"),
    )
    await qalog.review(ids.approved, "approved", MOD)
    await qalog.review(ids.edited, "edited", MOD, edited_answer="Con Argilla, así: ✓")
    await qalog.review(ids.rejected, "rejected", MOD)
    await qalog.vote(ids.answered, BOB, 1)
    await qalog.vote(ids.answered, MOD, 1)
    await qalog.vote(ids.approved, ALICE, -1)
    async with db.sessions.begin() as session:
        await session.execute(
            sa.update(QAPair)
            .where(QAPair.id == ids.old)
            .values(created_at=datetime(2024, 4, 1, 12, tzinfo=UTC))
        )
    return ids


# (how the export is written, which file of it is read): the configs of a dataset folder, or the CSV
TARGETS = [
    ("jsonl", "messages"),
    ("jsonl", "alpaca"),
    ("parquet", "messages"),
    ("parquet", "alpaca"),
    ("csv", "csv"),
]


def _read(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".parquet":
        return list(pq.read_table(path).to_pylist())
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _qa(config: str, row: dict[str, Any]) -> tuple[str, str]:
    if config == "messages":
        user, assistant = row["messages"]
        assert (user["role"], assistant["role"]) == ("user", "assistant")
        return user["content"], assistant["content"]
    if config == "alpaca":
        assert row["input"] == ""
        return row["instruction"], row["output"]
    return row["question"], row["answer"]


async def _write(
    db: Database, fmt: str, out: Path, filters: ExportFilters, salt: bytes, **kw: Any
) -> DatasetReport:
    """Export as `pide-ayuda export --format fmt --out out` does."""
    if fmt == "csv":
        return await export_csv(db, out, filters, salt=salt, **kw)
    return await export_dataset(db, out, filters, salt=salt, fmt=fmt, **kw)  # type: ignore[arg-type]


def _data(fmt: str, out: Path, config: str) -> Path:
    return out if fmt == "csv" else out / data_path(config, fmt)


async def _export(
    db: Database, tmp_path: Path, fmt: str = "jsonl", salt: bytes = SALT, **filters: Any
) -> list[Any]:
    out = tmp_path / "out" / ("pairs.csv" if fmt == "csv" else "pairs")
    report = await _write(db, fmt, out, ExportFilters(**filters), salt, overwrite=True)
    config = "csv" if fmt == "csv" else "messages"
    path = _data(fmt, out, config)
    rows = _read(path) if path.exists() else []  # a config without rows has no file
    assert report.rows[config] == len(rows)
    return rows


@pytest.mark.parametrize(("fmt", "config"), TARGETS)
async def test_each_format_round_trips(
    db: Database, log: Log, tmp_path: Path, fmt: str, config: str
) -> None:
    out = tmp_path / "exports" / ("pairs.csv" if fmt == "csv" else "pairs")
    report = await _write(db, fmt, out, ExportFilters(), SALT)
    rows = _read(_data(fmt, out, config))
    assert report.rows[config] == len(rows)
    by_id = {int(row["id"]): row for row in rows}
    # Default: everything except rejected and failed pairs.
    assert set(by_id) == {log.answered, log.approved, log.edited, log.refused_b, log.old}
    assert _qa(config, by_id[log.edited]) == ("¿Cómo anoto?", "Con Argilla, así: ✓")
    assert _qa(config, by_id[log.answered])[0] == "¿Qué es RAG?"
    first = by_id[log.answered]
    sources = json.loads(first["sources"]) if fmt == "csv" else first["sources"]
    assert [s["title"] for s in sources] == ["Charla A"]
    assert (str(first["feedback_up"]), str(first["feedback_down"])) == ("2", "0")
    assert first["model"] == "test-model" and first["created_at"].startswith("20")
    assert str(by_id[log.edited]["edited"]).lower() == "true"
    if fmt == "csv":  # one spreadsheet file, nothing beside it
        assert [p.name for p in out.parent.iterdir()] == [out.name]
        return
    card = (out / "README.md").read_text(encoding="utf-8")
    assert f"`{data_path(config, fmt)}`, {len(rows)} rows" in card
    assert "Apache-2.0" in card and "Charla A" in card
    assert sorted(p.name for p in out.iterdir()) == [".pide-ayuda-export.json", "README.md", "data"]


async def test_askers_are_salted_pseudonyms_never_raw_ids(
    db: Database, log: Log, tmp_path: Path, settings: Settings
) -> None:
    for fmt in ("jsonl", "csv", "parquet"):
        out = tmp_path / fmt / ("pairs.csv" if fmt == "csv" else "pairs")
        filters = ExportFilters(statuses=("pending", "approved"))
        await _write(db, fmt, out, filters, export_salt(settings))
        for path in (p for p in (tmp_path / fmt).rglob("*") if p.is_file()):
            content = path.read_bytes()
            for raw in RAW_IDS:
                assert str(raw).encode() not in content, (path.name, raw)
    messages = _read(tmp_path / "jsonl" / "pairs" / "data" / "messages.jsonl")
    rows = {row["id"]: row for row in messages}
    assert rows[log.answered]["asker"] == rows[log.edited]["asker"]  # both Alice
    assert rows[log.answered]["asker"] != rows[log.approved]["asker"]
    salt_file = settings.data_dir / "export_salt"
    assert stat.S_IMODE(salt_file.stat().st_mode) == 0o600


async def test_a_configured_salt_changes_the_pseudonyms(
    db: Database, log: Log, tmp_path: Path
) -> None:
    generated = {r["id"]: r["asker"] for r in await _export(db, tmp_path)}
    configured = {r["id"]: r["asker"] for r in await _export(db, tmp_path, salt=b"another salt")}
    assert generated.keys() == configured.keys()
    assert all(generated[k] != configured[k] for k in generated)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
async def test_filters(db: Database, log: Log, tmp_path: Path, fmt: str) -> None:
    async def ids(**filters: Any) -> set[int]:
        return {int(row["id"]) for row in await _export(db, tmp_path, fmt, **filters)}

    assert await ids(statuses=("approved",)) == {log.approved, log.edited}
    assert await ids(statuses=("edited",)) == {log.edited}
    assert await ids(statuses=("rejected",)) == {log.rejected}
    assert await ids(statuses=("error",)) == {log.failed}
    assert await ids(statuses=("refused", "answered"), guild_id=GUILD_B) == {log.refused_b}
    assert await ids(surface="mention") == {log.approved}
    assert await ids(min_score=1) == {log.answered}
    assert await ids(min_score=0) == {log.answered, log.edited, log.refused_b, log.old}
    assert await ids(until=datetime(2025, 1, 1, tzinfo=UTC)) == {log.old}
    recent = datetime.now(UTC) - timedelta(days=1)
    assert log.old not in await ids(since=recent)
    assert len(await ids(since=recent)) == 4
    with pytest.raises(ValueError, match="unknown status"):
        await ids(statuses=("bogus",))


async def test_an_existing_path_is_refused_and_kept(db: Database, log: Log, tmp_path: Path) -> None:
    out = tmp_path / "pairs.csv"
    out.write_text("precious\n", encoding="utf-8")
    with pytest.raises(ExportError, match="--force"):
        await export_csv(db, out, ExportFilters(), salt=SALT)
    assert out.read_text(encoding="utf-8") == "precious\n"
    await export_csv(db, out, ExportFilters(), salt=SALT, overwrite=True)
    assert len(_read(out)) == 5

    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("precious\n", encoding="utf-8")
    with pytest.raises(ExportError, match="--force"):
        await export_dataset(db, folder, ExportFilters(), salt=SALT, fmt="jsonl")
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    await export_dataset(db, folder, ExportFilters(), salt=SALT, fmt="jsonl", overwrite=True)
    assert len(_read(folder / "data" / "messages.jsonl")) == 5


async def test_bad_targets_and_formats(db: Database, log: Log, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ExportError, match="cannot create"):
        await export_dataset(db, blocker / "sub" / "pairs", ExportFilters(), salt=SALT)
    with pytest.raises(ExportError, match="cannot write"):
        await export_csv(db, blocker / "sub" / "pairs.csv", ExportFilters(), salt=SALT)
    with pytest.raises(ExportError, match="unknown dataset format"):
        await export_dataset(db, tmp_path / "p", ExportFilters(), salt=SALT, fmt="xlsx")  # type: ignore[arg-type]
    with pytest.raises(ExportError, match="is a folder"):
        await export_csv(db, tmp_path, ExportFilters(), salt=SALT)
    with pytest.raises(ExportError, match="is a file"):
        await export_dataset(db, blocker, ExportFilters(), salt=SALT)
    assert blocker.read_text(encoding="utf-8") == "x"


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
async def test_a_failed_export_leaves_nothing_behind(
    db: Database, log: Log, tmp_path: Path, fmt: str
) -> None:
    await db.downgrade("base")
    target = tmp_path / "exports"
    with pytest.raises(StoreError):
        await _write(
            db, fmt, target / ("pairs.csv" if fmt == "csv" else "pairs"), ExportFilters(), SALT
        )
    assert list(target.iterdir()) == []


async def test_an_empty_salt_file_is_refused_not_used_as_an_empty_key(
    db: Database, log: Log, tmp_path: Path, settings: Settings
) -> None:
    (settings.data_dir / "export_salt").write_text("\n", encoding="utf-8")
    with pytest.raises(StoreError, match="export_salt is empty"):
        export_salt(settings)
