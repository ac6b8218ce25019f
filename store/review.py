"""Moderation of the Q&A log: the review queue, review decisions, votes and counts."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import Executable, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from store.db import Database
from store.errors import PairNotFoundError, PairNotSavedYetError, translate
from store.models import Feedback, OptOut, QAPair, utcnow
from store.queries import PairView, Stats, collect_stats, pair_view, votes_down, votes_up

# Pairs a moderator reviews: answers that ended (and that the user saw, at least in part).
REVIEWABLE_STATUSES = ("answered", "partial", "fallback", "refused")


class ReviewLog:
    """Review queue, decisions, votes and statistics; one short transaction per call."""

    def __init__(self, db: Database) -> None:
        """Use the given database."""
        self._db = db

    async def vote(self, pair: int | str, user_id: int, value: int) -> None:
        """Store a user's +1/-1 on a pair (by id or key), replacing their earlier vote."""
        if value not in (1, -1):
            raise ValueError("a vote is +1 or -1")
        column = QAPair.key if isinstance(pair, str) else QAPair.id
        try:
            async with self._db.writing() as session:
                if await session.get(OptOut, user_id) is not None:
                    return
                pair_id = await session.scalar(select(QAPair.id).where(column == pair))
                if pair_id is None:
                    raise (PairNotSavedYetError if isinstance(pair, str) else PairNotFoundError)(
                        f"no pair {pair} in the database"
                    )
                await session.execute(self._upsert_vote(pair_id, user_id, value))
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "voting") from error

    def _upsert_vote(self, pair_id: int, user_id: int, value: int) -> Executable:
        dialect = self._db.engine.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        now = utcnow()
        statement = insert(Feedback).values(
            pair_id=pair_id, user_id=user_id, value=value, created_at=now, updated_at=now
        )
        return statement.on_conflict_do_update(
            index_elements=[Feedback.pair_id, Feedback.user_id],
            set_={"value": value, "updated_at": now},
        )

    async def next_pending(self, after_id: int = 0) -> PairView | None:
        """Return the oldest pair awaiting review with an id above `after_id`."""
        query = (
            select(QAPair, votes_up(), votes_down())
            .where(QAPair.review_state == "pending", QAPair.id > after_id)
            .where(QAPair.status.in_(REVIEWABLE_STATUSES))
            .where(QAPair.delivery != "not_delivered")
            .order_by(QAPair.id)
            .limit(1)
            .options(selectinload(QAPair.sources))
        )
        try:
            async with self._db.sessions() as session:
                row = (await session.execute(query)).first()
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "reading pending pairs") from error
        return None if row is None else pair_view(row[0], row[1], row[2])

    async def review(
        self,
        pair_id: int,
        state: Literal["approved", "edited", "rejected"],
        reviewer_id: int | None,
        edited_answer: str | None = None,
    ) -> None:
        """Approve, edit (replacing the answer in exports) or reject a pair."""
        if state not in ("approved", "edited", "rejected"):
            raise ValueError(f"unknown review state {state!r}")
        edited = (edited_answer or "").strip()
        if state == "edited" and not edited:
            raise ValueError("an edited review needs the edited answer")
        values = {
            "review_state": state,
            "edited_answer": edited if state == "edited" else None,
            "reviewer_id": reviewer_id,
            "reviewed_at": utcnow(),
        }
        try:
            async with self._db.writing() as session:
                result = await session.execute(
                    update(QAPair).where(QAPair.id == pair_id).values(**values)
                )
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "saving the review") from error
        if not result.rowcount:  # type: ignore[attr-defined]
            raise PairNotFoundError(f"no pair with id {pair_id}")

    async def stats(self, top_talks: int = 10) -> Stats:
        """Count pairs by status, delivery and review state, votes, and pairs citing each talk."""
        try:
            async with self._db.sessions() as session:
                return await collect_stats(session, top_talks)
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "counting") from error
