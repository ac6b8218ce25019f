"""Curated answers: approved pairs fit to answer others, and the pairs moderators write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from store.db import Database
from store.errors import translated
from store.models import QAPair, utcnow
from store.provenance import provenance_of
from store.records import new_key

CURATED_STATES = ("approved", "edited")
HUMAN_MODE = "human"


@dataclass(frozen=True, slots=True)
class CuratedPair:
    """A pair fit to answer others: its id, question, final answer and provenance."""

    pair_id: int
    question: str
    answer: str
    provenance: str


def curated_of(pair: QAPair) -> CuratedPair:
    """Describe an approved pair as a curated answer (the edited text wins)."""
    answer = pair.edited_answer if pair.review_state == "edited" and pair.edited_answer else None
    return CuratedPair(pair.id, pair.question, answer or pair.answer, provenance_of(pair))


def human_values(
    question: str, answer: str, provenance: str, surface: str, now: datetime, approved: bool = True
) -> dict[str, Any]:
    """Return the columns of a pair a person answered (approved at once, or pending review)."""
    return {
        "created_at": now,
        "question": question,
        "answer": answer,
        "status": "answered",
        "delivery": "delivered",
        "mode": HUMAN_MODE,
        "timings": {},
        "surface": surface,
        "review_state": "approved" if approved else "pending",
        "reviewed_at": now if approved else None,
        "provenance": provenance,
    }


def human_pair(values: dict[str, Any]) -> QAPair:
    """Build a new pair, under a key of its own, from `human_values` and any other columns."""
    return QAPair(key=new_key(), **values)


class CuratedLog:
    """Read, withdraw and write curated answers; one short transaction per call."""

    def __init__(self, db: Database) -> None:
        """Use the given database."""
        self._db = db

    async def add_moderator_pair(
        self, question: str, answer: str, author_id: int | None
    ) -> CuratedPair:
        """Save a question and answer written by a moderator, approved."""
        pair = human_pair(human_values(question, answer, "moderator", "cli", utcnow()))
        pair.reviewer_id = author_id
        with translated("saving a moderator answer"):
            async with self._db.writing() as session:
                session.add(pair)
                await session.flush()
                return curated_of(pair)

    async def curated(self, pair_id: int | None = None) -> list[CuratedPair]:
        """Return the approved pairs (or the one `pair_id`, if approved), oldest first."""
        query = select(QAPair).where(QAPair.review_state.in_(CURATED_STATES)).order_by(QAPair.id)
        if pair_id is not None:
            query = query.where(QAPair.id == pair_id)
        with translated("reading curated pairs"):
            async with self._db.sessions() as session:
                return [curated_of(pair) for pair in (await session.scalars(query)).all()]

    async def withdraw(self, pair_id: int, reviewer_id: int | None) -> bool:
        """Take a pair out of the curated answers: delete a moderator's, reject any other."""
        with translated("withdrawing a curated pair"):
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
