"""Record every question from arrival, off the reply path, without ever losing one.

A question is opened when it is admitted: the row (status `in_progress`) is committed within a
short wait, or the entry is fsynced to the spool, before any slow work starts. Later writes (the
message showing the reply, the final outcome) are queued and written by one worker task, so no
answer waits on the database. A write the database refuses goes to the spool, which is replayed
on a timer and as soon as a write succeeds again. Entries are idempotent upserts by key.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from store.db import Database
from store.errors import DatabaseReadOnlyError, translate
from store.models import OptOut, PairSource, QAPair, utcnow
from store.records import AskContext, OutcomeRecord, QuestionRecord, StaleReply, new_key
from store.spool import Entry, Finished, Opened, Replied, Spool, entry_key

log = logging.getLogger(__name__)

ARRIVAL_WAIT_SECONDS = 0.5
REPLAY_SECONDS = 30.0
QUEUE_SIZE = 1000
INTERRUPTED_CAUSE = "interrupted: the process stopped before the answer finished"
STALE_REPLIES_SHOWN = 50
STALE_REPLY_AGE = timedelta(days=1)


class RowMissingError(LookupError):
    """A write names a question whose row is not in the database (yet)."""


class PairRecorder:
    """Owns every write of a question's row; callers never wait for the database."""

    def __init__(
        self,
        db: Database,
        spool_path: Path,
        *,
        replay_seconds: float = REPLAY_SECONDS,
        arrival_wait: float = ARRIVAL_WAIT_SECONDS,
        queue_size: int = QUEUE_SIZE,
    ) -> None:
        """Write to `db`; keep refused writes in `spool_path` and replay them periodically."""
        self._db = db
        self._spool = Spool(spool_path)
        self._spool_lock = asyncio.Lock()
        self._queue: asyncio.Queue[tuple[Entry, asyncio.Future[None]]] = asyncio.Queue(queue_size)
        self._replay_seconds = replay_seconds
        self._arrival_wait = arrival_wait
        self._live: set[str] = set()  # keys opened by this process
        self._unlogged: set[str] = set()  # keys of askers who opted out (nothing is stored)
        self._tasks: list[asyncio.Task[None]] = []
        self._replaying: asyncio.Task[int] | None = None

    @property
    def spool_path(self) -> Path:
        """Return where refused writes wait."""
        return self._spool.path

    def pending(self) -> int:
        """Return how many writes wait in the spool."""
        return self._spool.count()

    # -- the question path -----------------------------------------------------------------------
    async def open(self, question: str, context: AskContext) -> QuestionRecord:
        """Save a question as it arrives: committed, or spooled, before this returns."""
        record = QuestionRecord(new_key(), question, context, utcnow())
        self._live.add(record.key)
        written = self._submit(Opened(record))
        try:
            await asyncio.wait_for(asyncio.shield(written), self._arrival_wait)
        except TimeoutError:
            await self._keep(Opened(record), "the database did not answer in time")
        return record

    def is_logged(self, key: str) -> bool:
        """Tell whether the question is being stored (False once its asker is known opted out)."""
        return key not in self._unlogged

    def replied(self, key: str, channel_id: int, message_id: int) -> None:
        """Note the message that shows the answer while it is written (no waiting)."""
        self._submit(Replied(key, channel_id, message_id))

    def finished(self, question: QuestionRecord, outcome: OutcomeRecord) -> None:
        """Queue the final outcome of a question, written in one go (no waiting)."""
        self._live.discard(question.key)
        self._unlogged.discard(question.key)
        self._submit(Finished(question, outcome))

    async def flush(self) -> None:
        """Wait until every queued write was committed or spooled."""
        await self._queue.join()

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the writer and the periodic replay (idempotent)."""
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._write_forever(), name="pair-writer"),
                asyncio.create_task(self._replay_forever(), name="spool-replay"),
            ]

    async def aclose(self, grace: float = 10.0) -> None:
        """Write what is queued (spooling what the database refuses), then stop."""
        self.start()  # a writer must drain what callers queued, even in a short-lived process
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.flush(), grace)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        while not self._queue.empty():  # the database never answered: keep the rest on disk
            entry, written = self._queue.get_nowait()
            await self._keep(entry, "the process stopped before the database answered")
            _settle(written)
            self._queue.task_done()

    def _submit(self, entry: Entry) -> asyncio.Future[None]:
        self.start()
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        try:
            self._queue.put_nowait((entry, written))
        except asyncio.QueueFull:
            task = asyncio.create_task(self._keep(entry, "the write queue is full"))
            task.add_done_callback(lambda _: _settle(written))
        return written

    async def _write_forever(self) -> None:
        while True:
            entry, written = await self._queue.get()
            try:
                await self._write_or_keep(entry)
            finally:
                _settle(written)
                self._queue.task_done()

    async def _write_or_keep(self, entry: Entry) -> None:
        try:
            await self._apply(entry)
        except RowMissingError:
            await self._keep(entry, "its question is not in the database yet")
            return
        except Exception as error:
            failure = translate(error, "recording")
            if isinstance(failure, DatabaseReadOnlyError):
                await self._db.reconnect()  # pooled connections stay read-only otherwise
            await self._keep(entry, failure)
            return
        if self._spool and (self._replaying is None or self._replaying.done()):
            self._replaying = asyncio.create_task(self.replay())  # the database is back

    async def _replay_forever(self) -> None:
        while True:
            await asyncio.sleep(self._replay_seconds)
            if self._spool:
                await self.replay()

    # -- the spool -----------------------------------------------------------------------------
    async def _keep(self, entry: Entry, failure: object) -> None:
        """Append an entry to the spool; log one line either way."""
        what = f"{type(entry).__name__.lower()} {entry_key(entry)}"
        try:
            async with self._spool_lock:
                await asyncio.to_thread(self._spool.append, entry)
        except OSError as error:
            log.error("could not record %s (%s), nor spool it: %s", what, failure, error)
            return
        log.warning("could not record %s (%s); kept in %s", what, failure, self._spool.path)

    async def replay(self) -> int:
        """Write the spooled entries, oldest first; return how many were written. Never raises."""
        async with self._spool_lock:
            try:
                waiting = await asyncio.to_thread(self._spool.read)
            except OSError as error:
                log.error("cannot read the spool %s: %s", self._spool.path, error)
                return 0
            done = 0
            for entry in waiting:
                try:
                    await self._apply(entry, replaying=True)
                except RowMissingError:
                    log.info("dropping a spooled reply for unknown question %s", entry_key(entry))
                except Exception as error:
                    failure = translate(error, "replaying")
                    if isinstance(failure, DatabaseReadOnlyError):
                        await self._db.reconnect()
                    log.warning("spooled writes still wait: %s", failure)
                    break
                done += 1
            try:
                await asyncio.to_thread(self._spool.rewrite, waiting[done:])
            except OSError as error:
                log.error("cannot rewrite %s (replay is idempotent): %s", self._spool.path, error)
        if done:
            log.info("wrote %d spooled entries to the database", done)
        return done

    async def forget_user(self, user_id: int) -> int:
        """Drop the user's questions waiting in the spool; return how many were dropped."""
        async with self._spool_lock:
            waiting = await asyncio.to_thread(self._spool.read)
            kept = [e for e in waiting if isinstance(e, Replied) or not _asked_by(e, user_id)]
            if len(kept) != len(waiting):
                await asyncio.to_thread(self._spool.rewrite, kept)
        return len(waiting) - len(kept)

    # -- writes ----------------------------------------------------------------------------------
    async def _apply(self, entry: Entry, replaying: bool = False) -> None:
        async with self._db.writing() as session:
            if isinstance(entry, Replied):
                await _apply_reply(session, entry)
                return
            if await _opted_out(session, entry.question.context.user_id):
                await _forget(session, entry.question.key)
                if isinstance(entry, Opened) and entry.question.key in self._live:
                    self._unlogged.add(entry.question.key)
                return
            if isinstance(entry, Opened):
                # A question spooled by a process that is gone will never be finished.
                orphan = replaying and entry.question.key not in self._live
                await _apply_open(session, entry.question, orphan)
            else:
                await _apply_finish(session, entry.question, entry.outcome)

    async def interrupt_unfinished(
        self, owns: Callable[[int | None], bool] = lambda guild_id: True
    ) -> list[StaleReply]:
        """Mark rows left `in_progress` by a dead process `interrupted`; return recent replies.

        Call once at start-up, after `replay()`, before this process opens questions. `owns`
        tells which servers' rows are this process's (with shards, the others' may be live).
        """
        recent = utcnow() - STALE_REPLY_AGE
        columns = (QAPair.key, QAPair.reply_channel_id, QAPair.reply_message_id, QAPair.created_at)
        try:
            async with self._db.writing() as session:
                rows = await session.execute(
                    select(*columns, QAPair.guild_id).where(QAPair.status == "in_progress")
                )
                found = [row[:4] for row in rows.all() if owns(row[4])]
                await session.execute(
                    update(QAPair)
                    .where(QAPair.key.in_([key for key, *_ in found]))
                    .values(
                        status="interrupted",
                        delivery="not_delivered",
                        error_cause=INTERRUPTED_CAUSE,
                        updated_at=utcnow(),
                    )
                )
        except (SQLAlchemyError, OSError) as error:
            raise translate(error, "marking unfinished answers") from error
        if found:
            log.warning("marked %d unfinished answers from a previous run interrupted", len(found))
        stale = [
            StaleReply(str(key), int(channel), int(message))
            for key, channel, message, created_at in found
            if key and channel and message and created_at >= recent
        ]
        return stale[:STALE_REPLIES_SHOWN]


def without_credentials(url: str | None) -> str | None:
    """Drop credentials and query strings from an endpoint URL before it is stored."""
    if not url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _asked_by(entry: Opened | Finished, user_id: int) -> bool:
    return entry.question.context.user_id == user_id


def _settle(written: asyncio.Future[None]) -> None:
    if not written.done():
        written.set_result(None)


async def _opted_out(session: AsyncSession, user_id: int | None) -> bool:
    return user_id is not None and await session.get(OptOut, user_id) is not None


async def _find(session: AsyncSession, key: str) -> QAPair | None:
    query = select(QAPair).where(QAPair.key == key).options(selectinload(QAPair.sources))
    return (await session.execute(query)).scalar_one_or_none()


async def _forget(session: AsyncSession, key: str) -> None:
    pair = await _find(session, key)
    if pair is not None:
        await session.delete(pair)


def _new_row(question: QuestionRecord, status: str) -> QAPair:
    context = question.context
    return QAPair(
        key=question.key,
        created_at=question.created_at,
        question=question.question,
        answer="",
        status=status,
        delivery="pending" if status == "in_progress" else "not_delivered",
        error_cause=INTERRUPTED_CAUSE if status == "interrupted" else None,
        mode="pending",
        timings={},
        surface=context.surface,
        user_id=context.user_id,
        guild_id=context.guild_id,
        channel_id=context.channel_id,
        thread_id=context.thread_id,
        message_id=context.message_id,
    )


async def _apply_open(session: AsyncSession, question: QuestionRecord, orphan: bool) -> None:
    if await _find(session, question.key) is None:
        session.add(_new_row(question, "interrupted" if orphan else "in_progress"))


async def _apply_reply(session: AsyncSession, entry: Replied) -> None:
    result = await session.execute(
        update(QAPair)
        .where(QAPair.key == entry.key)
        .values(reply_channel_id=entry.channel_id, reply_message_id=entry.message_id)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise RowMissingError(entry.key)


async def _apply_finish(
    session: AsyncSession, question: QuestionRecord, outcome: OutcomeRecord
) -> None:
    pair = await _find(session, question.key)
    if pair is None:
        pair = _new_row(question, outcome.status)
        pair.sources = []
        session.add(pair)
    pair.answer = outcome.answer
    pair.notice = outcome.notice
    pair.status = outcome.status
    pair.delivery = outcome.delivery
    pair.mode = outcome.mode
    pair.model = outcome.model
    pair.endpoint = without_credentials(outcome.endpoint)
    pair.error_cause = outcome.error_cause
    pair.timings = dict(outcome.timings)
    if outcome.message_id is not None:
        pair.message_id = outcome.message_id
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
        for rank, s in enumerate(outcome.sources)
    ]
