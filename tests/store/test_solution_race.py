"""One Discord message, one pair: a mentor's reply marked as the solution before it was recorded.

The mark ("Marcar como solución") and the mentor's message event of a handed-off help-forum post
can be handled in either order; both orders end in the same single pair and record (real SQLite
and PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.storage import outcome_of
from store.curated import CuratedLog
from store.export_dataset import export_dataset
from store.export_rows import ExportFilters
from store.handoffs import HandOffLog
from store.mentors import MentorLog
from store.models import QAPair, utcnow
from store.records import AskContext
from store.solution_records import ForumSolution
from store.solutions import AcceptedAnswer, ForumPost, SolutionLog
from tests.store.conftest import QALog, make_answer

POST, ASKER, MENTOR, OTHER_MENTOR, MEMBER, MODERATOR = 700, 1001, 2002, 4004, 3003, 9
QUESTION = "Subir un dataset\n\n¿Cómo lo subo al Hub?"
REPLY = {80: "Usa datasets.", 81: "Y luego push_to_hub."}
JOINED = "Usa datasets.\n\nY luego push_to_hub."
ORDERS = ("recorded_first", "marked_first")


def _post() -> ForumPost:
    posted = utcnow() - timedelta(minutes=10)
    return ForumPost(POST, 600, 1, ASKER, "Subir un dataset", "¿Cómo lo subo al Hub?", posted)


async def _handed_off(qalog: QALog) -> None:
    """Log the bot's answer to the post and hand its question to the mentors in the post."""
    asked = await qalog.recorder.open(QUESTION, AskContext("forum", ASKER, 1, 600, POST, POST))
    answer = make_answer(question=QUESTION, text="No lo cubren las charlas.")
    qalog.recorder.finished(asked, outcome_of(answer, "delivered", (50,)))
    await qalog.recorder.flush()
    handoffs = HandOffLog(qalog.db)
    assert await handoffs.open(asked.key, ASKER, 1, limit=3, window=86_400.0) == "opened"
    await handoffs.placed(asked.key, POST)


async def _in_order(
    order: str, record: Callable[[], Awaitable[None]], mark: Callable[[], Awaitable[None]]
) -> None:
    first, then = (record, mark) if order == "recorded_first" else (mark, record)
    await first()
    await then()


async def _mentor_rows(qalog: QALog) -> list[tuple[object, ...]]:
    query = select(
        QAPair.id, QAPair.question, QAPair.answer, QAPair.review_state, QAPair.reply_message_ids
    ).where(QAPair.provenance == "mentor")
    async with qalog.db.sessions() as session:
        return [tuple(row) for row in (await session.execute(query.order_by(QAPair.id))).all()]


async def _record(qalog: QALog) -> tuple[int, str | None]:
    async with qalog.db.sessions() as session:
        (found,) = (await session.scalars(select(ForumSolution))).all()
        return found.pair_id, found.reused_review_state


async def _exported(qalog: QALog, out: Path) -> list[str]:
    await export_dataset(
        qalog.db, out, ExportFilters(provenance="mentor"), salt=b"s" * 32, fmt="jsonl"
    )
    return (out / "data" / "messages.jsonl").read_text().splitlines()


@pytest.mark.parametrize("order", ORDERS)
async def test_a_first_mentor_reply_is_one_approved_pair_whatever_the_order(
    qalog: QALog, order: str, tmp_path: Path
) -> None:
    await _handed_off(qalog)
    mentors, solutions = MentorLog(qalog.db), SolutionLog(qalog.db)

    async def record() -> None:
        for message_id, text in REPLY.items():
            await mentors.mentor_said(POST, MENTOR, message_id, text)

    async def mark() -> None:
        await solutions.accept(_post(), AcceptedAnswer(MENTOR, "mentor", REPLY, ASKER))

    await _in_order(order, record, mark)
    ((pair_id, *mentor_pair),) = await _mentor_rows(qalog)
    assert mentor_pair == [QUESTION, JOINED, "approved", [80, 81]]
    assert await _record(qalog) == (pair_id, "approved")  # reused, as a hand-off answer
    assert [p.pair_id for p in await CuratedLog(qalog.db).curated()] == [pair_id]
    assert len(await _exported(qalog, tmp_path / "out")) == 1

    await mentors.mentor_edited(POST, 81, "Y luego `push_to_hub()`.")  # the hand-off log follows
    assert await solutions.edited(POST, 81, "ignorado") is None
    await solutions.accept(_post(), AcceptedAnswer(MEMBER, "community", {90: "Así"}, ASKER))
    (kept,) = await _mentor_rows(qalog)  # released, never deleted
    assert kept[0] == pair_id and kept[2:4] == (
        "Usa datasets.\n\nY luego `push_to_hub()`.",
        "approved",
    )


@pytest.mark.parametrize("order", ORDERS)
async def test_a_later_mentor_reply_is_approved_by_the_mark_and_given_back_whatever_the_order(
    qalog: QALog, order: str
) -> None:
    await _handed_off(qalog)
    mentors, solutions = MentorLog(qalog.db), SolutionLog(qalog.db)
    await mentors.mentor_said(POST, MENTOR, 60, "Mira la documentación.")  # the first answer
    await mentors.participant_said(POST, ASKER, 70, "¿Y si es privado?")  # what 80 answers

    async def record() -> None:
        await mentors.mentor_said(POST, OTHER_MENTOR, 80, "Usa datasets.")

    async def mark() -> None:
        await solutions.accept(
            _post(), AcceptedAnswer(OTHER_MENTOR, "mentor", {80: "Usa datasets."}, ASKER)
        )

    await _in_order(order, record, mark)
    rows = await _mentor_rows(qalog)
    assert [row[1:4] for row in rows] == [
        (QUESTION, "Mira la documentación.", "approved"),
        ("¿Y si es privado?", "Usa datasets.", "approved"),  # not the post's question
    ]
    assert await _record(qalog) == (rows[1][0], "pending")
    async with qalog.db.sessions() as session:
        later = await session.get(QAPair, rows[1][0])
        assert later is not None and later.reviewer_id == ASKER
    await solutions.accept(_post(), AcceptedAnswer(MEMBER, "community", {90: "Así"}, ASKER))
    assert [row[3] for row in await _mentor_rows(qalog)] == ["approved", "pending"]


async def test_a_review_made_before_the_late_message_is_kept(qalog: QALog) -> None:
    await _handed_off(qalog)
    mentors, solutions = MentorLog(qalog.db), SolutionLog(qalog.db)
    marked = await solutions.accept(
        _post(), AcceptedAnswer(MENTOR, "mentor", {80: "Usa datasets."}, ASKER)
    )
    assert marked.pair_id is not None
    await qalog.review(marked.pair_id, "rejected", MODERATOR)
    assert await mentors.mentor_said(POST, MENTOR, 80, "Usa datasets.") is None  # not curated
    ((pair_id, _, _, state, _),) = await _mentor_rows(qalog)
    assert (pair_id, state) == (marked.pair_id, "rejected")
