"""A write the database cannot take waits in the spool file and is written later, never lost."""

from __future__ import annotations

import json
import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.storage import outcome_of
from store.db import Database
from store.models import QAPair, utcnow
from store.recording import PairRecorder
from store.records import AskContext, QuestionRecord, new_key
from store.spool import SPOOL_FILE, Finished, Opened, Spool, decode, encode
from tests.store.conftest import QALog, make_answer, sqlite_path
from tests.waiting import eventually


def _rows(settings: Settings, columns: str = "question, status") -> list[tuple[object, ...]]:
    with sqlite3.connect(sqlite_path(settings)) as db:
        return db.execute(f"SELECT {columns} FROM qa_pairs ORDER BY created_at").fetchall()


def _locked_recorder(settings: Settings) -> tuple[sqlite3.Connection, Database, PairRecorder]:
    """A recorder on a database whose write lock another connection holds."""
    other = sqlite3.connect(sqlite_path(settings), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    db = Database(settings.sqlalchemy_url, busy_timeout_ms=50)
    spool = settings.data_dir / SPOOL_FILE
    return other, db, PairRecorder(db, spool, arrival_wait=0.2, replay_seconds=3600)


@pytest.mark.sqlite_only
async def test_a_locked_database_spools_the_question_at_once_and_recovers_on_the_next_write(
    db: Database, settings: Settings
) -> None:
    other, locked_db, recorder = _locked_recorder(settings)
    try:
        question = await recorder.open("¿Pregunta bloqueada?", AskContext("slash", user_id=7))
        recorder.finished(question, outcome_of(make_answer(), "delivered"))
        await recorder.flush()
        spool = settings.data_dir / SPOOL_FILE
        assert stat.S_IMODE(spool.stat().st_mode) == 0o600  # it holds questions and user ids
        assert len(Spool(spool).read()) >= 2  # the arrival and the outcome
        assert _rows(settings) == []

        other.execute("ROLLBACK")  # the database is free again: the next write replays the spool
        await recorder.open("¿Y ahora?", AskContext("cli"))
        await eventually(lambda: not spool.exists())
        assert _rows(settings) == [
            ("¿Pregunta bloqueada?", "answered"),  # original time kept
            ("¿Y ahora?", "in_progress"),
        ]
    finally:
        other.close()
        await recorder.aclose()
        await locked_db.aclose()


@pytest.mark.sqlite_only
async def test_the_spool_is_replayed_on_a_timer_without_any_new_question(
    db: Database, settings: Settings
) -> None:
    other, locked_db, recorder = _locked_recorder(settings)
    recorder = PairRecorder(
        locked_db, settings.data_dir / SPOOL_FILE, arrival_wait=0.2, replay_seconds=0.2
    )
    try:
        await recorder.open("¿Bloqueada?", AskContext("slash", user_id=7))
        other.execute("ROLLBACK")
        await eventually(lambda: _rows(settings))
        assert _rows(settings) == [("¿Bloqueada?", "in_progress")]
    finally:
        other.close()
        await recorder.aclose()
        await locked_db.aclose()


@pytest.mark.sqlite_only
async def test_a_cancelled_answer_is_written_once_with_its_final_status_and_sources(
    db: Database, settings: Settings
) -> None:
    other, locked_db, recorder = _locked_recorder(settings)
    try:
        question = await recorder.open("¿Cortada?", AskContext("mention", user_id=8, guild_id=1))
        answer = make_answer(status="cancelled")
        recorder.finished(question, outcome_of(answer, "partly_delivered"))
        await recorder.aclose()  # shutdown: what the database refused stays in the spool
    finally:
        other.execute("ROLLBACK")
        other.close()
        await locked_db.aclose()
    assert await PairRecorder(db, settings.data_dir / SPOOL_FILE).replay() >= 2
    assert _rows(settings, "status, delivery, surface, guild_id") == [
        ("cancelled", "partly_delivered", "mention", 1)
    ]
    with sqlite3.connect(sqlite_path(settings)) as conn:
        assert conn.execute("SELECT count(*) FROM pair_sources").fetchone() == (1,)


async def test_a_question_spooled_by_a_dead_process_is_replayed_as_interrupted(
    db: Database, settings: Settings
) -> None:
    spool = Spool(settings.data_dir / SPOOL_FILE)
    spool.append(Opened(QuestionRecord(new_key(), "¿Muerta?", AskContext("slash"), utcnow())))
    recorder = PairRecorder(db, spool.path)
    assert await recorder.replay() == 1
    async with db.sessions() as session:
        pair = (await session.scalars(select(QAPair))).one()
    assert (pair.question, pair.status, pair.delivery) == (
        "¿Muerta?",
        "interrupted",
        "not_delivered",
    )


async def test_a_version_1_spool_line_still_loads_and_replays(
    db: Database, settings: Settings, qalog: QALog
) -> None:
    path = settings.data_dir / SPOOL_FILE
    legacy = {
        "answer": {
            "question": "¿Antigua?",
            "text": "Respuesta antigua [1].",
            "mode": "llm",
            "status": "answered",
            "sources": [
                {
                    "title": "T",
                    "author": "A",
                    "quote": "q",
                    "talk_id": "t",
                    "chunk_id": "c",
                    "score": 0.9,
                }
            ],
            "passages": [],
            "model": "m",
            "endpoint": None,
            "error_cause": None,
            "timings": {},
        },
        "context": {
            "surface": "slash",
            "user_id": 3,
            "guild_id": None,
            "channel_id": None,
            "thread_id": None,
            "message_id": None,
        },
        "created_at": (utcnow() - timedelta(hours=1)).isoformat(),  # within the erasure records
    }
    path.write_text(json.dumps(legacy) + "\n", encoding="utf-8")
    entries = Spool(path).read()
    assert len(entries) == 1 and isinstance(entries[0], Finished)
    recorder = PairRecorder(db, path)
    assert await recorder.replay() == 1
    assert await recorder.replay() == 0  # idempotent: nothing left, nothing doubled
    pair = await qalog.next_pending()
    assert pair is not None and (pair.question, pair.answer) == (
        "¿Antigua?",
        "Respuesta antigua [1].",
    )


async def test_deleting_a_users_data_also_clears_their_spooled_questions(
    db: Database, settings: Settings, qalog: QALog
) -> None:
    spool = Spool(settings.data_dir / SPOOL_FILE)
    for user in (7, 8):
        spool.append(Opened(QuestionRecord(new_key(), "¿?", AskContext("slash", user), utcnow())))
    assert (await qalog.delete_user_data(7)).rows == 1
    assert [e.question.context.user_id for e in spool.read() if isinstance(e, Opened)] == [8]


async def test_an_unreadable_spool_line_is_dropped_and_the_rest_replayed(
    db: Database, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    spool = Spool(settings.data_dir / SPOOL_FILE)
    question = QuestionRecord(new_key(), "¿Legible?", AskContext("cli"), utcnow())
    spool.append(Finished(question, outcome_of(make_answer(), "delivered")))
    with spool.path.open("a", encoding="utf-8") as handle:
        handle.write('{"v": 2, "op": "finish", "key": \n')  # a write cut by a power loss
    spool.append(Opened(QuestionRecord(new_key(), "¿Otra?", AskContext("cli"), utcnow())))
    assert await PairRecorder(db, spool.path).replay() == 2
    assert "dropping unreadable line 2" in caplog.text
    assert not spool


async def test_a_question_neither_database_nor_spool_can_take_is_logged_not_raised(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await db.downgrade("base")  # every write fails
    blocker = tmp_path / "file"
    blocker.write_text("x")
    recorder = PairRecorder(db, blocker / SPOOL_FILE)  # the spool's folder is a file
    try:
        await recorder.open("¿Perdida?", AskContext("cli"))
        await recorder.flush()
    finally:
        await recorder.aclose()
    assert "nor spool it" in caplog.text


def test_an_outcome_spooled_before_reply_ids_keeps_its_reply_message() -> None:
    question = QuestionRecord(new_key(), "¿Antes?", AskContext("slash", 3), utcnow())
    written = json.loads(encode(Finished(question, outcome_of(make_answer(), "delivered", [5]))))
    assert written["outcome"]["reply_message_ids"] == [5]
    del written["outcome"]["reply_message_ids"]
    written["outcome"]["message_id"] = 77  # how lines carried the reply until migration 0006
    entry = decode(json.dumps(written))
    assert isinstance(entry, Finished) and entry.outcome.reply_message_ids == (77,)
