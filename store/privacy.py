"""Users' control over their data, and retention: opt-outs, forgetting a person, expiry.

Forgetting a person is one transaction: their questions (and the pairs answering them, with
sources and votes), the mentor answers and accepted forum answers they wrote (and the pairs that
reused those answers), the accepted answers of their forum posts (an existing pair accepted there,
such as the bot's answer to someone else, is only released), their hand-offs, their votes, and
every source elsewhere that named one of their curated questions. The same transaction records
the erasure request, so no process writes back a question of theirs still in flight or spooled
(`store/erasures.py`); retention prunes that record after `ERASURE_KEEP`.
The caller then takes the returned pair ids out of the curated collection (bot/forgetting.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.db import Database
from store.erasures import ERASURE_KEEP, hold_person, prune_erasures, record_erasure
from store.errors import translated
from store.handoffs import HandOff, MentorAnswer
from store.models import Feedback, OptOut, PairSource, QAPair, utcnow
from store.recording import PairRecorder
from store.solution_records import unlink_person

log = logging.getLogger(__name__)

FAQ_TALK = "faq"  # the talk id of a source that is a reused curated pair (chunk `faq-<id>`)
CHUNK = 500


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What forgetting a person removed: pairs and votes, and the ids of the pairs deleted.

    `rows` is what the person is told. Hand-offs, mentor messages and sources citing the deleted
    pairs go too, uncounted.
    """

    rows: int
    pair_ids: tuple[int, ...]


def _faq_chunks(pair_ids: Sequence[int]) -> list[str]:
    return [f"{FAQ_TALK}-{pair_id}" for pair_id in pair_ids]


async def _reusing(session: AsyncSession, pair_ids: Sequence[int]) -> list[int]:
    """Return the pairs whose answer was one of these curated pairs, reused."""
    query = select(PairSource.pair_id).where(
        PairSource.talk_id == FAQ_TALK, PairSource.chunk_id.in_(_faq_chunks(pair_ids))
    )
    return sorted({int(i) for i in (await session.scalars(query)).all()})


async def _delete_pairs(session: AsyncSession, pair_ids: Sequence[int]) -> int:
    """Delete pairs (their sources and votes) and every source citing them; count the pairs."""
    deleted = 0
    for start in range(0, len(pair_ids), CHUNK):  # bounded parameter lists
        some = pair_ids[start : start + CHUNK]
        await session.execute(
            delete(PairSource).where(
                PairSource.talk_id == FAQ_TALK, PairSource.chunk_id.in_(_faq_chunks(some))
            )
        )
        await session.execute(delete(Feedback).where(Feedback.pair_id.in_(some)))
        await session.execute(delete(PairSource).where(PairSource.pair_id.in_(some)))
        pairs = await session.execute(delete(QAPair).where(QAPair.id.in_(some)))
        deleted += int(pairs.rowcount)  # type: ignore[attr-defined]
    return deleted


async def forget_in(session: AsyncSession, user_id: int) -> Forgotten:
    """Delete everything a person wrote or asked, inside the caller's transaction."""
    asked = list((await session.scalars(select(QAPair.id).where(QAPair.user_id == user_id))).all())
    written_query = select(MentorAnswer.pair_id).where(MentorAnswer.mentor_id == user_id)
    written = [int(i) for i in (await session.scalars(written_query)).all() if i is not None]
    solved = await unlink_person(session, user_id)
    # A reused mentor or forum answer is its author's text, copied: it goes with them.
    copies = await _reusing(session, written + solved)
    doomed = sorted(set(asked) | set(written) | set(solved) | set(copies))
    handoffs = select(HandOff.id).where(HandOff.user_id == user_id)
    await session.execute(
        delete(MentorAnswer).where(
            (MentorAnswer.mentor_id == user_id) | MentorAnswer.handoff_id.in_(handoffs)
        )
    )
    await session.execute(delete(HandOff).where(HandOff.user_id == user_id))
    rows = await _delete_pairs(session, doomed)
    votes = await session.execute(delete(Feedback).where(Feedback.user_id == user_id))
    await session.execute(
        update(QAPair).where(QAPair.reviewer_id == user_id).values(reviewer_id=None)
    )
    return Forgotten(rows + int(votes.rowcount), tuple(doomed))  # type: ignore[attr-defined]


class PrivacyLog:
    """Opt-outs and deletion of a user's data (database and spool)."""

    def __init__(self, db: Database, recorder: PairRecorder) -> None:
        """Use the given database, and the recorder (its spooled questions count too)."""
        self._db = db
        self._recorder = recorder

    async def is_opted_out(self, user_id: int) -> bool:
        """Tell whether the user asked not to be logged."""
        with translated("reading the opt-out"):
            async with self._db.sessions() as session:
                return await session.get(OptOut, user_id) is not None

    async def set_opt_out(self, user_id: int, opted_out: bool) -> None:
        """Record or withdraw a user's wish not to be logged."""
        with translated("saving the opt-out"):
            async with self._db.writing() as session:
                found = await session.get(OptOut, user_id)
                if opted_out and found is None:
                    session.add(OptOut(user_id=user_id))
                elif not opted_out and found is not None:
                    await session.delete(found)

    async def delete_user_data(self, user_id: int) -> Forgotten:
        """Forget a person in one transaction, then drop their spooled questions."""
        with translated("deleting user data"):
            async with self._db.writing() as session:
                await hold_person(session, user_id, forgetting=True)
                record_erasure(session, user_id)
                forgotten = await forget_in(session, user_id)
        spooled = await self._recorder.forget_user(user_id)
        return Forgotten(forgotten.rows + spooled, forgotten.pair_ids)


async def purge_expired(db: Database, days: int) -> int:
    """Delete pairs, hand-offs and mentor messages older than `days` (0 keeps all); count pairs.

    Sources elsewhere that cite a purged curated pair go too (they hold its question).
    """
    if days <= 0:
        return 0
    cutoff = utcnow() - timedelta(days=days)
    old_handoffs = select(HandOff.id).where(HandOff.opened_at < cutoff)
    with translated("purging expired pairs"):
        async with db.writing() as session:
            old = (await session.scalars(select(QAPair.id).where(QAPair.created_at < cutoff))).all()
            pair_ids = [int(i) for i in old]
            answers = await session.execute(
                delete(MentorAnswer).where(
                    (MentorAnswer.started_at < cutoff) | MentorAnswer.handoff_id.in_(old_handoffs)
                )
            )
            handoffs = await session.execute(delete(HandOff).where(HandOff.opened_at < cutoff))
            await _delete_pairs(session, pair_ids)
    others = int(answers.rowcount + handoffs.rowcount)  # type: ignore[attr-defined]
    if pair_ids or others:
        log.info(
            "purged %d pairs and %d hand-offs or mentor answers older than %d days",
            len(pair_ids),
            others,
            days,
        )
    return len(pair_ids)


async def prune_erasure_records(db: Database) -> int:
    """Delete the erasure records older than `ERASURE_KEEP`, whatever the retention; count them."""
    with translated("pruning erasure records"):
        async with db.writing() as session:
            pruned = await prune_erasures(session)
    if pruned:
        log.info("pruned %d erasure records older than %s", pruned, ERASURE_KEEP)
    return pruned
