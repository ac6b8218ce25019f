"""Users' control over their data, and retention: opt-outs, deletion on request, expiry."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import SQLAlchemyError

from store.db import Database
from store.errors import translate
from store.models import Feedback, OptOut, QAPair, utcnow
from store.recording import PairRecorder

log = logging.getLogger(__name__)


class PrivacyLog:
    """Opt-outs and deletion of a user's data (database and spool)."""

    def __init__(self, db: Database, recorder: PairRecorder) -> None:
        """Use the given database, and the recorder (its spooled questions count too)."""
        self._db = db
        self._recorder = recorder

    async def is_opted_out(self, user_id: int) -> bool:
        """Tell whether the user asked not to be logged."""
        try:
            async with self._db.sessions() as session:
                return await session.get(OptOut, user_id) is not None
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "reading the opt-out") from error

    async def set_opt_out(self, user_id: int, opted_out: bool) -> None:
        """Record or withdraw a user's wish not to be logged."""
        try:
            async with self._db.writing() as session:
                found = await session.get(OptOut, user_id)
                if opted_out and found is None:
                    session.add(OptOut(user_id=user_id))
                elif not opted_out and found is not None:
                    await session.delete(found)
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "saving the opt-out") from error

    async def delete_user_data(self, user_id: int) -> int:
        """Delete the user's pairs (with their sources and votes) and votes; return how many."""
        try:
            async with self._db.writing() as session:
                pairs = await session.execute(delete(QAPair).where(QAPair.user_id == user_id))
                votes = await session.execute(delete(Feedback).where(Feedback.user_id == user_id))
                await session.execute(
                    update(QAPair).where(QAPair.reviewer_id == user_id).values(reviewer_id=None)
                )
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "deleting user data") from error
        spooled = await self._recorder.forget_user(user_id)
        return int(pairs.rowcount + votes.rowcount) + spooled  # type: ignore[attr-defined]


async def purge_expired(db: Database, days: int) -> int:
    """Delete pairs older than `days` (0 keeps all); return how many."""
    if days <= 0:
        return 0
    cutoff = utcnow() - timedelta(days=days)
    try:
        async with db.writing() as session:
            result = await session.execute(delete(QAPair).where(QAPair.created_at < cutoff))
    except (SQLAlchemyError, OSError) as error:
        raise translate(error, "purging expired pairs") from error
    deleted = int(result.rowcount)  # type: ignore[attr-defined]
    if deleted:
        log.info("purged %d pairs older than %d days", deleted, days)
    return deleted
