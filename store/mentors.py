"""Mentors in the loop: hand-offs of questions to the mentor role, and the answers mentors write.

A hand-off is keyed by the question's public key (given at arrival, before its row may exist).
Each mentor answer becomes a pair with provenance `mentor`: a mentor's consecutive messages form
one answer until a participant speaks. The hand-off's first answer is approved without review
(it joins the curated answers at once); any later one (a second mentor, or a mentor after the
asker spoke again) is kept as a pending pair for the moderators, so no mentor reply is lost and a
"+1" never becomes a curated answer.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    ForeignKey,
    Integer,
    String,
    and_,
    func,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from store.conversations import MentorQuestion
from store.db import Database
from store.errors import translate
from store.models import Base, OptOut, QAPair, UTCDateTime, utcnow
from store.records import new_key

# `community`: an accepted help-forum answer by a member who is not a mentor (store/solutions.py).
Provenance = Literal["bot", "edited", "mentor", "moderator", "community"]
PROVENANCES: tuple[Provenance, ...] = ("bot", "edited", "mentor", "moderator", "community")
OpenOutcome = Literal["opened", "already", "limited"]
HUMAN_MODE = "human"


class HandOff(Base):
    """One question handed to the mentors."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pair_key: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger)
    thread_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class MentorAnswer(Base):
    """One mentor's answer to a hand-off: their messages until a participant spoke."""

    __tablename__ = "mentor_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), index=True
    )
    mentor_id: Mapped[int] = mapped_column(BigInteger, index=True)
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("qa_pairs.id", ondelete="SET NULL"))
    # What the asker said last when this answer started (None: the handed-off question).
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentor_questions.id", ondelete="SET NULL")
    )
    # Message id (as text) -> content: the messages the answer is made of.
    messages: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A participant spoke: this mentor's next message starts another answer.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


@dataclass(frozen=True, slots=True)
class CuratedPair:
    """A pair fit to answer others: its id, question, final answer and provenance."""

    pair_id: int
    question: str
    answer: str
    provenance: str


@dataclass(frozen=True, slots=True)
class HandOffStats:
    """Hand-offs opened, answered by a mentor, still open; median seconds to a mentor reply."""

    opened: int
    answered: int
    open: int
    median_reply_seconds: float | None


def provenance_of(pair: QAPair) -> str:
    """Return the exported provenance: a bot answer a moderator edited is `edited`."""
    if pair.provenance == "bot" and pair.review_state == "edited":
        return "edited"
    return pair.provenance


def provenance_condition(provenance: str) -> ColumnElement[bool]:
    """Select the pairs whose exported provenance is `provenance` (any stored value works)."""
    if provenance in ("bot", "edited"):
        edited = QAPair.review_state == "edited"
        return and_(QAPair.provenance == "bot", edited if provenance == "edited" else ~edited)
    return QAPair.provenance == provenance


def curated_of(pair: QAPair) -> CuratedPair:
    """Describe an approved pair as a curated answer (the edited text wins)."""
    answer = pair.edited_answer if pair.review_state == "edited" and pair.edited_answer else None
    return CuratedPair(pair.id, pair.question, answer or pair.answer, provenance_of(pair))


CURATED_STATES = ("approved", "edited")


class MentorLog:
    """Hand-offs, mentor answers and moderator-written pairs; one short transaction per call."""

    def __init__(self, db: Database) -> None:
        """Use the given database."""
        self._db = db

    async def open(
        self, pair_key: str, user_id: int | None, guild_id: int | None, limit: int, window: float
    ) -> OpenOutcome:
        """Reserve the hand-off of a question, unless done already or the asker hit the limit."""
        since = utcnow() - timedelta(seconds=window)
        try:
            async with self._db.writing() as session:
                if await session.scalar(select(HandOff.id).where(HandOff.pair_key == pair_key)):
                    return "already"
                recent = await session.scalar(
                    select(func.count())
                    .where(HandOff.user_id == user_id, HandOff.opened_at >= since)
                    .select_from(HandOff)
                )
                if user_id is not None and int(recent or 0) >= limit:
                    return "limited"
                session.add(HandOff(pair_key=pair_key, user_id=user_id, guild_id=guild_id))
        except IntegrityError:
            return "already"
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "opening a hand-off") from error
        return "opened"

    async def placed(self, pair_key: str, thread_id: int | None) -> None:
        """Note the thread the mentors were called in; None drops the reservation (call failed).

        The question's pair joins that thread's conversation (a `/pregunta` one had no thread).
        """
        try:
            async with self._db.writing() as session:
                found = await _by_key(session, pair_key)
                if found is not None and thread_id is None:
                    await session.delete(found)
                elif found is not None:
                    found.thread_id = thread_id
                    await session.execute(
                        update(QAPair)
                        .where(QAPair.key == pair_key, QAPair.thread_id.is_(None))
                        .values(thread_id=thread_id)
                    )
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "placing a hand-off") from error

    async def question_of(self, pair_key: str) -> str | None:
        """Return the text of a saved question (None when it was not saved)."""
        try:
            async with self._db.sessions() as session:
                return await session.scalar(select(QAPair.question).where(QAPair.key == pair_key))
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "reading a question") from error

    async def handed_off(self, thread_id: int) -> bool:
        """Tell whether questions of this thread were handed to the mentors."""
        try:
            async with self._db.sessions() as session:
                query = select(HandOff.id).where(HandOff.thread_id == thread_id).limit(1)
                return await session.scalar(query) is not None
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "reading hand-offs") from error

    async def mentor_said(
        self, thread_id: int, mentor_id: int, message_id: int, text: str
    ) -> CuratedPair | None:
        """Record a mentor's message in their open answer; return the pair if it is curated.

        A mentor who opted out of logging (`/privacidad`) is not recorded.
        """
        try:
            async with self._db.writing() as session:
                handoff = await _latest_handoff(session, thread_id)
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
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "recording a mentor answer") from error

    async def mentor_edited(self, thread_id: int, message_id: int, text: str) -> CuratedPair | None:
        """Update a mentor answer when one of its messages is edited before a participant spoke."""
        try:
            async with self._db.writing() as session:
                handoff = await _latest_handoff(session, thread_id)
                answers = await _open_answers(session, handoff.id) if handoff else []
                answer = next((a for a in answers if str(message_id) in a.messages), None)
                if handoff is None or answer is None:
                    return None
                answer.messages = {**answer.messages, str(message_id): text}
                return await _write_answer(session, handoff, answer)
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "updating a mentor answer") from error

    async def participant_said(
        self, thread_id: int, user_id: int, message_id: int, text: str
    ) -> None:
        """Close the open mentor answers of this thread: the next mentor message starts another.

        What the asker says becomes the question the mentors' next answers reply to.
        """
        try:
            async with self._db.writing() as session:
                handoff = await _latest_handoff(session, thread_id)
                if handoff is None:
                    return
                for answer in await _open_answers(session, handoff.id):
                    answer.closed_at = utcnow()
                if user_id == handoff.user_id and text.strip() and await _kept(session, handoff):
                    question = MentorQuestion(
                        handoff_id=handoff.id, message_id=message_id, question=text.strip()
                    )
                    session.add(question)
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "closing a mentor answer") from error

    async def add_moderator_pair(
        self, question: str, answer: str, author_id: int | None
    ) -> CuratedPair:
        """Save a question and answer written by a moderator, approved."""
        now = utcnow()
        pair = _human_pair(question, answer, "moderator", "cli", now)
        pair.reviewer_id = author_id
        try:
            async with self._db.writing() as session:
                session.add(pair)
                await session.flush()
                return curated_of(pair)
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "saving a moderator answer") from error

    async def curated(self, pair_id: int | None = None) -> list[CuratedPair]:
        """Return the approved pairs (or the one `pair_id`, if approved), oldest first."""
        query = select(QAPair).where(QAPair.review_state.in_(CURATED_STATES)).order_by(QAPair.id)
        if pair_id is not None:
            query = query.where(QAPair.id == pair_id)
        try:
            async with self._db.sessions() as session:
                return [curated_of(pair) for pair in (await session.scalars(query)).all()]
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "reading curated pairs") from error

    async def withdraw(self, pair_id: int, reviewer_id: int | None) -> bool:
        """Take a pair out of the curated answers: delete a moderator's, reject any other."""
        try:
            async with self._db.writing() as session:
                pair = await session.get(QAPair, pair_id)
                if pair is None:
                    return False
                if pair.provenance == "moderator":
                    await session.delete(pair)
                else:
                    pair.review_state, pair.reviewer_id = "rejected", reviewer_id
                    pair.reviewed_at = utcnow()
                return True
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "withdrawing a curated pair") from error

    async def stats(self) -> HandOffStats:
        """Count hand-offs and measure the median time to a mentor's first reply."""
        placed = select(HandOff.id, HandOff.opened_at).where(HandOff.thread_id.is_not(None))
        replies = select(MentorAnswer.handoff_id, MentorAnswer.started_at)
        try:
            async with self._db.sessions() as session:
                opened = {i: at for i, at in (await session.execute(placed)).all()}
                first: dict[int, datetime] = {}
                for handoff_id, started in (await session.execute(replies)).all():
                    first[handoff_id] = min(started, first.get(handoff_id, started))
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "counting hand-offs") from error
        waits = [(first[i] - at).total_seconds() for i, at in opened.items() if i in first]
        median = statistics.median(waits) if waits else None
        return HandOffStats(len(opened), len(waits), len(opened) - len(waits), median)


async def _by_key(session: AsyncSession, pair_key: str) -> HandOff | None:
    query = select(HandOff).where(HandOff.pair_key == pair_key)
    return (await session.scalars(query)).one_or_none()


async def _latest_handoff(session: AsyncSession, thread_id: int) -> HandOff | None:
    query = (
        select(HandOff)
        .where(HandOff.thread_id == thread_id)
        .order_by(HandOff.opened_at.desc(), HandOff.id.desc())
        .limit(1)
        .with_for_update()  # concurrent messages of one thread extend its answers in turn
    )
    return (await session.scalars(query)).one_or_none()


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


def _human_pair(
    question: str, answer: str, provenance: str, surface: str, now: datetime, approved: bool = True
) -> QAPair:
    return QAPair(
        key=new_key(),
        created_at=now,
        question=question,
        answer=answer,
        status="answered",
        delivery="delivered",
        mode=HUMAN_MODE,
        timings={},
        surface=surface,
        review_state="approved" if approved else "pending",
        reviewed_at=now if approved else None,
        provenance=provenance,
    )


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
        pair = await _mentor_pair(session, asked, answer, text, approved=first)
        pair.thread_id = handoff.thread_id
        session.add(pair)
        await session.flush()
        answer.pair_id = pair.id
    pair.answer = text
    pair.reply_message_ids = [int(i) for i, _ in ordered]
    return curated_of(pair) if pair.review_state in CURATED_STATES else None


async def _mentor_pair(
    session: AsyncSession, asked: QAPair, answer: MentorAnswer, text: str, approved: bool
) -> QAPair:
    """Build a mentor answer's pair, asked by the asker: their last words, else the question."""
    follow_up = (
        await session.get(MentorQuestion, answer.question_id) if answer.question_id else None
    )
    question = follow_up.question if follow_up else asked.question
    pair = _human_pair(question, text, "mentor", "thread", utcnow(), approved=approved)
    pair.user_id, pair.guild_id, pair.channel_id = asked.user_id, asked.guild_id, asked.channel_id
    if follow_up is None:
        pair.message_id, pair.answers_key = asked.message_id, asked.key
        return pair
    pair.message_id = follow_up.message_id
    pair.answers_key = await session.scalar(  # the follow-up was asked to the bot too
        select(QAPair.key).where(
            QAPair.message_id == follow_up.message_id, QAPair.provenance == "bot"
        )
    )
    return pair
