"""Admission for questions: per-user cooldown, a cap on answers in flight, drain on shutdown."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from bot import metrics, strings
from bot.logs import question_scope

log = logging.getLogger(__name__)

QUEUE_FACTOR = 8  # questions allowed to wait per answer slot before new ones are refused


class AnswerGate:
    """Decide whether a question may start, hold it to the in-flight limit, and drain at the end."""

    def __init__(
        self,
        cooldown_seconds: float,
        max_in_flight: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cooldown = cooldown_seconds
        self._max_in_flight = max_in_flight
        self._clock = clock
        self._last_question: dict[int, float] = {}
        self._slots = asyncio.Semaphore(max_in_flight)
        self._running = 0
        self._waiting = 0
        # Admitted questions not waiting for a slot yet (saving, deferring): a burst arrives
        # before any of them reaches `slot()`, so the cap counts them too.
        self._admitted: set[asyncio.Task[object]] = set()
        self._tasks: set[asyncio.Task[object]] = set()
        self._mean_seconds = 10.0
        self.accepting = True

    def admit(self, user_id: int, cooldown_seconds: float | None = None) -> str | None:
        """Return a refusal message with the wait, or None after recording the question.

        `cooldown_seconds` is the asker's server's cooldown; None means the default one.
        """
        if not self.accepting:
            return strings.SHUTTING_DOWN
        now = self._clock()
        cooldown = self._cooldown if cooldown_seconds is None else cooldown_seconds
        remaining = self._last_question.get(user_id, -math.inf) + cooldown - now
        if remaining > 0:
            return strings.COOLDOWN.format(seconds=math.ceil(remaining))
        if self._not_started() >= self._free_slots() + self._max_in_flight * QUEUE_FACTOR:
            return strings.BUSY.format(seconds=self.expected_wait())
        self._last_question[user_id] = now
        task = asyncio.current_task() if self._tasks else None  # no loop needed otherwise
        if task in self._tasks:  # tracked: counted until it takes a slot or ends
            self._admitted.add(task)
        return None

    def _not_started(self) -> int:
        """Count the admitted questions that do not hold a slot yet."""
        return len(self._admitted) + self._waiting

    def _free_slots(self) -> int:
        return self._max_in_flight - self._running

    def expected_wait(self) -> int:
        """Estimate the seconds until a newly queued question starts."""
        rounds = (self._not_started() + 1) / self._max_in_flight
        return max(1, math.ceil(rounds * self._mean_seconds))

    def is_full(self) -> bool:
        """Tell whether a question arriving now would have to wait for a slot."""
        return self._running >= self._max_in_flight

    @asynccontextmanager
    async def tracked(self) -> AsyncIterator[None]:
        """Count the current task as an answer in flight until it has been delivered and logged.

        Every log line of the question's path, from here on, carries a fresh question id.
        """
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            with question_scope():
                yield
        finally:
            if task is not None:
                self._tasks.discard(task)
                self._admitted.discard(task)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one answer slot, waiting for one if needed."""
        self._admitted.discard(asyncio.current_task())
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        self._running += 1
        metrics.ANSWERS_IN_FLIGHT.inc()
        started = self._clock()
        try:
            yield
        finally:
            self._running -= 1
            metrics.ANSWERS_IN_FLIGHT.dec()
            self._slots.release()
            self._mean_seconds = 0.8 * self._mean_seconds + 0.2 * (self._clock() - started)

    async def drain(self, grace_seconds: float) -> None:
        """Stop admitting questions, let answers finish for `grace_seconds`, cancel the rest."""
        self.accepting = False
        tasks = set(self._tasks)
        if not tasks:
            return
        log.info("waiting up to %.0f s for %d answers in flight", grace_seconds, len(tasks))
        _, pending = await asyncio.wait(tasks, timeout=grace_seconds)
        if pending:
            log.warning("cancelling %d answers still running at shutdown", len(pending))
            for task in pending:
                task.cancel()
            await asyncio.wait(pending, timeout=grace_seconds)
