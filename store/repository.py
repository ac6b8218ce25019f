"""The Q&A log: record pairs, votes, opt-outs, deletion, review and retention."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import selectinload

from bot.rag.types import Answer
from store.db import Database
from store.errors import DatabaseLockedError, PairNotFoundError, translate
from store.models import (
    PAIR_STATUSES,
    Feedback,
    OptOut,
    PairSource,
    PairStatus,
    QAPair,
    utcnow,
)
from store.queries import PairView, Stats, collect_stats, pair_view, votes_down, votes_up
from store.records import AskContext
from store.spool import SPOOL_FILE, Spool, SpooledPair

log = logging.getLogger(__name__)

NOT_REVIEWABLE = ("error", "cancelled")
RECORD_ATTEMPTS = 3


def _safe_endpoint(url: str | None) -> str | None:
    """Drop credentials and query strings from an endpoint URL before it is stored."""
    if not url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _pair_from(answer: Answer, context: AskContext) -> QAPair:
    pair = QAPair(
        question=answer.question,
        answer=answer.text,
        status=answer.status,
        error_cause=answer.error_cause,
        mode=answer.mode,
        model=answer.model,
        endpoint=_safe_endpoint(answer.endpoint),
        timings=dict(answer.timings),
        surface=context.surface,
        user_id=context.user_id,
        guild_id=context.guild_id,
        channel_id=context.channel_id,
        thread_id=context.thread_id,
        message_id=context.message_id,
    )
    pair.sources = [
        PairSource(
            rank=rank,
            talk_id=s.talk_id,
            chunk_id=s.chunk_id,
            title=s.title,
            author=s.author,
            quote=s.quote,
            score=float(s.score),
        )
        for rank, s in enumerate(answer.sources)
    ]
    return pair


class QALog:
    """Every operation on the Q&A log; one short transaction per call, committed at once."""

    def __init__(self, db: Database) -> None:
        """Use the given database, and a spool in the data directory for when it is down."""
        self._db = db
        self._spool = Spool(db.settings.data_dir / SPOOL_FILE)
        self._spool_lock = asyncio.Lock()

    async def record(self, answer: Answer, context: AskContext) -> int | None:
        """Commit one pair and return its id; None when the asker opted out or on failure.

        A pair the database cannot take (or that a cancellation, e.g. at shutdown, stops waiting
        for) is kept in the spool file and committed, with its original time, by the next
        successful record or `replay_spool()`.
        """
        pair = SpooledPair(answer, context, utcnow())
        try:
            committed, pair_id = await self._commit(pair)
        except asyncio.CancelledError:
            await self._keep_for_later(pair, "cancelled before the database answered")
            raise
        if committed and self._spool:
            await self.replay_spool()
        return pair_id

    async def _commit(self, pair: SpooledPair) -> tuple[bool, int | None]:
        """Try a few times while the database is locked; spool the pair if it still fails."""
        for attempt in range(1, RECORD_ATTEMPTS + 1):
            try:
                return True, await self._record_once(pair)
            except Exception as error:
                failure = translate(error, "recording")
                if not isinstance(failure, DatabaseLockedError) or attempt == RECORD_ATTEMPTS:
                    break
                await asyncio.sleep(0.2 * attempt)
        await self._keep_for_later(pair, failure)
        return False, None

    async def _record_once(self, spooled: SpooledPair) -> int | None:
        user_id = spooled.context.user_id
        if user_id is not None and await self.is_opted_out(user_id):
            return None
        pair = _pair_from(spooled.answer, spooled.context)
        pair.created_at = spooled.created_at
        async with self._db.writing() as session:
            session.add(pair)
        return pair.id

    async def _is_logged(self, spooled: SpooledPair) -> bool:
        """Tell whether a spooled pair was committed after all (its time and question match)."""
        query = select(QAPair.id).where(
            QAPair.created_at == spooled.created_at, QAPair.question == spooled.answer.question
        )
        async with self._db.sessions() as session:
            return (await session.execute(query.limit(1))).first() is not None

    async def _keep_for_later(self, pair: SpooledPair, failure: object) -> None:
        where = f"surface={pair.context.surface}, status={pair.answer.status}"
        try:
            async with self._spool_lock:
                await asyncio.to_thread(self._spool.append, pair)
        except OSError as error:
            log.error("could not log a Q&A pair (%s): %s; nor spool it: %s", where, failure, error)
            return
        log.error(
            "could not log a Q&A pair (%s): %s; kept in %s until the database is back",
            where,
            failure,
            self._spool.path,
        )

    async def replay_spool(self) -> int:
        """Commit the pairs waiting in the spool, oldest first; return how many were committed.

        Never raises: a spool that cannot be read or rewritten is logged and left for later.
        """
        async with self._spool_lock:
            try:
                waiting = await asyncio.to_thread(self._spool.read)
            except OSError as error:
                log.error("cannot read the spooled Q&A pairs in %s: %s", self._spool.path, error)
                return 0
            committed = 0
            for pair in waiting:
                try:
                    if not await self._is_logged(pair):
                        await self._record_once(pair)
                except Exception as error:
                    log.warning("spooled pairs still wait: %s", translate(error, "replaying"))
                    break
                committed += 1
            try:
                await asyncio.to_thread(self._spool.rewrite, waiting[committed:])
            except OSError as error:
                log.error(
                    "cannot rewrite %s (replay will skip logged pairs): %s", self._spool.path, error
                )
        if committed:
            log.info("committed %d spooled Q&A pairs", committed)
        return committed

    async def set_message_id(self, pair_id: int, message_id: int) -> bool:
        """Attach the Discord message that carried the answer; never raises."""
        return await self._update_quietly(pair_id, message_id=message_id)

    async def mark_status(
        self, pair_id: int, status: PairStatus, error_cause: str | None = None
    ) -> bool:
        """Change a pair's status after the fact (e.g. cancelled, error); never raises."""
        if status not in PAIR_STATUSES:
            raise ValueError(f"unknown pair status {status!r}")
        return await self._update_quietly(pair_id, status=status, error_cause=error_cause)

    async def _update_quietly(self, pair_id: int, **values: Any) -> bool:
        try:
            async with self._db.writing() as session:
                result = await session.execute(
                    update(QAPair).where(QAPair.id == pair_id).values(updated_at=utcnow(), **values)
                )
            return bool(result.rowcount)  # type: ignore[attr-defined]
        except Exception as error:
            log.error("could not update pair %s: %s", pair_id, translate(error, "updating"))
            return False

    async def vote(self, pair_id: int, user_id: int, value: int) -> None:
        """Store a user's +1/-1 on a pair, replacing their earlier vote; skip opted-out users."""
        if value not in (1, -1):
            raise ValueError("a vote is +1 or -1")
        if await self.is_opted_out(user_id):
            return
        dialect = self._db.engine.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        now = utcnow()
        statement = insert(Feedback).values(
            pair_id=pair_id, user_id=user_id, value=value, created_at=now, updated_at=now
        )
        statement = statement.on_conflict_do_update(
            index_elements=[Feedback.pair_id, Feedback.user_id],
            set_={"value": value, "updated_at": now},
        )
        try:
            async with self._db.writing() as session:
                await session.execute(statement)
        except IntegrityError as error:
            raise PairNotFoundError(f"no pair with id {pair_id}") from error
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "voting") from error

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
        async with self._spool_lock:
            waiting = await asyncio.to_thread(self._spool.read)
            kept = [pair for pair in waiting if pair.context.user_id != user_id]
            if len(kept) != len(waiting):
                await asyncio.to_thread(self._spool.rewrite, kept)
        spooled = len(waiting) - len(kept)
        return int(pairs.rowcount + votes.rowcount) + spooled  # type: ignore[attr-defined]

    async def next_pending(self, after_id: int = 0) -> PairView | None:
        """Return the oldest pair awaiting review with an id above `after_id`."""
        query = (
            select(QAPair, votes_up(), votes_down())
            .where(QAPair.review_state == "pending", QAPair.id > after_id)
            .where(QAPair.status.not_in(NOT_REVIEWABLE))
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
        """Count pairs by status and review state, votes, and pairs citing each talk."""
        try:
            async with self._db.sessions() as session:
                return await collect_stats(session, top_talks)
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "counting") from error

    async def purge_expired(self, days: int | None = None) -> int:
        """Delete pairs older than `days` (default RETENTION_DAYS; 0 keeps all); return count."""
        keep = self._db.settings.retention_days if days is None else days
        if keep <= 0:
            return 0
        cutoff = utcnow() - timedelta(days=keep)
        try:
            async with self._db.writing() as session:
                result = await session.execute(delete(QAPair).where(QAPair.created_at < cutoff))
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "purging expired pairs") from error
        deleted = int(result.rowcount)  # type: ignore[attr-defined]
        if deleted:
            log.info("purged %d pairs older than %d days", deleted, keep)
        return deleted
