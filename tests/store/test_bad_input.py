"""A locked, read-only or newer-schema database: clear errors, nothing half-done."""

from __future__ import annotations

import logging
import sqlite3

import pytest
import sqlalchemy as sa

from bot.config import Settings
from store.db import Database
from store.errors import DatabaseLockedError, DatabaseReadOnlyError, SchemaTooNewError
from store.privacy import PrivacyLog
from store.recording import PairRecorder
from store.records import AskContext
from store.review import ReviewLog
from store.spool import SPOOL_FILE
from tests.store.conftest import QALog, make_answer, sqlite_path

CTX = AskContext(surface="cli", user_id=5)


@pytest.mark.sqlite_only
async def test_a_locked_database_raises_a_clear_error_for_direct_writes(
    settings: Settings, write_lock: sqlite3.Connection
) -> None:
    db = Database(settings.sqlalchemy_url, busy_timeout_ms=50)
    try:
        with pytest.raises(DatabaseLockedError, match="locked by another process"):
            await PrivacyLog(db, PairRecorder(db, settings.data_dir / SPOOL_FILE)).set_opt_out(
                5, True
            )
    finally:
        await db.aclose()


@pytest.mark.sqlite_only
async def test_a_read_only_database_is_reported_and_the_question_spooled(
    db: Database, qalog: QALog, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    assert await qalog.record(make_answer(), CTX) is not None
    await db.aclose()  # checkpoint the WAL so the file alone holds the data
    read_only = f"sqlite+aiosqlite:///file:{sqlite_path(settings)}?mode=ro&uri=true"
    ro_db = Database(read_only)
    recorder = PairRecorder(ro_db, settings.data_dir / SPOOL_FILE, replay_seconds=3600)
    try:
        await ro_db.upgrade()  # already at head: nothing to write
        with caplog.at_level(logging.WARNING, logger="store.recording"):
            await recorder.open("¿Solo lectura?", CTX)
            await recorder.flush()
        assert "read-only" in caplog.text and recorder.pending() == 1
        with pytest.raises(DatabaseReadOnlyError, match="writable"):
            await PrivacyLog(ro_db, recorder).set_opt_out(5, True)
        assert (await ReviewLog(ro_db).stats()).total == 1
    finally:
        await recorder.aclose()
        await ro_db.aclose()


async def test_a_database_from_a_newer_schema_is_refused(db: Database) -> None:
    async with db.engine.begin() as connection:
        await connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(SchemaTooNewError, match="newer version"):
        await db.upgrade()
    with pytest.raises(SchemaTooNewError):
        await db.downgrade("base")
    assert await db.current() == "9999_future"
