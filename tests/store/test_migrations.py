"""Migrations: a blank database upgrades to exactly the models, and downgrades to nothing."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import store.handoffs
import store.server_settings
import store.solution_records  # noqa: F401  (its model is on Base too)
from bot.config import Settings
from bot.storage import open_database
from store.db import Database, alembic_config
from store.models import Base


def _diff(connection: sa.Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: sa.Connection) -> set[str]:
    return set(sa.inspect(connection).get_table_names())


async def test_blank_database_upgrades_to_the_models(settings: Settings) -> None:
    database = open_database(settings)
    try:
        assert await database.current() is None
        await database.upgrade()
        assert (
            await database.current()
            == ScriptDirectory.from_config(alembic_config()).get_current_head()
        )
        async with database.engine.connect() as connection:
            assert await connection.run_sync(_diff) == []
    finally:
        await database.aclose()


async def test_upgrade_is_idempotent_and_downgrade_removes_every_table(db: Database) -> None:
    await db.upgrade()
    await db.downgrade("base")
    assert await db.current() is None
    async with db.engine.connect() as connection:
        assert await connection.run_sync(_tables) == {"alembic_version"}
    await db.upgrade()
    async with db.engine.connect() as connection:
        assert {"qa_pairs", "pair_sources", "feedback", "opt_outs"} <= await connection.run_sync(
            _tables
        )


@pytest.mark.sqlite_only
async def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(db: Database) -> None:
    async with db.engine.connect() as connection:
        mode = await connection.scalar(sa.text("PRAGMA journal_mode"))
        timeout = await connection.scalar(sa.text("PRAGMA busy_timeout"))
        foreign_keys = await connection.scalar(sa.text("PRAGMA foreign_keys"))
    assert (mode, foreign_keys) == ("wal", 1)
    assert timeout is not None and timeout >= 1000


async def test_mentor_answers_move_to_their_table_and_back(db: Database) -> None:
    await db.downgrade("0004")
    async with db.engine.begin() as connection:
        await connection.execute(
            sa.text(
                "INSERT INTO handoffs (pair_key, thread_id, opened_at, answered_at, mentor_id,"
                " answer_messages) VALUES ('q', 7, :opened, :answered, 42, :messages)"
            ),
            {
                "opened": datetime(2026, 12, 1, 9),
                "answered": datetime(2026, 12, 1, 10),
                "messages": '{"10": "R"}',
            },
        )
    await db.upgrade()
    moved = "SELECT mentor_id, messages, started_at, closed_at FROM mentor_answers"
    async with db.engine.connect() as connection:
        (row,) = (await connection.execute(sa.text(moved))).all()
    assert (row[0], json.loads(row[1]) if isinstance(row[1], str) else row[1]) == (42, {"10": "R"})
    assert str(row[2]).startswith("2026-12-01 10:00") and row[3] is None
    await db.downgrade("0004")
    back = "SELECT mentor_id, answered_at, answer_messages FROM handoffs"
    async with db.engine.connect() as connection:
        (row,) = (await connection.execute(sa.text(back))).all()
    assert row[0] == 42 and str(row[1]).startswith("2026-12-01 10:00")
    assert (json.loads(row[2]) if isinstance(row[2], str) else row[2]) == {"10": "R"}
    await db.upgrade()
