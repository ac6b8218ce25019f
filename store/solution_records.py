"""Solution records of help-forum posts and the pairs they point at: reused, released, claimed.

A record either owns its pair (`reused_review_state` None: deleted with it) or reuses a pair the
log already held (the bot's answer, a hand-off's mentor reply), whose review state it gives back
when it goes. A mentor reply marked before the mentor log recorded it (its message event came
late) is claimed by that log: the record's own pair becomes the mentor pair, reused, so one
Discord message makes one pair whatever the order (`claim_for_mentor`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from store.conversations import ANSWER_STATUSES, MENTOR
from store.curated import HUMAN_MODE
from store.models import Base, QAPair, UTCDateTime, utcnow


class ForumSolution(Base):
    """The accepted answer of one help-forum post (at most one per post)."""

    __tablename__ = "forum_solutions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    thread_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("qa_pairs.id", ondelete="CASCADE"), index=True)
    asker_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    answerer_id: Mapped[int] = mapped_column(BigInteger, index=True)
    accepted_by: Mapped[int | None] = mapped_column(BigInteger)
    provenance: Mapped[str] = mapped_column(String(16))
    # Message id (as text) -> content: the answerer's consecutive messages.
    messages: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    solved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when the answer is an existing pair of the post (reused, not owned): its review state
    # before the acceptance, given back when the record goes. None: the record owns its pair.
    reused_review_state: Mapped[str | None] = mapped_column(String(16))


async def solution_of(session: AsyncSession, thread_id: int) -> ForumSolution | None:
    """Return (and lock) the record of a post, if it has one."""
    query = select(ForumSolution).where(ForumSolution.thread_id == thread_id).with_for_update()
    return (await session.scalars(query)).one_or_none()


async def drop_solution(session: AsyncSession, thread_id: int) -> int | None:
    """Delete a post's accepted answer and its own pair, or release a reused one; return its id."""
    found = await solution_of(session, thread_id)
    if found is None:
        return None
    if found.reused_review_state is None:
        await session.execute(delete(QAPair).where(QAPair.id == found.pair_id))
    else:
        await _release(session, found)
    await session.execute(delete(ForumSolution).where(ForumSolution.id == found.id))
    return found.pair_id


async def unlink_person(session: AsyncSession, user_id: int) -> list[int]:
    """Delete the records of posts a person asked or answered; return the pairs to delete.

    Those are the pairs holding the person's text: every pair a record owns (the asker's question,
    the answerer's answer) and the reused pairs they answered. A reused pair that only answers
    the asker's post is released instead (if it answers a question of theirs, that goes anyway).
    """
    theirs = (ForumSolution.asker_id == user_id) | (ForumSolution.answerer_id == user_id)
    doomed: list[int] = []
    for found in (await session.scalars(select(ForumSolution).where(theirs))).all():
        if found.reused_review_state is None or found.answerer_id == user_id:
            doomed.append(found.pair_id)
        else:
            await _release(session, found)
    await session.execute(delete(ForumSolution).where(theirs))
    return doomed


async def logged_pair(
    session: AsyncSession, thread_id: int, messages: dict[int, str]
) -> QAPair | None:
    """Find the pair of the post that already holds the answer: the bot's or a mentor's."""
    ids = set(messages)
    query = select(QAPair).where(QAPair.thread_id == thread_id).order_by(QAPair.id)
    for pair in (await session.scalars(query)).all():
        answered = pair.provenance == MENTOR or (
            pair.mode != HUMAN_MODE and pair.status in ANSWER_STATUSES
        )
        if answered and ids & set(pair.reply_message_ids or []):
            return pair
    return None


def approve(pair: QAPair, provenance: str, accepted_by: int | None) -> None:
    """Approve a reused pending pair as an own pair would be: unless a community member wrote it."""
    if pair.review_state != "pending" or provenance == "community":
        return
    pair.review_state, pair.reviewed_at = "approved", utcnow()
    pair.reviewer_id = accepted_by


async def claim_for_mentor(
    session: AsyncSession, thread_id: int, message_ids: set[int], mentor_pair: dict[str, Any]
) -> QAPair | None:
    """Turn the own pair of a solution holding these mentor messages into their mentor pair.

    The solution was marked before the mentor log recorded the messages: the pair becomes what
    it would have been the other way round (the hand-off's `mentor_pair` columns, reused by the
    record and approved by the mark), keeping its id; a review made since the mark is kept.
    """
    found = await solution_of(session, thread_id)
    if found is None or found.reused_review_state is not None:
        return None
    if not message_ids & {int(i) for i in found.messages}:
        return None
    pair = await session.get(QAPair, found.pair_id)
    if pair is None:
        return None
    reviewed = (pair.review_state, pair.reviewer_id) != _review_at_mark(found)
    review = ("review_state", "reviewed_at") if reviewed else ()
    for column, value in mentor_pair.items():
        if column not in review:
            setattr(pair, column, value)
    found.reused_review_state = mentor_pair["review_state"]
    if not reviewed:
        pair.reviewer_id = None
        approve(pair, found.provenance, found.accepted_by)
    return pair


def _review_at_mark(found: ForumSolution) -> tuple[str, int | None]:
    """Return the review state and reviewer an own pair got when it was accepted (solutions.py)."""
    return ("pending", None) if found.provenance == "community" else ("approved", found.accepted_by)


async def _release(session: AsyncSession, found: ForumSolution) -> None:
    """Give a reused pair the review state it had, unless a moderator reviewed it since."""
    pair = await session.get(QAPair, found.pair_id)
    if pair is None or found.reused_review_state != "pending":
        return
    if pair.review_state == "approved" and pair.reviewer_id == found.accepted_by:
        pair.review_state, pair.reviewer_id, pair.reviewed_at = "pending", None, None
