"""Forgetting a person: every table, the SQLite file, the curated collection and later exports.

A participant asks (the bot cannot answer), a mentor answers in the hand-off thread, and a second
participant later gets that curated answer, cited as an `faq` source naming the first question.
After `pide-ayuda privacy forget`, the first participant's question is nowhere.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.cli import main
from bot.config import load_settings
from bot.rag.curated import CuratedEntry, CuratedIndex
from bot.rag.types import Source
from bot.storage import outcome_of
from store.curated import CuratedLog
from store.handoffs import HandOff, HandOffLog, MentorAnswer
from store.mentors import MentorLog
from store.models import PairSource, QAPair, utcnow
from store.records import AskContext
from tests.store.conftest import QALog, make_answer, sqlite_path
from tests.store.text_scan import text_columns_holding

MARKER = "zorzal-7f3a"
QUESTION = f"¿Cómo subo el dataset {MARKER} al Hub?"
MENTOR_TEXT = "Con push_to_hub, desde el cuaderno."
ASKER, SECOND, MENTOR, THREAD = 2001, 2002, 42, 777


async def _scenario(qalog: QALog) -> tuple[int, int]:
    """Return (the mentor's curated pair, the second asker's pair)."""
    refused = make_answer(question=QUESTION, text="No está en las charlas.", status="refused")
    question = await qalog.recorder.open(QUESTION, AskContext("slash", ASKER))
    qalog.recorder.finished(question, outcome_of(refused, "delivered"))
    await qalog.recorder.flush()
    handoffs = HandOffLog(qalog.db)
    mentors = MentorLog(qalog.db)
    await handoffs.open(question.key, ASKER, 1, limit=3, window=86_400)
    await handoffs.placed(question.key, THREAD)
    curated = await mentors.mentor_said(THREAD, MENTOR, 10, MENTOR_TEXT)
    assert curated is not None
    reuse = make_answer(question="¿Cómo publico mi dataset?", text=MENTOR_TEXT)
    reuse.sources = [
        Source(QUESTION, "Mentores", MENTOR_TEXT, "faq", f"faq-{curated.pair_id}", 0.95,
               kind="faq", text=MENTOR_TEXT)
    ]  # fmt: skip
    keynote = make_answer(question="¿Qué es Argilla?")
    second = await qalog.record(reuse, AskContext("slash", SECOND))
    other = await qalog.record(keynote, AskContext("slash", SECOND))
    assert second is not None and other is not None
    await qalog.vote(other, ASKER, 1)
    return curated.pair_id, second


@pytest.mark.sqlite_only
async def test_forget_removes_the_question_from_every_table_file_collection_and_export(
    qalog: QALog, settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mentor_pair, _ = await _scenario(qalog)
    curated = CuratedIndex.open(load_settings())
    curated.add([CuratedEntry(mentor_pair, QUESTION, MENTOR_TEXT, "mentor")])
    curated.close()
    database = sqlite_path(settings)
    assert "qa_pairs.question" in text_columns_holding(database, MARKER)
    assert "pair_sources.title" in text_columns_holding(database, MARKER)

    code = await asyncio.to_thread(main, ["privacy", "forget", str(ASKER)])
    out = capsys.readouterr().out
    assert code == 0 and f"forgot user {ASKER}" in out

    assert text_columns_holding(database, MARKER) == []
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        kept = db.execute("SELECT count(*) FROM qa_pairs WHERE user_id = ?", (SECOND,)).fetchone()
    assert kept == (2,)  # the second asker keeps their pairs; only the citing source went
    assert MARKER.encode() not in database.read_bytes()  # secure_delete zeroed the old cells
    reopened = CuratedIndex.open(load_settings())
    try:
        assert mentor_pair not in reopened.pair_ids()
    finally:
        reopened.close()
    folder = tmp_path / "after"
    assert await asyncio.to_thread(main, ["export", "--out", str(folder), "--format", "jsonl"]) == 0
    for path in folder.rglob("*"):
        if path.is_file():
            assert MARKER not in path.read_text(encoding="utf-8"), path


async def test_forgetting_the_mentor_takes_their_reused_answer_with_them(qalog: QALog) -> None:
    mentor_pair, second = await _scenario(qalog)
    forgotten = await qalog.delete_user_data(MENTOR)
    assert set(forgotten.pair_ids) == {mentor_pair, second}  # the copy of their answer too
    assert await CuratedLog(qalog.db).curated() == []


async def test_a_mentor_who_opted_out_is_not_recorded(qalog: QALog) -> None:
    await qalog.set_opt_out(MENTOR, True)
    question = await qalog.recorder.open(QUESTION, AskContext("slash", ASKER))
    qalog.recorder.finished(question, outcome_of(make_answer(question=QUESTION), "delivered"))
    await qalog.recorder.flush()
    handoffs = HandOffLog(qalog.db)
    mentors = MentorLog(qalog.db)
    curation = CuratedLog(qalog.db)
    await handoffs.open(question.key, ASKER, 1, limit=3, window=86_400)
    await handoffs.placed(question.key, THREAD)
    assert await mentors.mentor_said(THREAD, MENTOR, 10, MENTOR_TEXT) is None
    async with qalog.db.sessions() as session:
        assert (await session.scalars(MentorAnswer.__table__.select())).all() == []
    assert await curation.curated() == []


async def test_retention_purges_hand_offs_and_mentor_text(qalog: QALog) -> None:
    await _scenario(qalog)
    old = utcnow() - timedelta(days=40)
    async with qalog.db.writing() as session:
        await session.execute(update(HandOff).values(opened_at=old))
        await session.execute(update(MentorAnswer).values(started_at=old))
        await session.execute(update(QAPair).where(QAPair.user_id == ASKER).values(created_at=old))
    assert await qalog.purge_expired(days=30) == 2  # the question and the mentor's pair
    async with qalog.db.sessions() as session:
        assert (await session.execute(HandOff.__table__.select())).all() == []
        assert (await session.execute(MentorAnswer.__table__.select())).all() == []
        titles = (await session.scalars(PairSource.__table__.select())).all()
    assert all(MARKER not in str(row) for row in titles)


async def test_a_mentor_reply_to_a_question_not_kept_keeps_no_mentor_text(qalog: QALog) -> None:
    handoffs = HandOffLog(qalog.db)  # the asker opted out: their question has no row
    mentors = MentorLog(qalog.db)
    await handoffs.open("a-question-never-saved", ASKER, 1, limit=3, window=86_400)
    await handoffs.placed("a-question-never-saved", THREAD)
    assert await mentors.mentor_said(THREAD, MENTOR, 10, MENTOR_TEXT) is None
    async with qalog.db.sessions() as session:
        assert (await session.execute(MentorAnswer.__table__.select())).all() == []


async def test_a_question_in_flight_when_its_asker_is_forgotten_is_not_written_back(
    qalog: QALog,
) -> None:
    question = await qalog.recorder.open(QUESTION, AskContext("slash", ASKER))  # row written
    await qalog.delete_user_data(ASKER)
    qalog.recorder.finished(question, outcome_of(make_answer(question=QUESTION), "delivered"))
    await qalog.recorder.flush()
    assert await qalog.pair_id(question.key) is None
    later = await qalog.recorder.open("¿Y ahora?", AskContext("slash", ASKER))  # asked again
    qalog.recorder.finished(later, outcome_of(make_answer(question="¿Y ahora?"), "delivered"))
    await qalog.recorder.flush()
    assert await qalog.pair_id(later.key) is not None


async def test_stats_list_keynotes_not_curated_questions(qalog: QALog) -> None:
    await _scenario(qalog)
    titles = [title for title, _, _ in (await qalog.stats()).by_talk]
    assert titles == ["Argilla y distilabel"]  # not the reused question's text
