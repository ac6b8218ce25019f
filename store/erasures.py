"""Erasure requests: a forgotten person's questions are never written back, by any process.

A question may still be in flight when its asker is forgotten by another process (the bot
answering while `pide-ayuda privacy forget` runs, or another shard), or wait in a spool. Every
write of a question checks, in its own transaction, whether its asker was forgotten at or after
the question's arrival. Each such write and each forgetting first takes a lock that orders them:
SQLite's write lock (`BEGIN IMMEDIATE`), or PostgreSQL's transaction advisory lock keyed by the
user id (shared for a write, exclusive for a forgetting; two int4 keys, a key space apart from the
one-bigint migration lock). So a write either ends before the forgetting deletes, which then finds
its row, or sees the record.

A record holds the Discord user id only `ERASURE_KEEP`: the daily retention job prunes it then.
A question that arrived longer ago than that cannot be checked, so it is never written
(`ErasureUnknownError`): the recorder sets it aside in the quarantine file for a human.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import ErasureRequest, utcnow
from store.records import QuestionRecord

ERASURE_KEEP = timedelta(days=30)


class ErasureUnknownError(LookupError):
    """The question arrived before the oldest erasure record kept: its asker may be forgotten."""


def check_within_keep(question: QuestionRecord) -> None:
    """Refuse a question older than `ERASURE_KEEP`: whether its asker was forgotten is unknown."""
    if question.context.user_id is not None and question.created_at < utcnow() - ERASURE_KEEP:
        raise ErasureUnknownError(
            f"question {question.key} arrived {question.created_at:%Y-%m-%d}, before the erasure"
            f" records kept ({ERASURE_KEEP.days} days)"
        )


async def hold_person(session: AsyncSession, user_id: int | None, *, forgetting: bool) -> None:
    """Order this transaction with forgetting `user_id`; call before any other statement."""
    if user_id is None:
        return  # nobody to forget: a question from the command line
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        await session.execute(text("BEGIN IMMEDIATE"))  # the file's write lock, held to commit
    elif dialect == "postgresql":
        lock = "pg_advisory_xact_lock" if forgetting else "pg_advisory_xact_lock_shared"
        # The two-int4 form is a key space of its own: never the one-bigint migration lock.
        high, low = _int4_pair(user_id)
        await session.execute(text(f"SELECT {lock}(:high, :low)"), {"high": high, "low": low})


def _int4_pair(user_id: int) -> tuple[int, int]:
    """Split a 64-bit id into the two signed 32-bit keys of a PostgreSQL advisory lock."""
    return _signed((user_id >> 32) & 0xFFFFFFFF), _signed(user_id & 0xFFFFFFFF)


def _signed(word: int) -> int:
    """Read an unsigned 32-bit word as PostgreSQL's signed int4."""
    return word - (1 << 32) if word >= 1 << 31 else word


def record_erasure(session: AsyncSession, user_id: int) -> None:
    """Note that the person is forgotten from now on, inside the forgetting transaction."""
    session.add(ErasureRequest(user_id=user_id, forgotten_at=utcnow()))


async def was_forgotten(session: AsyncSession, question: QuestionRecord) -> bool:
    """Tell whether the question's asker was forgotten since it arrived."""
    user_id = question.context.user_id
    if user_id is None:
        return False
    query = select(ErasureRequest.id).where(
        ErasureRequest.user_id == user_id, ErasureRequest.forgotten_at >= question.created_at
    )
    return await session.scalar(query.limit(1)) is not None


async def prune_erasures(session: AsyncSession) -> int:
    """Delete the records older than `ERASURE_KEEP`; count them."""
    expired = ErasureRequest.forgotten_at < utcnow() - ERASURE_KEEP
    if await session.scalar(select(ErasureRequest.id).where(expired).limit(1)) is None:
        return 0  # nothing to write: a database that takes no writes now is left alone
    result = await session.execute(delete(ErasureRequest).where(expired))
    return int(result.rowcount)  # type: ignore[attr-defined]
