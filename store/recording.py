"""Record every question from arrival, off the reply path, without ever losing one.

A question is opened when it is admitted: the row (status `in_progress`) is committed within a
short wait, or the entry is fsynced to the spool, before any slow work starts. Later writes (the
message showing the reply, the final outcome) are queued and written by one worker task, so no
answer waits on the database. A write the database refuses goes to the spool (held in memory when
the disk refuses it too: `store/backlog.py`), which is replayed on a timer and as soon as a write
succeeds again. Entries are idempotent upserts by key. No question of a person who was forgotten
after it arrived is written, whichever process forgot them (`store/erasures.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from store.backlog import Backlog
from store.db import Database
from store.erasures import ErasureUnknownError, check_within_keep, hold_person, was_forgotten
from store.errors import DatabaseReadOnlyError, StoreError, translate, translated
from store.models import QAPair, utcnow
from store.owners import abandoned, new_owner
from store.pair_writes import (
    INTERRUPTED_CAUSE,
    RowMissingError,
    apply_finish,
    apply_open,
    apply_reply,
    arrival_of,
    forget,
    opted_out,
)
from store.records import AskContext, OutcomeRecord, QuestionRecord, StaleReply, new_key
from store.spool import Entry, Finished, Opened, Replied

log = logging.getLogger(__name__)

ARRIVAL_WAIT_SECONDS = 0.5
REPLAY_SECONDS = 30.0
QUEUE_SIZE = 1000
STALE_REPLIES_SHOWN = 50
STALE_REPLY_AGE = timedelta(days=1)


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
        self._backlog = Backlog(spool_path)
        self._owner = new_owner()
        self._queue: asyncio.Queue[tuple[Entry, asyncio.Future[None]]] = asyncio.Queue(queue_size)
        self._replay_seconds = replay_seconds
        self._arrival_wait = arrival_wait
        self._live: set[str] = set()  # keys opened by this process
        self._unlogged: set[str] = set()  # keys of askers who opted out or were forgotten
        self._tasks: list[asyncio.Task[None]] = []
        self._replaying: asyncio.Task[int] | None = None

    @property
    def spool_path(self) -> Path:
        """Return where refused writes wait."""
        return self._backlog.spool.path

    def pending(self) -> int:
        """Return how many writes wait in the spool."""
        return self._backlog.spool.count()

    def held(self) -> int:
        """Return how many writes wait in memory because the disk refused them too."""
        return self._backlog.held()

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
        """Write what is queued or held in memory (spooling what the database refuses); stop."""
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
        if self._backlog.held():  # memory goes with the process: one last try, however soon
            lost = await self._backlog.release_held(self._replay_one, self._refused)
            if lost:
                log.error(
                    "%d entries held in memory are lost: the database and the disk refused them",
                    lost,
                )

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
        except ErasureUnknownError as error:
            await self._backlog.set_aside(entry, error)
            return
        except Exception as error:
            failure = translate(error, "recording")
            await self._refused(failure)
            await self._keep(entry, failure)
            return
        if self._backlog and (self._replaying is None or self._replaying.done()):
            self._replaying = asyncio.create_task(self.replay())  # the database is back

    async def _replay_forever(self) -> None:
        while True:
            await asyncio.sleep(self._replay_seconds)
            if self._backlog:
                await self.replay()

    # -- the spool -----------------------------------------------------------------------------
    async def _keep(self, entry: Entry, failure: object) -> None:
        """Keep an entry the database did not take: spooled, else held in memory."""
        await self._backlog.keep(entry, failure)

    async def replay(self) -> int:
        """Write the waiting entries, oldest first; return how many were written. Never raises."""
        return await self._backlog.replay(self._replay_one, self._refused)

    async def _replay_one(self, entry: Entry) -> None:
        await self._apply(entry, replaying=True)

    async def _refused(self, failure: StoreError) -> None:
        if isinstance(failure, DatabaseReadOnlyError):
            await self._db.reconnect()  # pooled connections stay read-only otherwise

    async def forget_user(self, user_id: int) -> int:
        """Drop the user's questions waiting in this process's spool; return how many.

        Their questions in flight, here or elsewhere, are dropped when written (`_apply`).
        """
        return await self._backlog.forget(
            lambda entry: not isinstance(entry, Replied) and _asked_by(entry, user_id)
        )

    # -- writes ----------------------------------------------------------------------------------
    async def _apply(self, entry: Entry, replaying: bool = False) -> None:
        async with self._db.writing() as session:
            if isinstance(entry, Replied):
                await apply_reply(session, entry)
                return
            check_within_keep(entry.question)
            user_id = entry.question.context.user_id
            await hold_person(session, user_id, forgetting=False)
            if await was_forgotten(session, entry.question) or await opted_out(session, user_id):
                await forget(session, entry.question.key)
                if isinstance(entry, Opened) and entry.question.key in self._live:
                    self._unlogged.add(entry.question.key)
                return
            if isinstance(entry, Opened):
                # A question spooled by a process that is gone will never be finished.
                orphan = replaying and entry.question.key not in self._live
                await apply_open(session, entry.question, orphan, self._owner)
            else:
                await apply_finish(session, entry.question, entry.outcome)

    async def interrupt_unfinished(
        self, serves: Callable[[int | None], bool] = lambda guild_id: True
    ) -> list[StaleReply]:
        """Mark rows left `in_progress` by a dead process `interrupted`; return recent replies.

        A caller may answer a returned question again (`resume`, then `finished`): its row then
        takes the new outcome. If the process dies again meanwhile, the row stays `interrupted`.

        Call at start-up, after `replay()`. A row's owner tells whether its process, on this
        host, is gone; a row without an owner, or from another host, is taken when `serves` its
        server (with shards, the others' may be live). A CLI passes `lambda guild_id: False`.
        """
        recent = utcnow() - STALE_REPLY_AGE
        with translated("marking unfinished answers"):
            async with self._db.writing() as session:
                rows = await session.scalars(select(QAPair).where(QAPair.status == "in_progress"))
                found = [
                    p for p in rows.all() if abandoned(p.owner, serves(p.guild_id), self._owner)
                ]
                await session.execute(
                    update(QAPair)
                    .where(QAPair.key.in_([pair.key for pair in found]))
                    .values(
                        status="interrupted",
                        delivery="not_delivered",
                        error_cause=INTERRUPTED_CAUSE,
                        updated_at=utcnow(),
                    )
                )
        if found:
            log.warning("marked %d unfinished answers from a previous run interrupted", len(found))
        stale = [
            StaleReply(pair.key, pair.reply_channel_id, pair.reply_message_id, arrival_of(pair))
            for pair in found
            if pair.key and pair.reply_channel_id and pair.reply_message_id
            if pair.created_at >= recent
        ]
        return stale[:STALE_REPLIES_SHOWN]

    def resume(self, question: QuestionRecord) -> None:
        """Take back a question `interrupt_unfinished` returned: its outcome will be `finished`."""
        self._live.add(question.key)


def _asked_by(entry: Opened | Finished, user_id: int) -> bool:
    return entry.question.context.user_id == user_id


def _settle(written: asyncio.Future[None]) -> None:
    if not written.done():
        written.set_result(None)
