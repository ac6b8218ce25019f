"""One question's row, written idempotently by key: the writes the recorder's worker applies."""

from __future__ import annotations

from typing import cast

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from store.models import OptOut, PairSource, QAPair
from store.records import AskContext, OutcomeRecord, QuestionRecord, Surface
from store.spool import Replied

INTERRUPTED_CAUSE = "interrupted: the process stopped before the answer finished"


class RowMissingError(LookupError):
    """A write names a question whose row is not in the database (yet)."""


async def opted_out(session: AsyncSession, user_id: int | None) -> bool:
    """Tell whether the asker opted out of being logged."""
    return user_id is not None and await session.get(OptOut, user_id) is not None


async def find_pair(session: AsyncSession, key: str) -> QAPair | None:
    """Return the row of a question key, with its sources."""
    query = select(QAPair).where(QAPair.key == key).options(selectinload(QAPair.sources))
    return (await session.execute(query)).scalar_one_or_none()


async def forget(session: AsyncSession, key: str) -> None:
    """Delete a question's row if it exists."""
    pair = await find_pair(session, key)
    if pair is not None:
        await session.delete(pair)


def arrival_of(pair: QAPair) -> QuestionRecord:
    """Return the question a row holds, as it arrived (the inverse of `new_row`)."""
    surface = cast(Surface, pair.surface)
    context = AskContext(
        surface, pair.user_id, pair.guild_id, pair.channel_id, pair.thread_id, pair.message_id
    )
    return QuestionRecord(str(pair.key), pair.question, context, pair.created_at)


def new_row(question: QuestionRecord, status: str, owner: str | None = None) -> QAPair:
    """Build the row of a question as it arrived (`owner`: the process answering it)."""
    context = question.context
    return QAPair(
        key=question.key,
        created_at=question.created_at,
        question=question.question,
        answer="",
        status=status,
        delivery="pending" if status == "in_progress" else "not_delivered",
        error_cause=INTERRUPTED_CAUSE if status == "interrupted" else None,
        mode="pending",
        timings={},
        surface=context.surface,
        user_id=context.user_id,
        guild_id=context.guild_id,
        channel_id=context.channel_id,
        thread_id=context.thread_id,
        message_id=context.message_id,
        owner=owner,
    )


async def apply_open(
    session: AsyncSession, question: QuestionRecord, orphan: bool, owner: str
) -> None:
    """Insert the arrival row unless it exists (an orphan from a dead process: interrupted)."""
    if await find_pair(session, question.key) is None:
        session.add(new_row(question, "interrupted" if orphan else "in_progress", owner))


async def apply_reply(session: AsyncSession, entry: Replied) -> None:
    """Note the message that shows the answer; the row must exist."""
    result = await session.execute(
        update(QAPair)
        .where(QAPair.key == entry.key)
        .values(reply_channel_id=entry.channel_id, reply_message_id=entry.message_id)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise RowMissingError(entry.key)


async def apply_finish(
    session: AsyncSession, question: QuestionRecord, outcome: OutcomeRecord
) -> None:
    """Write a question's outcome in one go, inserting the whole row if its arrival is missing."""
    pair = await find_pair(session, question.key)
    if pair is None:
        pair = new_row(question, outcome.status)
        pair.sources = []
        session.add(pair)
    pair.answer = outcome.answer
    pair.notice = outcome.notice
    pair.status = outcome.status
    pair.delivery = outcome.delivery
    pair.mode = outcome.mode
    pair.model = outcome.model
    pair.endpoint = outcome.endpoint
    pair.error_cause = outcome.error_cause
    pair.timings = dict(outcome.timings)
    if outcome.reply_message_ids:
        pair.reply_message_ids = list(outcome.reply_message_ids)
    pair.sources = [
        PairSource(
            rank=rank,
            talk_id=s.talk_id,
            chunk_id=s.chunk_id,
            title=s.title,
            author=s.author,
            quote=s.quote,
            text=s.text or None,
            score=float(s.score),
        )
        for rank, s in enumerate(outcome.sources)
    ]
