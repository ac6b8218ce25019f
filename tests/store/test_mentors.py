"""Hand-offs and mentor answers on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select

from bot.storage import outcome_of
from store.db import Database
from store.mentors import MentorLog
from store.models import QAPair
from store.records import AskContext
from tests.store.conftest import QALog, make_answer

DAY = 86_400.0
THREAD = 555


async def _asked(qalog: QALog, user_id: int = 1001) -> str:
    question = await qalog.recorder.open("¿Cómo subo un dataset?", AskContext("slash", user_id))
    answer = make_answer(question="¿Cómo subo un dataset?", status="refused")
    qalog.recorder.finished(question, outcome_of(answer, "delivered"))
    await qalog.recorder.flush()
    return question.key


async def _pair(db: Database, pair_id: int) -> QAPair:
    async with db.sessions() as session:
        found = await session.scalar(select(QAPair).where(QAPair.id == pair_id))
    assert found is not None
    return found


async def test_one_hand_off_per_question_and_a_per_user_limit(qalog: QALog) -> None:
    mentors = MentorLog(qalog.db)
    first, second, third = [await _asked(qalog) for _ in range(3)]
    assert await mentors.open(first, 1001, 1, limit=2, window=DAY) == "opened"
    assert await mentors.open(second, 1001, 1, limit=2, window=DAY) == "opened"
    assert await mentors.open(second, 1001, 1, limit=2, window=DAY) == "already"
    assert await mentors.open(third, 1001, 1, limit=2, window=DAY) == "limited"
    assert await mentors.open(await _asked(qalog, 2002), 2002, 1, limit=2, window=DAY) == "opened"


async def test_a_failed_call_releases_the_reservation(qalog: QALog) -> None:
    mentors = MentorLog(qalog.db)
    key = await _asked(qalog)
    await mentors.open(key, 1001, 1, limit=1, window=DAY)
    await mentors.placed(key, None)
    assert await mentors.open(key, 1001, 1, limit=1, window=DAY) == "opened"


async def test_consecutive_mentor_messages_and_edits_form_one_approved_mentor_pair(
    qalog: QALog,
) -> None:
    mentors = MentorLog(qalog.db)
    key = await _asked(qalog)
    await mentors.open(key, 1001, 1, limit=3, window=DAY)
    await mentors.placed(key, THREAD)
    assert await mentors.handed_off(THREAD) and not await mentors.handed_off(THREAD + 1)
    first = await mentors.mentor_said(THREAD, 42, 10, "Usa push_to_hub.")
    assert await mentors.mentor_said(THREAD, 43, 11, "Otro mentor") is None  # not the one answering
    second = await mentors.mentor_said(THREAD, 42, 12, "Y pon una tarjeta.")
    assert first is not None and second is not None and first.pair_id == second.pair_id
    edited = await mentors.mentor_edited(THREAD, 10, "Usa `push_to_hub()`.")
    assert edited is not None
    pair = await _pair(qalog.db, edited.pair_id)
    assert pair.answer == "Usa `push_to_hub()`.\n\nY pon una tarjeta."
    assert (pair.provenance, pair.review_state, pair.question, pair.user_id) == (
        "mentor",
        "approved",
        "¿Cómo subo un dataset?",
        1001,
    )
    await mentors.participant_said(THREAD)
    assert await mentors.mentor_said(THREAD, 42, 13, "Tarde") is None
    assert await mentors.mentor_edited(THREAD, 10, "otra vez") is None
    stats = await mentors.stats()
    assert (stats.opened, stats.answered, stats.open) == (1, 1, 0)
    assert stats.median_reply_seconds is not None and stats.median_reply_seconds >= 0


async def test_curated_pairs_are_approved_edited_mentor_and_moderator_ones(qalog: QALog) -> None:
    mentors = MentorLog(qalog.db)
    approved = await qalog.record(make_answer(question="¿Qué es Argilla?"), AskContext("cli"))
    edited = await qalog.record(make_answer(question="¿Qué es RAG?"), AskContext("cli"))
    pending = await qalog.record(make_answer(question="¿Pendiente?"), AskContext("cli"))
    assert approved and edited and pending
    await qalog.review(approved, "approved", 9)
    await qalog.review(edited, "edited", 9, "RAG combina búsqueda y generación.")
    written = await mentors.add_moderator_pair("¿Hay premios?", "Sí, tres.", 9)
    curated = {c.pair_id: (c.answer, c.provenance) for c in await mentors.curated()}
    assert curated == {
        approved: ("Argilla es una herramienta de anotación.", "bot"),
        edited: ("RAG combina búsqueda y generación.", "edited"),
        written.pair_id: ("Sí, tres.", "moderator"),
    }
    assert [c.pair_id for c in await mentors.curated(pending)] == []
    assert await mentors.withdraw(written.pair_id, 9) and await mentors.withdraw(approved, 9)
    assert [c.pair_id for c in await mentors.curated()] == [edited]
    assert not await mentors.withdraw(written.pair_id, 9)  # a moderator's pair is deleted


async def test_a_mentor_deleting_their_data_removes_the_answers_they_wrote(qalog: QALog) -> None:
    mentors = MentorLog(qalog.db)
    key = await _asked(qalog)
    await mentors.open(key, 1001, 1, limit=3, window=DAY)
    await mentors.placed(key, THREAD)
    written = await mentors.mentor_said(THREAD, 42, 10, "Usa push_to_hub.")
    assert written is not None
    assert await mentors.forget_user(42) == [written.pair_id]
    assert [c.pair_id for c in await mentors.curated()] == []
    stats = await mentors.stats()
    assert (stats.opened, stats.answered, stats.open) == (1, 0, 1)


async def test_an_asker_deleting_their_data_removes_their_hand_offs(qalog: QALog) -> None:
    mentors = MentorLog(qalog.db)
    key = await _asked(qalog)
    await mentors.open(key, 1001, 1, limit=3, window=DAY)
    await mentors.placed(key, THREAD)
    assert await mentors.forget_user(1001) == []
    assert not await mentors.handed_off(THREAD)
