"""One question through Discord: queue, stream throttled edits, render, log, attach vote buttons.

Shared by `/pregunta` (edits the deferred interaction response) and mentions / thread follow-ups
(edit a message the bot posted). Not an extension: the ask cog imports it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import aiohttp
import discord
from discord.utils import MISSING

from bot import strings
from bot.discord_gate import AnswerGate
from bot.discord_render import NO_PINGS, preview, render_answer
from bot.rag.answer import Answerer
from bot.rag.types import Answer, Mode, Status, Turn
from cogs.feedback import feedback_view
from store.records import AskContext
from store.repository import QALog

log = logging.getLogger(__name__)

EDIT_INTERVAL_SECONDS = 1.0
SHUTDOWN_CAUSE = "cancelled: the bot shut down before the answer finished"
# A Discord call fails with an HTTP error or, since discord.py lets them through, a network one.
DELIVERY_ERRORS = (discord.HTTPException, aiohttp.ClientError, OSError, TimeoutError)


class Target(Protocol):
    """Where an answer is shown: one message to edit, and more messages after it if needed."""

    async def show(self, text: str, view: discord.ui.View | None = None) -> int | None:
        """Replace the main message's content; return its id when known."""

    async def add(self, text: str, view: discord.ui.View | None = None) -> int | None:
        """Send one more message after the main one; return its id."""


@dataclass
class InteractionTarget:
    """The deferred response of a slash command, plus follow-ups."""

    interaction: discord.Interaction

    async def show(self, text: str, view: discord.ui.View | None = None) -> int | None:
        """Edit the original response."""
        message = await self.interaction.edit_original_response(
            content=text, allowed_mentions=NO_PINGS, view=view
        )
        return message.id

    async def add(self, text: str, view: discord.ui.View | None = None) -> int | None:
        """Send a follow-up message."""
        message = await self.interaction.followup.send(
            text, allowed_mentions=NO_PINGS, wait=True, view=view or MISSING
        )
        return int(message.id)


@dataclass
class MessageTarget:
    """A message the bot posted in a channel or thread, plus more messages in the same place."""

    message: discord.Message

    async def show(self, text: str, view: discord.ui.View | None = None) -> int | None:
        """Edit the posted message."""
        self.message = await self.message.edit(content=text, allowed_mentions=NO_PINGS, view=view)
        return self.message.id

    async def add(self, text: str, view: discord.ui.View | None = None) -> int | None:
        """Post another message in the same channel."""
        sent = await self.message.channel.send(
            text, allowed_mentions=NO_PINGS, view=view or MISSING
        )
        return int(sent.id)


class ThrottledEditor:
    """Show streamed text with at most one edit per interval; the last text always lands."""

    def __init__(self, edit: Callable[[str], Awaitable[object]], interval: float) -> None:
        """Edit through `edit`, waiting `interval` seconds between edits."""
        self._edit = edit
        self._interval = interval
        self._changed = asyncio.Event()
        self._closed = asyncio.Event()
        self.latest = ""
        self._task = asyncio.create_task(self._run())

    async def push(self, text: str) -> None:
        """Take the newest text so far (cheap; the edit happens in the background)."""
        self.latest = text
        self._changed.set()

    async def _run(self) -> None:
        while True:
            await self._changed.wait()
            if self._closed.is_set():
                return
            self._changed.clear()
            try:
                await self._edit(preview(self.latest))
            except DELIVERY_ERRORS as error:
                log.info("streaming edit failed (%r); the final edit will retry", error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closed.wait(), self._interval)

    async def close(self) -> None:
        """Stop editing once the edit in progress (if any) has finished."""
        self._closed.set()
        self._changed.set()
        await self._task


@dataclass
class QuestionRun:
    """Everything needed to answer one question on Discord."""

    answerer: Answerer
    qalog: QALog
    gate: AnswerGate
    target: Target
    context: AskContext

    async def run(self, question: str, history: Sequence[Turn] = ()) -> None:
        """Answer, show and log one question; on shutdown, log it as cancelled.

        The caller holds `gate.tracked()` from the question's arrival, so shutdown waits for it.
        """
        if self.gate.is_full():
            await self._quietly(
                self.target.show(strings.QUEUED.format(seconds=self.gate.expected_wait()))
            )
        editor = ThrottledEditor(self.target.show, EDIT_INTERVAL_SECONDS)
        try:
            async with self.gate.slot():
                answer = await self._answer(question, history, editor.push)
        except asyncio.CancelledError:
            await editor.close()
            await self._deliver(self._cancelled(question, editor.latest), cancelled=True)
            raise
        await editor.close()
        await self._deliver(answer)

    async def _answer(
        self, question: str, history: Sequence[Turn], on_delta: Callable[[str], Awaitable[None]]
    ) -> Answer:
        try:
            return await self.answerer.answer(question, history, on_delta=on_delta)
        except Exception as error:  # the Answerer should not raise; keep the pair if it does
            log.exception("the answerer raised for %r", question[:80])
            cause = f"{type(error).__name__}: {error}"
            return Answer(
                question, strings.UNEXPECTED_ERROR, self._mode(), "error", error_cause=cause
            )

    def _mode(self) -> Mode:
        return "llm" if self.answerer.chat is not None else "extractive"

    def _cancelled(self, question: str, partial: str) -> Answer:
        """Build the answer logged for a question cut short by shutdown."""
        cut = partial.strip()
        text = f"{cut}\n\n{strings.CANCELLED}" if cut else strings.CANCELLED
        status: Status = "partial" if cut else "error"
        return Answer(question, text, self._mode(), status, error_cause=SHUTDOWN_CAUSE)

    async def _deliver(self, answer: Answer, cancelled: bool = False) -> None:
        pair_id = await self.qalog.record(answer, self.context)
        if pair_id is not None and cancelled:
            await self.qalog.mark_status(pair_id, "cancelled", SHUTDOWN_CAUSE)
        votable = answer.status in ("answered", "partial") and not cancelled
        view = feedback_view(pair_id) if pair_id is not None and votable else None
        pieces = render_answer(answer)
        try:
            message_id = await self._send(pieces, view)
        except DELIVERY_ERRORS as error:
            log.error("could not deliver the answer to pair %s: %r", pair_id, error)
            await self._quietly(self.target.show(strings.UNEXPECTED_ERROR))
            return
        if pair_id is not None and message_id is not None:
            await self.qalog.set_message_id(pair_id, message_id)

    async def _send(self, pieces: list[str], view: discord.ui.View | None) -> int | None:
        """Show the first piece in place, the rest after it; buttons go on the last message."""
        first, rest = pieces[0], pieces[1:]
        message_id = await self.target.show(first, None if rest else view)
        for number, piece in enumerate(rest, start=1):
            last = number == len(rest)
            await self.target.add(piece, view if last else None)
        return message_id

    @staticmethod
    async def _quietly(call: Awaitable[object]) -> None:
        try:
            await call
        except DELIVERY_ERRORS as error:
            log.warning("could not update the reply: %r", error)
