"""Moderation of the Q&A log: the review queue, review decisions, votes and counts."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import Executable, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from store.db import Database
from store.errors import (
    AlreadyReviewedError,
    PairNotFoundError,
    PairNotSavedYetError,
    translated,
)
from store.models import Feedback, OptOut, QAPair, utcnow
from store.queries import (
    PairView,
    Stats,
    awaiting_review,
    collect_stats,
    pair_view,
    votes_down,
    votes_up,
)


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
        with translated("voting"):
            async with self._db.writing() as session:
                if await session.get(OptOut, user_id) is not None:
                    return
                pair_id = await session.scalar(select(QAPair.id).where(column == pair))
                if pair_id is None:
                    raise (PairNotSavedYetError if isinstance(pair, str) else PairNotFoundError)(
                        f"no pair {pair} in the database"
                    )
                await session.execute(self._upsert_vote(pair_id, user_id, value))

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

    async def pair(self, pair_id: int) -> PairView:
        """Return one pair as a reviewer sees it, whatever its review state."""
        query = (
            select(QAPair, votes_up(), votes_down())
            .where(QAPair.id == pair_id)
            .options(selectinload(QAPair.sources))
        )
        with translated("reading a pair"):
            async with self._db.sessions() as session:
                row = (await session.execute(query)).first()
        if row is None:
            raise PairNotFoundError(f"no pair with id {pair_id}")
        return pair_view(row[0], row[1], row[2])

    async def next_pending(self, after_id: int = 0) -> PairView | None:
        """Return the oldest pair awaiting review with an id above `after_id`."""
        query = (
            select(QAPair, votes_up(), votes_down())
            .where(awaiting_review(), QAPair.id > after_id)
            .order_by(QAPair.id)
            .limit(1)
            .options(selectinload(QAPair.sources))
        )
        with translated("reading pending pairs"):
            async with self._db.sessions() as session:
                row = (await session.execute(query)).first()
        return None if row is None else pair_view(row[0], row[1], row[2])

    async def review(
        self,
        pair_id: int,
        state: Literal["approved", "edited", "rejected"],
        reviewer_id: int | None,
        edited_answer: str | None = None,
        *,
        only_pending: bool = False,
    ) -> str:
        """Approve, edit (replacing the answer in exports) or reject a pair; return its old state.

        With `only_pending`, a pair decided meanwhile is left as it is (`AlreadyReviewedError`).
        """
        if state not in ("approved", "edited", "rejected"):
            raise ValueError(f"unknown review state {state!r}")
        edited = (edited_answer or "").strip()
        if state == "edited" and not edited:
            raise ValueError("an edited review needs the edited answer")
        with translated("saving the review"):
            async with self._db.writing() as session:
                pair = await session.get(QAPair, pair_id, with_for_update=True)
                if pair is None:
                    raise PairNotFoundError(f"no pair with id {pair_id}")
                previous = pair.review_state
                if only_pending and previous != "pending":
                    raise AlreadyReviewedError(f"pair {pair_id} was reviewed already ({previous})")
                pair.review_state, pair.reviewer_id = state, reviewer_id
                pair.edited_answer = edited if state == "edited" else None
                pair.reviewed_at = utcnow()
        return previous

    async def stats(self, top_talks: int = 10) -> Stats:
        """Count pairs by status, delivery and review state, votes, and pairs citing each talk."""
        with translated("counting"):
            async with self._db.sessions() as session:
                return await collect_stats(session, top_talks)
