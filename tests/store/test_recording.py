"""Recording pairs, votes, opt-outs and deletion on real SQLite and PostgreSQL databases."""

from __future__ import annotations

import os
import socket
import subprocess
from typing import get_args

import pytest
import sqlalchemy as sa

from bot.rag.types import Status
from bot.storage import outcome_of
from store.db import Database
from store.errors import PairNotFoundError
from store.models import Feedback, PairSource, QAPair, utcnow
from store.recording import PairRecorder
from store.records import (
    FINAL_STATUSES,
    PAIR_STATUSES,
    AskContext,
    QuestionRecord,
    StaleReply,
    new_key,
)
from tests.store.conftest import QALog, make_answer

SLASH = AskContext(surface="slash", user_id=111, guild_id=222, channel_id=333, message_id=444)


async def _count(db: Database, model: type[object]) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


async def test_record_commits_every_field_and_the_sources(db: Database, qalog: QALog) -> None:
    answer = make_answer(talks=("Charla A", "Charla B"))
    answer.endpoint = "https://user:secret@llm.example:8443/v1?api_key=secret"
    pair_id = await qalog.record(answer, SLASH)
    assert pair_id is not None
    async with db.sessions() as session:
        pair = await session.get(QAPair, pair_id)
        assert pair is not None
        sources = (
            await session.scalars(sa.select(PairSource).where(PairSource.pair_id == pair_id))
        ).all()
    assert (pair.question, pair.answer, pair.status, pair.mode) == (
        answer.question,
        answer.text,
        "answered",
        "llm",
    )
    assert (pair.user_id, pair.guild_id, pair.channel_id, pair.message_id) == (111, 222, 333, 444)
    assert pair.surface == "slash" and pair.review_state == "pending"
    assert pair.timings == {"retrieval": 0.1, "total": 1.5}
    assert pair.endpoint == "https://llm.example:8443/v1"
    assert pair.created_at.tzinfo is not None
    assert [(s.rank, s.title) for s in sorted(sources, key=lambda s: s.rank)] == [
        (0, "Charla A"),
        (1, "Charla B"),
    ]


async def test_failed_answers_are_recorded_with_their_cause(db: Database, qalog: QALog) -> None:
    pair_id = await qalog.record(make_answer(status="error", talks=()), SLASH)
    assert pair_id is not None
    async with db.sessions() as session:
        pair = await session.get(QAPair, pair_id)
    assert pair is not None and pair.status == "error" and pair.error_cause == "LLM timed out"


async def test_a_question_is_saved_in_progress_from_arrival_then_finished_in_one_write(
    db: Database, qalog: QALog
) -> None:
    question = await qalog.recorder.open("¿Qué es Argilla?", SLASH)  # committed before returning
    async with db.sessions() as session:
        opened = (await session.scalars(sa.select(QAPair))).one()
    assert (opened.key, opened.status, opened.delivery) == (question.key, "in_progress", "pending")

    qalog.recorder.replied(question.key, 333, 999)
    answer = make_answer(status="cancelled")
    answer.notice = "*(cancelada)*"
    qalog.recorder.finished(question, outcome_of(answer, "partly_delivered", [999, 1000]))
    await qalog.recorder.flush()
    async with db.sessions() as session:
        pair = (await session.scalars(sa.select(QAPair))).one()
    assert (pair.status, pair.delivery, pair.message_id) == ("cancelled", "partly_delivered", 444)
    assert pair.reply_message_ids == [999, 1000]  # the asker's message id stays
    assert (pair.reply_channel_id, pair.reply_message_id) == (333, 999)
    assert (pair.answer, pair.notice) == (answer.text, "*(cancelada)*")
    assert pair.created_at == question.created_at


async def test_a_finished_question_whose_arrival_was_never_written_is_saved_whole(
    db: Database, qalog: QALog
) -> None:
    question = QuestionRecord(new_key(), "¿Y Somos600M?", SLASH, utcnow())
    qalog.recorder.finished(question, outcome_of(make_answer(), "delivered"))
    await qalog.recorder.flush()
    assert await qalog.pair_id(question.key) is not None
    async with db.sessions() as session:
        pair = (await session.scalars(sa.select(QAPair))).one()
    assert (pair.question, pair.status, pair.user_id) == ("¿Y Somos600M?", "answered", 111)


async def test_unfinished_rows_of_a_dead_process_become_interrupted_then_resumable(
    db: Database, qalog: QALog
) -> None:
    question = await qalog.recorder.open("¿Qué dijo Manu?", SLASH)
    qalog.recorder.replied(question.key, 333, 999)
    await qalog.recorder.flush()
    assert await qalog.recorder.interrupt_unfinished() == []  # its own question: still live
    restarted = PairRecorder(db, qalog.recorder.spool_path)  # the next process (same pid here)
    try:
        stale = await restarted.interrupt_unfinished()
        assert stale == [StaleReply(question.key, 333, 999, question)]
        async with db.sessions() as session:
            pair = (await session.scalars(sa.select(QAPair))).one()
        assert (pair.status, pair.delivery) == ("interrupted", "not_delivered")
        assert await qalog.next_pending() is None  # never offered for review

        restarted.resume(stale[0].question)  # answered again after the restart: same row
        restarted.finished(stale[0].question, outcome_of(make_answer(), "delivered", [999]))
        await restarted.flush()
    finally:
        await restarted.aclose()
    async with db.sessions() as session:
        pair = (await session.scalars(sa.select(QAPair))).one()
    assert (pair.key, pair.status, pair.delivery) == (question.key, "answered", "delivered")
    assert (pair.user_id, pair.guild_id, pair.surface) == (111, 222, "slash")


async def test_a_question_of_a_live_process_on_this_host_is_left_alone(
    db: Database, qalog: QALog
) -> None:
    await qalog.recorder.open("¿Sigue viva?", SLASH)
    await qalog.recorder.flush()
    live = f"{socket.gethostname()}:{os.getppid()}:other"  # the process that started the tests
    async with db.writing() as session:
        await session.execute(sa.update(QAPair).values(owner=live))
    restarted = PairRecorder(db, qalog.recorder.spool_path)
    try:
        assert await restarted.interrupt_unfinished() == []
        async with db.sessions() as session:
            assert (await session.scalars(sa.select(QAPair.status))).all() == ["in_progress"]
        gone = f"{socket.gethostname()}:{_finished_pid()}:other"
        async with db.writing() as session:
            await session.execute(sa.update(QAPair).values(owner=gone))
        await restarted.interrupt_unfinished(lambda guild_id: False)  # as a CLI process does
    finally:
        await restarted.aclose()
    async with db.sessions() as session:
        assert (await session.scalars(sa.select(QAPair.status))).all() == ["interrupted"]


def _finished_pid() -> int:
    """Return the pid of a process that ran and was reaped."""
    probe = subprocess.Popen(["true"])
    probe.wait()
    return probe.pid


async def test_record_never_raises_when_the_database_is_gone(db: Database, qalog: QALog) -> None:
    await db.downgrade("base")
    assert await qalog.record(make_answer(), SLASH) is None


async def test_opted_out_users_are_not_stored(db: Database, qalog: QALog) -> None:
    await qalog.set_opt_out(111, True)
    await qalog.set_opt_out(111, True)
    assert await qalog.is_opted_out(111)
    assert await qalog.record(make_answer(), SLASH) is None
    assert await _count(db, QAPair) == 0
    await qalog.set_opt_out(111, False)
    assert not await qalog.is_opted_out(111)
    assert await qalog.record(make_answer(), SLASH) is not None


async def test_one_vote_per_user_and_pair_and_it_can_change(db: Database, qalog: QALog) -> None:
    pair_id = await qalog.record(make_answer(), SLASH)
    assert pair_id is not None
    await qalog.vote(pair_id, 7, 1)
    await qalog.vote(pair_id, 7, -1)
    await qalog.vote(pair_id, 8, 1)
    async with db.sessions() as session:
        votes = dict((await session.execute(sa.select(Feedback.user_id, Feedback.value))).all())
    assert votes == {7: -1, 8: 1}
    with pytest.raises(ValueError):
        await qalog.vote(pair_id, 7, 2)
    with pytest.raises(PairNotFoundError):
        await qalog.vote(pair_id + 100, 7, 1)


async def test_deleting_a_user_cascades_to_sources_and_votes(db: Database, qalog: QALog) -> None:
    mine = await qalog.record(make_answer(), SLASH)
    other = await qalog.record(make_answer(), AskContext(surface="slash", user_id=555))
    assert mine is not None and other is not None
    await qalog.vote(mine, 555, 1)  # someone else's vote on the user's pair
    await qalog.vote(other, 111, -1)  # the user's vote on someone else's pair
    await qalog.vote(other, 556, 1)
    await qalog.review(other, "approved", reviewer_id=111)

    assert (await qalog.delete_user_data(111)).rows == 2  # one pair + one vote of theirs

    async with db.sessions() as session:
        pairs = (await session.scalars(sa.select(QAPair))).all()
        feedback = (await session.execute(sa.select(Feedback.pair_id, Feedback.user_id))).all()
        source_pairs = set((await session.scalars(sa.select(PairSource.pair_id))).all())
    assert [p.id for p in pairs] == [other]
    assert pairs[0].reviewer_id is None
    assert [tuple(row) for row in feedback] == [(other, 556)]
    assert source_pairs == {other}


def test_the_store_records_the_pipelines_status_words_plus_the_row_lifecycle() -> None:
    assert get_args(Status) == FINAL_STATUSES
    assert set(PAIR_STATUSES) == {*FINAL_STATUSES, "in_progress", "interrupted"}


async def test_start_up_marks_only_the_rows_of_the_servers_it_serves(
    db: Database, qalog: QALog
) -> None:
    mine = await qalog.recorder.open("¿Mía?", AskContext("slash", user_id=1, guild_id=10))
    other = await qalog.recorder.open("¿Ajena?", AskContext("slash", user_id=2, guild_id=11))
    await qalog.recorder.flush()
    async with db.writing() as session:  # processes on another host: their pids say nothing here
        await session.execute(sa.update(QAPair).values(owner="another-host:1:token"))
    await qalog.recorder.interrupt_unfinished(lambda guild_id: guild_id == 10)
    async with db.sessions() as session:
        statuses = dict((await session.execute(sa.select(QAPair.key, QAPair.status))).all())
    assert statuses == {mine.key: "interrupted", other.key: "in_progress"}
