"""A locked, read-only or newer-schema database: clear errors, nothing half-done."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from bot.config import Settings
from store.db import Database
from store.errors import DatabaseLockedError, DatabaseReadOnlyError, SchemaTooNewError
from store.records import AskContext
from store.repository import QALog
from tests.store.conftest import make_answer, sqlite_path

CTX = AskContext(surface="cli", user_id=5)


@pytest.fixture
def write_lock(db: Database, settings: Settings) -> Iterator[sqlite3.Connection]:
    """Hold the write lock from another connection, as a second process would."""
    other = sqlite3.connect(sqlite_path(settings), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield other
    other.close()


@pytest.mark.sqlite_only
async def test_a_locked_database_fails_record_quietly_then_recovers(
    settings: Settings, write_lock: sqlite3.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database(settings.sqlalchemy_url, settings, busy_timeout_ms=50)
    qalog = QALog(db)
    try:
        with caplog.at_level(logging.ERROR, logger="store.repository"):
            assert await qalog.record(make_answer(), CTX) is None
        assert "locked" in caplog.text
        with pytest.raises(DatabaseLockedError, match="locked by another process"):
            await qalog.set_opt_out(5, True)
        write_lock.execute("ROLLBACK")
        assert await qalog.record(make_answer(), CTX) is not None
    finally:
        await db.aclose()


@pytest.mark.sqlite_only
async def test_a_read_only_database_is_reported(
    db: Database, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    assert await QALog(db).record(make_answer(), CTX) is not None
    await db.aclose()  # checkpoint the WAL so the file alone holds the data
    read_only = f"sqlite+aiosqlite:///file:{sqlite_path(settings)}?mode=ro&uri=true"
    ro_db = Database(read_only, settings)
    qalog = QALog(ro_db)
    try:
        await ro_db.upgrade()  # already at head: nothing to write
        with caplog.at_level(logging.ERROR, logger="store.repository"):
            assert await qalog.record(make_answer(), CTX) is None
        assert "read-only" in caplog.text
        with pytest.raises(DatabaseReadOnlyError, match="writable"):
            await qalog.set_opt_out(5, True)
        assert (await qalog.stats()).total == 1
    finally:
        await ro_db.aclose()


async def test_a_database_from_a_newer_schema_is_refused(db: Database) -> None:
    async with db.engine.begin() as connection:
        await connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(SchemaTooNewError, match="newer version"):
        await db.upgrade()
    with pytest.raises(SchemaTooNewError):
        await db.downgrade("base")
    assert await db.current() == "9999_future"
