"""Conversations read from the rows, on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, select

from bot.storage import outcome_of
from store.conversations import ConversationLog, HistoryTurn, MentorQuestion
from store.handoffs import HandOffLog
from store.mentors import MentorLog
from store.models import QAPair, utcnow
from store.records import AskContext, new_key
from tests.store.conftest import QALog, make_answer

DAY = 86_400.0
THREAD = 555
ASKED = "¿Cómo subo un dataset?"
MENTOR_PAIRS = (
    select(QAPair.question, QAPair.answer, QAPair.message_id, QAPair.answers_key)
    .where(QAPair.provenance == "mentor")
    .order_by(QAPair.id)
)


async def test_history_holds_the_asker_turns_and_answers_not_notices_nor_failures(
    qalog: QALog,
) -> None:
    mention = AskContext("mention", 1001, 1, 2, THREAD, 100)
    first = await qalog.recorder.open("¿Qué es Argilla?", mention)
    partial = make_answer(status="partial")
    partial.notice = "*(respuesta parcial)*"
    qalog.recorder.finished(first, outcome_of(partial, "delivered", [200, 201]))
    follow_up = dataclasses.replace(mention, surface="thread", message_id=300)
    second = await qalog.recorder.open("¿Y distilabel?", follow_up)
    qalog.recorder.finished(second, outcome_of(make_answer(status="error"), "delivered", [301]))
    other = dataclasses.replace(follow_up, user_id=2002, message_id=400)
    third = await qalog.recorder.open("¿Y yo qué?", other)
    qalog.recorder.finished(third, outcome_of(make_answer(text="Otra cosa."), "delivered"))
    await qalog.recorder.flush()

    history = await ConversationLog(qalog.db).history(THREAD, 1001, utcnow())
    assert history == [
        HistoryTurn("user", "¿Qué es Argilla?"),
        HistoryTurn("assistant", partial.text),
        HistoryTurn("user", "¿Y distilabel?"),
    ]
    assert await ConversationLog(qalog.db).history(THREAD, 1001, first.created_at) == []
    async with qalog.db.sessions() as session:
        row = (await session.scalars(select(QAPair).where(QAPair.key == first.key))).one()
    assert (row.message_id, row.reply_message_ids, row.notice) == (100, [200, 201], partial.notice)


async def test_a_mentor_answer_after_the_asker_spoke_pairs_with_their_words(
    qalog: QALog,
) -> None:
    question = await qalog.recorder.open(ASKED, AskContext("slash", 1001, 1, 2))
    refusal = make_answer(question=ASKED, status="refused", text="No lo cubren las charlas.")
    qalog.recorder.finished(question, outcome_of(refusal, "delivered", [700]))
    await qalog.recorder.flush()
    handoffs = HandOffLog(qalog.db)
    mentors = MentorLog(qalog.db)
    await handoffs.open(question.key, 1001, 1, limit=3, window=DAY)
    await handoffs.placed(question.key, THREAD)  # the /pregunta question joins the thread
    await mentors.mentor_said(THREAD, 42, 10, "Usa push_to_hub.")
    await mentors.participant_said(THREAD, 3003, 11, "Yo también")  # not the asker
    await mentors.participant_said(THREAD, 1001, 12, "¿Y si es privado?")
    await mentors.mentor_said(THREAD, 42, 13, "Pon private=True.")
    await mentors.mentor_said(THREAD, 42, 14, "Y un token con permiso de escritura.")

    async with qalog.db.sessions() as session:
        pairs = [tuple(row) for row in (await session.execute(MENTOR_PAIRS)).all()]
    both = "Pon private=True.\n\nY un token con permiso de escritura."
    assert pairs == [
        (ASKED, "Usa push_to_hub.", None, question.key),
        ("¿Y si es privado?", both, 12, None),
    ]
    history = await ConversationLog(qalog.db).history(THREAD, 1001, utcnow())
    assert history == [
        HistoryTurn("user", ASKED),
        HistoryTurn("assistant", "Usa push_to_hub."),  # the refusal was no answer
        HistoryTurn("user", "¿Y si es privado?"),
        HistoryTurn("assistant", both),
    ]
    assert await ConversationLog(qalog.db).history(THREAD, 3003, utcnow()) == []

    await qalog.delete_user_data(1001)  # what the asker said goes with their hand-off
    async with qalog.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(MentorQuestion)) == 0


async def test_nothing_the_asker_says_is_kept_when_their_question_is_not(qalog: QALog) -> None:
    handoffs = HandOffLog(qalog.db)
    mentors = MentorLog(qalog.db)
    unlogged = new_key()  # an opted-out asker's question: handed off, never stored
    await handoffs.open(unlogged, 1001, 1, limit=3, window=DAY)
    await handoffs.placed(unlogged, THREAD)
    await mentors.participant_said(THREAD, 1001, 12, "Mi correo es ana@example.org")
    async with qalog.db.sessions() as session:
        kept = await session.scalar(select(func.count()).select_from(MentorQuestion))
    assert kept == 0
