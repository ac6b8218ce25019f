"""Writes the database refused, kept until it takes them: in the spool file, else in memory.

An entry the database refuses is appended to the spool (fsynced). When the disk cannot take it
either (full, read-only), it is held in memory, up to a bound, and written (to the database or the
spool) as soon as one of them can take it again. The replay writes the spooled entries without
holding the spool's lock, so a question arriving meanwhile is spooled at once; a database that
still refuses (locked, read-only, unreachable) ends the replay, while an entry that fails on its
own is skipped and, after `QUARANTINE_AFTER` failures, moved to a quarantine file beside the spool,
at once when it is too old to check against the erasure records.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from pathlib import Path

from store.erasures import ErasureUnknownError
from store.errors import (
    DatabaseLockedError,
    DatabaseReadOnlyError,
    DatabaseUnavailableError,
    StoreError,
    translate,
)
from store.failure_counts import FailureCounts
from store.pair_writes import RowMissingError
from store.spool import Entry, Spool, entry_key

log = logging.getLogger(__name__)

HELD_LIMIT = 1000
QUARANTINE_AFTER = 3
QUARANTINE_SUFFIX = ".quarantine"
FAILURES_SUFFIX = ".failures"

Apply = Callable[[Entry], Awaitable[None]]
OnRefused = Callable[[StoreError], Awaitable[None]]
REFUSALS = (DatabaseLockedError, DatabaseReadOnlyError, DatabaseUnavailableError)


def quarantine_path(spool_path: Path) -> Path:
    """Return where entries that keep failing are moved (beside the spool)."""
    return spool_path.with_name(spool_path.stem + QUARANTINE_SUFFIX + spool_path.suffix)


def failures_path(spool_path: Path) -> Path:
    """Return where the failure counts of spooled lines are kept (beside the spool)."""
    return spool_path.with_name(spool_path.stem + FAILURES_SUFFIX + ".json")


class Backlog:
    """The spool file, the entries held in memory when the disk refuses, and their replay."""

    def __init__(self, spool_path: Path, held_limit: int = HELD_LIMIT) -> None:
        """Spool to `spool_path`; hold at most `held_limit` entries in memory."""
        self.spool = Spool(spool_path)
        self.quarantine = Spool(quarantine_path(spool_path))
        self._file_lock = asyncio.Lock()  # held only around file operations, never a database call
        self._replay_lock = asyncio.Lock()  # one replay (or deletion) at a time
        self._held: deque[Entry] = deque()
        self._held_limit = held_limit
        self._failures = FailureCounts(failures_path(spool_path))

    def held(self) -> int:
        """Return how many entries wait in memory (the disk refused them)."""
        return len(self._held)

    def __bool__(self) -> bool:
        """Tell whether anything waits, on disk or in memory."""
        return bool(self._held) or bool(self.spool)

    async def keep(self, entry: Entry, failure: object) -> None:
        """Spool an entry; if the disk refuses, hold it in memory. Log one line either way."""
        what = f"{type(entry).__name__.lower()} {entry_key(entry)}"
        try:
            await self._append(entry)
        except OSError as error:
            self._hold(entry, f"could not record {what} ({failure}), nor spool it: {error}")
            return
        log.warning("could not record %s (%s); kept in %s", what, failure, self.spool.path)

    async def set_aside(self, entry: Entry, why: ErasureUnknownError) -> None:
        """Quarantine an entry that must never be written (its asker may be forgotten)."""
        try:
            async with self._file_lock:
                await asyncio.to_thread(self.quarantine.append, entry)
        except OSError as error:
            log.error("%s: not written, and not kept either (%s)", why, error)
            return
        log.error("%s: moved to %s, not written", why, self.quarantine.path)

    async def _append(self, entry: Entry) -> None:
        async with self._file_lock:
            await asyncio.to_thread(self.spool.append, entry)

    def _hold(self, entry: Entry, why: str) -> None:
        if len(self._held) >= self._held_limit:
            log.error("%s; %d entries already held in memory: this one is lost", why, self.held())
            return
        self._held.append(entry)
        log.error("%s; held in memory (%d held) until the disk takes it", why, self.held())

    async def replay(self, apply: Apply, on_refused: OnRefused) -> int:
        """Write what waits, oldest first; return how many entries were written. Never raises."""
        async with self._replay_lock:
            done = await self._release_held(apply, on_refused)
            if self._held:
                return done
            try:
                async with self._file_lock:
                    waiting = await asyncio.to_thread(self.spool.read_lines)
                    if not waiting:  # e.g. created empty by an append the full disk refused
                        await asyncio.to_thread(self.spool.remove_if_empty)
            except OSError as error:
                log.error("cannot read the spool %s: %s", self.spool.path, error)
                return done
            written, poisoned = await self._write_lines(waiting, apply, on_refused)
            await self._settle(written, poisoned)
        done += len(written)
        if done:
            log.info("wrote %d waiting entries to the database", done)
        return done

    async def release_held(self, apply: Apply, on_refused: OnRefused) -> int:
        """Write the entries held in memory (to the database, else the spool); count those left."""
        async with self._replay_lock:
            await self._release_held(apply, on_refused)
        return self.held()

    async def _release_held(self, apply: Apply, on_refused: OnRefused) -> int:
        """Write the entries held in memory to the database, else to the spool."""
        done = 0
        database_refuses = False  # after one refusal, the rest go straight to the spool
        while self._held:
            entry = self._held[0]
            try:
                if not database_refuses:
                    await apply(entry)
                    done += 1
                    self._held.popleft()
                    continue
            except RowMissingError:
                pass  # a reply for a question not written yet: it goes to the spool below
            except Exception as error:
                failure = translate(error, "writing a held entry")
                database_refuses = await _refused(failure, on_refused)
            try:
                await self._append(entry)
            except OSError:
                return done  # the disk still refuses: keep holding
            self._held.popleft()
        return done

    async def _write_lines(
        self, waiting: list[tuple[str, Entry | None]], apply: Apply, on_refused: OnRefused
    ) -> tuple[list[str], list[str]]:
        """Apply each spooled line; return those written and those to quarantine."""
        written: list[str] = []
        poisoned: list[str] = []
        for line, entry in waiting:
            if entry is None:  # unreadable: kept aside for a human, out of the way
                poisoned.append(line)
                continue
            try:
                await apply(entry)
            except RowMissingError:
                log.info("dropping a spooled reply for unknown question %s", entry_key(entry))
            except ErasureUnknownError as error:
                log.error("%s: moved to %s, not written", error, self.quarantine.path)
                poisoned.append(line)
                continue
            except Exception as error:
                failure = translate(error, "replaying")
                if await _refused(failure, on_refused):
                    log.warning("spooled writes still wait: %s", failure)
                    break
                if self._failed(line, entry, error):
                    poisoned.append(line)
                continue
            written.append(line)
        return written, poisoned

    def _failed(self, line: str, entry: Entry, error: Exception) -> bool:
        """Count a failure of this entry alone; tell whether it is time to quarantine it."""
        count = self._failures.add(line)
        what = f"{type(entry).__name__.lower()} {entry_key(entry)}"
        if count < QUARANTINE_AFTER:
            log.warning("spooled %s failed (%d/%d): %r", what, count, QUARANTINE_AFTER, error)
            return False
        log.error(
            "spooled %s failed %d times (%r): moved to %s", what, count, error, self.quarantine.path
        )
        return True

    async def _settle(self, written: list[str], poisoned: list[str]) -> None:
        """Quarantine, then drop from the spool: one append and one rewrite, whatever the count."""
        if not written and not poisoned:
            return
        try:
            async with self._file_lock:
                await asyncio.to_thread(self.quarantine.append_lines, poisoned)
                await asyncio.to_thread(self.spool.remove, written + poisoned)
        except OSError as error:
            log.error("cannot rewrite %s (replay is idempotent): %s", self.spool.path, error)
            return
        self._failures.drop(written + poisoned)

    async def forget(self, drop: Callable[[Entry], bool]) -> int:
        """Remove the waiting entries `drop` selects, on disk and in memory; return how many."""
        async with self._replay_lock:
            kept = [entry for entry in self._held if not drop(entry)]
            dropped = len(self._held) - len(kept)
            self._held = deque(kept)
            async with self._file_lock:
                waiting = await asyncio.to_thread(self.spool.read_lines)
                lines = [line for line, entry in waiting if entry is not None and drop(entry)]
                await asyncio.to_thread(self.spool.remove, lines)
                self._failures.drop(lines)
        return dropped + len(lines)


async def _refused(failure: StoreError, on_refused: OnRefused) -> bool:
    """Tell whether the database as a whole refuses writes now (not this entry alone)."""
    if isinstance(failure, REFUSALS):
        await on_refused(failure)
        return True
    return False
