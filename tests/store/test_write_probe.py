"""The health probe commits a real write: it fails when writes fail, and leaves one row."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from store.db import Database
from store.models import WriteProbe
from store.write_probe import can_write
from tests.store.conftest import sqlite_path


async def test_the_probe_commits_its_row(db: Database, settings: Settings) -> None:
    assert await can_write(db)
    assert await can_write(db)
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(WriteProbe)) == 1


@pytest.mark.sqlite_only
async def test_the_probe_write_reaches_the_file(db: Database, settings: Settings) -> None:
    with sqlite3.connect(sqlite_path(settings)) as other:
        (before,) = other.execute("SELECT written_at FROM write_probes").fetchone()
    assert await can_write(db)
    with sqlite3.connect(sqlite_path(settings)) as other:  # another connection sees it committed
        (after,) = other.execute("SELECT written_at FROM write_probes").fetchone()
    assert after != before


@pytest.mark.sqlite_only
async def test_the_probe_fails_while_another_writer_holds_the_database(
    db: Database, settings: Settings
) -> None:
    quick = Database(settings.sqlalchemy_url, busy_timeout_ms=100)
    holder = sqlite3.connect(sqlite_path(settings))
    try:
        holder.execute("BEGIN EXCLUSIVE")
        assert not await can_write(quick)
        holder.rollback()
        assert await can_write(quick)
    finally:
        holder.close()
        await quick.aclose()
