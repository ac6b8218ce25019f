"""Mentors in the loop: the answers mentors write in a handed-off thread, kept as `mentor` pairs.

A mentor's consecutive messages form one answer until a participant speaks. The hand-off's first
answer is approved without review (it joins the curated answers at once); any later one (a second
mentor, or a mentor after the asker spoke again) is kept as a pending pair for the moderators, so
no mentor reply is lost and a "+1" never becomes a curated answer. The hand-offs themselves are
store/handoffs.py.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.conversations import MentorQuestion
from store.curated import CURATED_STATES, CuratedPair, curated_of, human_pair, human_values
from store.db import Database
from store.errors import translated
from store.handoffs import HandOff, MentorAnswer, latest_handoff
from store.models import OptOut, QAPair, utcnow
from store.solution_records import claim_for_mentor


class MentorLog:
    """The answers mentors write in handed-off threads; one short transaction per call."""

    def __init__(self, db: Database) -> None:
        """Use the given database."""
        self._db = db

    async def mentor_said(
        self, thread_id: int, mentor_id: int, message_id: int, text: str
    ) -> CuratedPair | None:
        """Record a mentor's message in their open answer; return the pair if it is curated.

        A mentor who opted out of logging (`/privacidad`) is not recorded.
        """
        with translated("recording a mentor answer"):
            async with self._db.writing() as session:
                handoff = await latest_handoff(session, thread_id)
                if handoff is None or await session.get(OptOut, mentor_id) is not None:
                    return None
                answers = await _open_answers(session, handoff.id)
                answer = next((a for a in answers if a.mentor_id == mentor_id), None)
                if answer is None:
                    asked = await _latest_question(session, handoff.id)
                    answer = MentorAnswer(
                        handoff_id=handoff.id, mentor_id=mentor_id, messages={}, question_id=asked
                    )
                    session.add(answer)
                answer.messages = {**answer.messages, str(message_id): text}
                return await _write_answer(session, handoff, answer)

    async def mentor_edited(self, thread_id: int, message_id: int, text: str) -> CuratedPair | None:
        """Update a mentor answer when one of its messages is edited before a participant spoke."""
        with translated("updating a mentor answer"):
            async with self._db.writing() as session:
                handoff = await latest_handoff(session, thread_id)
                answers = await _open_answers(session, handoff.id) if handoff else []
                answer = next((a for a in answers if str(message_id) in a.messages), None)
                if handoff is None or answer is None:
                    return None
                answer.messages = {**answer.messages, str(message_id): text}
                return await _write_answer(session, handoff, answer)

    async def participant_said(
        self, thread_id: int, user_id: int, message_id: int, text: str
    ) -> None:
        """Close the open mentor answers of this thread: the next mentor message starts another.

        What the asker says becomes the question the mentors' next answers reply to.
        """
        with translated("closing a mentor answer"):
            async with self._db.writing() as session:
                handoff = await latest_handoff(session, thread_id)
                if handoff is None:
                    return
                for answer in await _open_answers(session, handoff.id):
                    answer.closed_at = utcnow()
                if user_id == handoff.user_id and text.strip() and await _kept(session, handoff):
                    question = MentorQuestion(
                        handoff_id=handoff.id, message_id=message_id, question=text.strip()
                    )
                    session.add(question)


async def _open_answers(session: AsyncSession, handoff_id: int) -> list[MentorAnswer]:
    query = select(MentorAnswer).where(
        MentorAnswer.handoff_id == handoff_id, MentorAnswer.closed_at.is_(None)
    )
    return list((await session.scalars(query)).all())


async def _kept(session: AsyncSession, handoff: HandOff) -> bool:
    """Tell whether the handed-off question is stored (not when its asker opted out or left)."""
    query = select(QAPair.id).where(QAPair.key == handoff.pair_key)
    return await session.scalar(query) is not None


async def _latest_question(session: AsyncSession, handoff_id: int) -> int | None:
    query = (
        select(MentorQuestion.id)
        .where(MentorQuestion.handoff_id == handoff_id)
        .order_by(MentorQuestion.id.desc())
        .limit(1)
    )
    return await session.scalar(query)


async def _write_answer(
    session: AsyncSession, handoff: HandOff, answer: MentorAnswer
) -> CuratedPair | None:
    """Create or update the answer's pair; return it when it is curated (the first answer)."""
    # Message ids are snowflakes: their order is the posting order, whatever order they came in.
    ordered = sorted(answer.messages.items(), key=lambda item: int(item[0]))
    text = "\n\n".join(str(t).strip() for _, t in ordered if str(t).strip())
    pair = await session.get(QAPair, answer.pair_id) if answer.pair_id else None
    if pair is None:
        asked = (
            await session.scalars(select(QAPair).where(QAPair.key == handoff.pair_key))
        ).one_or_none()
        if asked is None:  # the asker opted out, or deleted their data: keep no mentor text
            await session.delete(answer)
            return None
        if not text:
            return None
        earlier = select(MentorAnswer.id).where(
            MentorAnswer.handoff_id == handoff.id, MentorAnswer.pair_id.is_not(None)
        )
        first = await session.scalar(earlier.limit(1)) is None
        values = await _mentor_values(session, asked, answer, text, approved=first)
        pair = await _new_pair(session, handoff, answer, {**values, "thread_id": handoff.thread_id})
        answer.pair_id = pair.id
    pair.answer = text
    pair.reply_message_ids = [int(i) for i, _ in ordered]
    return curated_of(pair) if pair.review_state in CURATED_STATES else None


async def _new_pair(
    session: AsyncSession, handoff: HandOff, answer: MentorAnswer, values: dict[str, Any]
) -> QAPair:
    """Add the answer's pair, unless a solution marked before holds its messages: claim that one."""
    ids = {int(i) for i in answer.messages}
    thread_id = handoff.thread_id
    claimed = await claim_for_mentor(session, thread_id, ids, values) if thread_id else None
    pair = claimed or human_pair(values)
    session.add(pair)
    await session.flush()
    return pair


async def _mentor_values(
    session: AsyncSession, asked: QAPair, answer: MentorAnswer, text: str, approved: bool
) -> dict[str, Any]:
    """Return a mentor answer's pair, asked by the asker: their last words, else the question."""
    follow_up = (
        await session.get(MentorQuestion, answer.question_id) if answer.question_id else None
    )
    question = follow_up.question if follow_up else asked.question
    values = human_values(question, text, "mentor", "thread", utcnow(), approved=approved)
    values.update(user_id=asked.user_id, guild_id=asked.guild_id, channel_id=asked.channel_id)
    if follow_up is None:
        return {**values, "message_id": asked.message_id, "answers_key": asked.key}
    answers_key = await session.scalar(  # the follow-up was asked to the bot too
        select(QAPair.key).where(
            QAPair.message_id == follow_up.message_id, QAPair.provenance == "bot"
        )
    )
    return {**values, "message_id": follow_up.message_id, "answers_key": answers_key}
