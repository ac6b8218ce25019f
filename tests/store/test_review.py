"""Review, stats and retention on real SQLite and PostgreSQL databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from store.db import Database
from store.errors import AlreadyReviewedError, PairNotFoundError
from store.models import QAPair, utcnow
from store.records import AskContext
from tests.store.conftest import QALog, make_answer

CTX = AskContext(surface="slash", user_id=42)


async def test_next_pending_walks_reviewable_pairs_in_order(qalog: QALog) -> None:
    first = await qalog.record(make_answer(question="uno"), CTX)
    failed = await qalog.record(make_answer(status="error"), CTX)
    second = await qalog.record(make_answer(question="dos"), CTX)
    assert None not in (first, failed, second)
    pending = await qalog.next_pending()
    assert pending is not None and pending.id == first and pending.question == "uno"
    skipped = await qalog.next_pending(after_id=pending.id)
    assert skipped is not None and skipped.id == second  # failed answers are not reviewed
    assert await qalog.next_pending(after_id=skipped.id) is None


async def test_review_states_and_the_edited_answer(db: Database, qalog: QALog) -> None:
    pair_id = await qalog.record(make_answer(text="original"), CTX)
    assert pair_id is not None
    await qalog.vote(pair_id, 7, 1)
    view = await qalog.next_pending()
    assert view is not None and (view.votes_up, view.votes_down) == (1, 0)
    assert [s.title for s in view.sources] == ["Argilla y distilabel"]
    with pytest.raises(ValueError):
        await qalog.review(pair_id, "edited", 9, edited_answer="  ")
    await qalog.review(pair_id, "edited", 9, edited_answer="  corregida  ")
    async with db.sessions() as session:
        pair = await session.get(QAPair, pair_id)
    assert pair is not None
    assert (pair.review_state, pair.edited_answer, pair.reviewer_id) == ("edited", "corregida", 9)
    assert pair.answer == "original" and pair.reviewed_at is not None
    assert await qalog.next_pending() is None
    await qalog.review(pair_id, "approved", None)
    async with db.sessions() as session:
        pair = await session.get(QAPair, pair_id)
    assert pair is not None and (pair.review_state, pair.edited_answer) == ("approved", None)
    with pytest.raises(PairNotFoundError):
        await qalog.review(pair_id + 50, "rejected", 9)


async def test_stats_count_status_review_votes_and_talks(qalog: QALog) -> None:
    a = await qalog.record(make_answer(talks=("Charla A", "Charla B")), CTX)
    b = await qalog.record(make_answer(talks=("Charla A",)), CTX)
    c = await qalog.record(make_answer(status="refused", talks=()), CTX)
    assert a is not None and b is not None and c is not None
    await qalog.vote(a, 1, 1)
    await qalog.vote(a, 2, -1)
    await qalog.vote(b, 1, 1)
    await qalog.review(c, "rejected", 5)
    await qalog.set_opt_out(77, True)
    stats = await qalog.stats()
    assert stats.total == 3
    assert stats.by_status == {"answered": 2, "refused": 1}
    assert stats.by_review == {"pending": 2, "rejected": 1}
    assert (stats.votes_up, stats.votes_down, stats.voted_pairs) == (2, 1, 2)
    assert [(title, n) for title, _, n in stats.by_talk] == [("Charla A", 2), ("Charla B", 1)]
    assert stats.opted_out_users == 1


async def test_retention_purges_old_pairs_with_their_rows(db: Database, qalog: QALog) -> None:
    old = await qalog.record(make_answer(), CTX)
    new = await qalog.record(make_answer(), CTX)
    assert old is not None and new is not None
    await qalog.vote(old, 3, 1)
    async with db.sessions.begin() as session:
        await session.execute(
            sa.update(QAPair)
            .where(QAPair.id == old)
            .values(created_at=utcnow() - timedelta(days=31))
        )
    assert await qalog.purge_expired(0) == 0  # RETENTION_DAYS=0: keep everything
    assert await qalog.purge_expired(days=30) == 1
    stats = await qalog.stats()
    assert stats.total == 1 and stats.votes_up == 0 and stats.by_talk[0][2] == 1
    assert await qalog.purge_expired(1) == 0


async def test_opted_out_users_votes_are_not_stored(qalog: QALog) -> None:
    pair_id = await qalog.record(make_answer(), CTX)
    assert pair_id is not None
    await qalog.set_opt_out(8, True)
    await qalog.vote(pair_id, 8, 1)
    assert (await qalog.stats()).votes_up == 0


async def test_stats_pending_is_what_review_offers(qalog: QALog) -> None:
    for status in ("answered", "error", "refused", "cancelled", "error"):
        await qalog.record(make_answer(status=status), CTX)
    await qalog.record(make_answer(), CTX, delivery="not_delivered")
    offered, after = 0, 0
    while (pair := await qalog.next_pending(after)) is not None:
        offered, after = offered + 1, pair.id
    stats = await qalog.stats()
    assert offered == stats.by_review["pending"] == 2
    assert stats.by_review["not_reviewable"] == 4


async def test_a_decision_only_on_pending_leaves_a_reviewed_pair_as_it_is(qalog: QALog) -> None:
    pair_id = await qalog.record(make_answer(), CTX)
    assert pair_id is not None
    assert await qalog.review(pair_id, "approved", 7) == "pending"  # the state it replaced
    with pytest.raises(AlreadyReviewedError):
        await qalog.review(pair_id, "edited", 8, "Otra respuesta.", only_pending=True)
    with pytest.raises(PairNotFoundError):
        await qalog.review(pair_id + 50, "approved", 8, only_pending=True)
    shown = await qalog.reviews.pair(pair_id)
    assert (shown.review_state, shown.edited_answer) == ("approved", None)
    assert await qalog.review(pair_id, "rejected", 8) == "approved"  # deciding again, told
