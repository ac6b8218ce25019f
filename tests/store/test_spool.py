"""A pair the database cannot take waits in the spool file and is committed later, never lost."""

from __future__ import annotations

import asyncio
import sqlite3
import stat

import pytest

from bot.config import Settings
from store.db import Database
from store.records import AskContext
from store.repository import QALog
from store.spool import SPOOL_FILE
from tests.store.conftest import make_answer, sqlite_path


async def _record_while_locked(settings: Settings, *contexts: AskContext) -> None:
    """Record pairs while another connection holds SQLite's write lock."""
    other = sqlite3.connect(sqlite_path(settings), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    db = Database(settings.sqlalchemy_url, settings, busy_timeout_ms=50)
    try:
        for number, context in enumerate(contexts):
            answer = make_answer(question=f"¿Pregunta bloqueada {number}?")
            assert await QALog(db).record(answer, context) is None
    finally:
        other.execute("ROLLBACK")
        other.close()
        await db.aclose()


def _questions(settings: Settings) -> list[str]:
    with sqlite3.connect(sqlite_path(settings)) as db:
        return [row[0] for row in db.execute("SELECT question FROM qa_pairs ORDER BY created_at")]


@pytest.mark.sqlite_only
async def test_a_pair_refused_by_a_locked_database_is_committed_by_the_next_record(
    db: Database, settings: Settings
) -> None:
    await _record_while_locked(settings, AskContext(surface="slash", user_id=7))
    spool = settings.data_dir / SPOOL_FILE
    assert spool.exists()
    assert stat.S_IMODE(spool.stat().st_mode) == 0o600  # it holds questions and user ids
    assert _questions(settings) == []

    assert await QALog(db).record(make_answer(question="¿Y ahora?"), AskContext("cli")) is not None
    assert _questions(settings) == ["¿Pregunta bloqueada 0?", "¿Y ahora?"]  # original time kept
    assert not spool.exists()


@pytest.mark.sqlite_only
async def test_spooled_pairs_are_replayed_at_start_and_keep_their_sources(
    db: Database, settings: Settings
) -> None:
    await _record_while_locked(settings, AskContext(surface="mention", user_id=8, guild_id=1))
    assert await QALog(db).replay_spool() == 1
    with sqlite3.connect(sqlite_path(settings)) as conn:
        surface, guild = conn.execute("SELECT surface, guild_id FROM qa_pairs").fetchone()
        (titles,) = conn.execute("SELECT count(*) FROM pair_sources").fetchone()
    assert (surface, guild, titles) == ("mention", 1, 1)
    assert await QALog(db).replay_spool() == 0


@pytest.mark.sqlite_only
async def test_deleting_a_users_data_also_clears_their_spooled_pairs(
    db: Database, settings: Settings
) -> None:
    await _record_while_locked(
        settings, AskContext(surface="slash", user_id=7), AskContext(surface="slash", user_id=9)
    )
    assert await QALog(db).delete_user_data(7) == 1
    await QALog(db).replay_spool()
    with sqlite3.connect(sqlite_path(settings)) as conn:
        assert conn.execute("SELECT user_id FROM qa_pairs").fetchall() == [(9,)]


@pytest.mark.sqlite_only
async def test_an_opted_out_users_spooled_pair_is_dropped_on_replay(
    db: Database, settings: Settings
) -> None:
    await _record_while_locked(settings, AskContext(surface="slash", user_id=7))
    await QALog(db).set_opt_out(7, True)
    assert await QALog(db).replay_spool() == 1
    assert _questions(settings) == []
    assert not (settings.data_dir / SPOOL_FILE).exists()


@pytest.mark.sqlite_only
async def test_an_unreadable_spool_line_is_dropped_and_the_rest_replayed(
    db: Database, settings: Settings
) -> None:
    await _record_while_locked(settings, AskContext(surface="slash", user_id=7))
    spool = settings.data_dir / SPOOL_FILE
    spool.write_text(spool.read_text(encoding="utf-8") + '{"answer": {"quest\n', encoding="utf-8")
    assert await QALog(db).replay_spool() == 1
    assert _questions(settings) == ["¿Pregunta bloqueada 0?"]


@pytest.mark.sqlite_only
async def test_a_spool_that_cannot_be_read_does_not_stop_recording(
    db: Database, settings: Settings
) -> None:
    (settings.data_dir / SPOOL_FILE).mkdir(parents=True)  # reading it fails with an OSError
    assert await QALog(db).record(make_answer(), AskContext("cli")) is not None
    assert _questions(settings) == ["¿Qué es Argilla?"]


@pytest.mark.sqlite_only
async def test_a_spooled_pair_already_in_the_database_is_not_committed_twice(
    db: Database, settings: Settings
) -> None:
    await _record_while_locked(settings, AskContext(surface="slash", user_id=7))
    spool = settings.data_dir / SPOOL_FILE
    kept = spool.read_text(encoding="utf-8")
    await QALog(db).replay_spool()
    spool.write_text(kept, encoding="utf-8")  # as if rewriting the spool had failed
    await QALog(db).replay_spool()
    assert _questions(settings) == ["¿Pregunta bloqueada 0?"]
    assert not spool.exists()


@pytest.mark.sqlite_only
async def test_a_record_cancelled_before_the_database_answered_is_spooled(
    db: Database, settings: Settings
) -> None:
    task = asyncio.create_task(QALog(db).record(make_answer(), AskContext("cli")))
    await asyncio.sleep(0)  # the record is now waiting on its first database call
    task.cancel()  # as the shutdown drain does when the grace period ends
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (settings.data_dir / SPOOL_FILE).exists()
    await QALog(db).replay_spool()
    assert _questions(settings) == ["¿Qué es Argilla?"]


@pytest.mark.sqlite_only
async def test_a_pair_spooled_after_a_cut_line_is_not_lost_with_it(
    db: Database, settings: Settings
) -> None:
    await _record_while_locked(settings, AskContext(surface="slash", user_id=7))
    spool = settings.data_dir / SPOOL_FILE
    spool.write_text(spool.read_text(encoding="utf-8") + '{"answer": {"quest', encoding="utf-8")
    await _record_while_locked(settings, AskContext(surface="mention", user_id=8))
    assert await QALog(db).replay_spool() == 2
    assert _questions(settings) == ["¿Pregunta bloqueada 0?"] * 2
