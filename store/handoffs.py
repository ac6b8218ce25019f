"""Hand-offs of questions to the mentor role: their tables, reservation, placement and figures.

A hand-off is keyed by the question's public key (given at arrival, before its row may exist).
The answers mentors write in its thread are recorded by store/mentors.py.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Database
from store.errors import translated
from store.models import Base, QAPair, UTCDateTime, utcnow

OpenOutcome = Literal["opened", "already", "limited"]


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
class HandOffStats:
    """Hand-offs opened, answered by a mentor, still open; median seconds to a mentor reply."""

    opened: int
    answered: int
    open: int
    median_reply_seconds: float | None


class HandOffLog:
    """Reserve, place and count hand-offs; one short transaction per call."""

    def __init__(self, db: Database) -> None:
        """Use the given database."""
        self._db = db

    async def open(
        self, pair_key: str, user_id: int | None, guild_id: int | None, limit: int, window: float
    ) -> OpenOutcome:
        """Reserve the hand-off of a question, unless done already or the asker hit the limit."""
        since = utcnow() - timedelta(seconds=window)
        with translated("opening a hand-off"):
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
            except IntegrityError:  # inside: a concurrent reservation is an answer, not a failure
                return "already"
        return "opened"

    async def placed(self, pair_key: str, thread_id: int | None) -> None:
        """Note the thread the mentors were called in; None drops the reservation (call failed).

        The question's pair joins that thread's conversation (a `/pregunta` one had no thread).
        """
        with translated("placing a hand-off"):
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

    async def question_of(self, pair_key: str) -> str | None:
        """Return the text of a saved question (None when it was not saved)."""
        with translated("reading a question"):
            async with self._db.sessions() as session:
                return await session.scalar(select(QAPair.question).where(QAPair.key == pair_key))

    async def handed_off(self, thread_id: int) -> bool:
        """Tell whether questions of this thread were handed to the mentors."""
        with translated("reading hand-offs"):
            async with self._db.sessions() as session:
                query = select(HandOff.id).where(HandOff.thread_id == thread_id).limit(1)
                return await session.scalar(query) is not None

    async def stats(self) -> HandOffStats:
        """Count hand-offs and measure the median time to a mentor's first reply."""
        placed = select(HandOff.id, HandOff.opened_at).where(HandOff.thread_id.is_not(None))
        replies = select(MentorAnswer.handoff_id, MentorAnswer.started_at)
        with translated("counting hand-offs"):
            async with self._db.sessions() as session:
                opened = {i: at for i, at in (await session.execute(placed)).all()}
                first: dict[int, datetime] = {}
                for handoff_id, started in (await session.execute(replies)).all():
                    first[handoff_id] = min(started, first.get(handoff_id, started))
        waits = [(first[i] - at).total_seconds() for i, at in opened.items() if i in first]
        median = statistics.median(waits) if waits else None
        return HandOffStats(len(opened), len(waits), len(opened) - len(waits), median)


async def latest_handoff(session: AsyncSession, thread_id: int) -> HandOff | None:
    """Return (and lock) the thread's latest hand-off: writers of one thread go in turn."""
    query = (
        select(HandOff)
        .where(HandOff.thread_id == thread_id)
        .order_by(HandOff.opened_at.desc(), HandOff.id.desc())
        .limit(1)
        .with_for_update()  # concurrent messages of one thread extend its answers in turn
    )
    return (await session.scalars(query)).one_or_none()


async def _by_key(session: AsyncSession, pair_key: str) -> HandOff | None:
    query = select(HandOff).where(HandOff.pair_key == pair_key)
    return (await session.scalars(query)).one_or_none()
