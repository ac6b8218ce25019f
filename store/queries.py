"""Query pieces shared by the repository and the export: vote counts and pair views."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, and_, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Feedback, OptOut, PairSource, QAPair

# Pairs a moderator reviews: answers that ended (and that the user saw, at least in part).
REVIEWABLE_STATUSES = ("answered", "partial", "fallback", "refused")


def awaiting_review() -> ColumnElement[bool]:
    """Select the pairs the review queue offers: pending, ended, and seen by the user."""
    return and_(
        QAPair.review_state == "pending",
        QAPair.status.in_(REVIEWABLE_STATUSES),
        QAPair.delivery != "not_delivered",
    )


def votes_up() -> ScalarSelect[int]:
    """Count the pair's 👍 votes (correlated to QAPair; uses the feedback primary key)."""
    return (
        select(func.count())
        .where(Feedback.pair_id == QAPair.id, Feedback.value > 0)
        .scalar_subquery()
    )


def votes_down() -> ScalarSelect[int]:
    """Count the pair's 👎 votes (correlated to QAPair)."""
    return (
        select(func.count())
        .where(Feedback.pair_id == QAPair.id, Feedback.value < 0)
        .scalar_subquery()
    )


@dataclass(frozen=True, slots=True)
class SourceView:
    """A cited passage as shown to a reviewer."""

    title: str
    author: str
    quote: str
    score: float


@dataclass(frozen=True, slots=True)
class PairView:
    """A logged pair as shown to a reviewer, with its votes."""

    id: int
    created_at: datetime
    question: str
    answer: str
    status: str
    mode: str
    surface: str
    model: str | None
    review_state: str
    edited_answer: str | None
    provenance: str  # who wrote the answer: bot, mentor or moderator
    votes_up: int = 0
    votes_down: int = 0
    sources: list[SourceView] = field(default_factory=list)


def pair_view(pair: QAPair, up: int | None, down: int | None) -> PairView:
    """Build the reviewer's view of a loaded pair (sources must be loaded)."""
    return PairView(
        id=pair.id,
        created_at=pair.created_at,
        question=pair.question,
        answer=pair.answer,
        status=pair.status,
        mode=pair.mode,
        surface=pair.surface,
        model=pair.model,
        review_state=pair.review_state,
        edited_answer=pair.edited_answer,
        provenance=pair.provenance,
        votes_up=int(up or 0),
        votes_down=int(down or 0),
        sources=[SourceView(s.title, s.author, s.quote, s.score) for s in pair.sources],
    )


@dataclass(frozen=True, slots=True)
class Stats:
    """Counts over the whole log."""

    total: int
    by_status: dict[str, int]
    by_review: dict[str, int]
    votes_up: int
    votes_down: int
    voted_pairs: int
    by_talk: list[tuple[str, str, int]]
    opted_out_users: int


async def _count_by(session: AsyncSession, column: Any) -> dict[str, int]:
    rows = await session.execute(select(column, func.count()).group_by(column))
    return {key: int(n) for key, n in rows}


async def collect_stats(session: AsyncSession, top_talks: int) -> Stats:
    """Count pairs by status and review state, votes, and the pairs citing each talk."""
    by_status = await _count_by(session, QAPair.status)
    by_review = await _count_by(session, QAPair.review_state)
    # `pending` is what the review queue offers; unreviewed pairs it never offers (errors,
    # cancelled or unseen answers, questions still in progress) are counted apart.
    queue = int(await session.scalar(select(func.count()).where(awaiting_review())) or 0)
    unreviewable = by_review.pop("pending", 0) - queue
    if queue:
        by_review["pending"] = queue
    if unreviewable:
        by_review["not_reviewable"] = unreviewable
    votes = select(
        func.count().filter(Feedback.value > 0),
        func.count().filter(Feedback.value < 0),
        func.count(distinct(Feedback.pair_id)),
    )
    up, down, voted = (await session.execute(votes)).one()
    cited = func.count(distinct(PairSource.pair_id))
    talks = await session.execute(
        select(PairSource.title, PairSource.author, cited)
        .where(PairSource.talk_id != "faq")  # keynotes only: a reused curated answer is no talk
        .group_by(PairSource.title, PairSource.author)
        .order_by(cited.desc(), PairSource.title)
        .limit(top_talks)
    )
    opted_out = await session.scalar(select(func.count()).select_from(OptOut))
    return Stats(
        total=sum(by_status.values()),
        by_status=by_status,
        by_review=by_review,
        votes_up=int(up or 0),
        votes_down=int(down or 0),
        voted_pairs=int(voted or 0),
        by_talk=[(title, author, int(n)) for title, author, n in talks],
        opted_out_users=int(opted_out or 0),
    )
