"""One question through Discord: save it, queue, stream throttled edits, render, vote buttons.

The question is saved from arrival (`PairRecorder.open`); its outcome and how much of it the user
saw are recorded in one write after delivery, off the reply path, so no answer waits on the
database. Shared by `/pregunta` (edits the deferred interaction response) and mentions / thread
follow-ups (edit a message the bot posted). Not an extension: the ask extension uses it.
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

from bot import metrics, strings
from bot.rag.answer import Answerer
from bot.rag.types import Answer, Mode, Turn
from bot.storage import outcome_of
from cogs.support.feedback import feedback_view
from cogs.support.gate import AnswerGate
from cogs.support.mentors import MentorDesk
from cogs.support.render import MESSAGE_LIMIT, NO_PINGS, preview, render_answer
from store.recording import PairRecorder
from store.records import AskContext, Delivery, QuestionRecord

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

    async def locate(self) -> tuple[int, int]:
        """Return (channel id, message id) of the main message."""


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

    async def locate(self) -> tuple[int, int]:
        """Fetch the deferred response (a normal message the bot can still edit later)."""
        message = await self.interaction.original_response()
        return message.channel.id, message.id


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

    async def locate(self) -> tuple[int, int]:
        """Return the posted message's place."""
        return self.message.channel.id, self.message.id


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
    recorder: PairRecorder
    gate: AnswerGate
    target: Target
    context: AskContext
    mentors: MentorDesk | None = None  # set where the server has a mentor role: hand-off

    async def run(self, question: str, history: Sequence[Turn] = ()) -> None:
        """Save, answer, show and record one question; on shutdown, record it as cancelled.

        The caller holds `gate.tracked()` from the question's arrival, so shutdown waits for it.
        """
        record = await self.recorder.open(question, self.context)
        log.info("question %s (%s) saved", record.key, self.context.surface)
        locating = asyncio.create_task(self._note_reply(record.key))
        try:
            await self._show_answer(record, history)
        finally:
            locating.cancel()

    async def resume(self, record: QuestionRecord, history: Sequence[Turn] = ()) -> None:
        """Answer again a saved question a dead process left unfinished, in the same reply."""
        self.recorder.resume(record)
        log.info("question %s (%s) resumed after a restart", record.key, record.context.surface)
        await self._show_answer(record, history)

    async def _show_answer(self, record: QuestionRecord, history: Sequence[Turn]) -> None:
        """Answer a saved question through the gate's queue, stream it, deliver and record it."""
        question = record.question
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
            await self._deliver(record, self._cancelled(question, editor.latest))
            raise
        await editor.close()
        await self._deliver(record, answer)

    async def _note_reply(self, key: str) -> None:
        """Record where the answer is shown, so a restart can mark it interrupted."""
        try:
            channel_id, message_id = await self.target.locate()
        except DELIVERY_ERRORS as error:
            log.info("could not locate the reply to %s: %r", key, error)
            return
        self.recorder.replied(key, channel_id, message_id)

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
        """Build the answer recorded for a question cut short by shutdown (one final status)."""
        return Answer(
            question,
            partial.strip(),
            self._mode(),
            "cancelled",
            error_cause=SHUTDOWN_CAUSE,
            notice=strings.CANCELLED,
        )

    async def _deliver(self, record: QuestionRecord, answer: Answer) -> None:
        """Show the answer, then queue its outcome and delivery in one write."""
        votable = answer.status in ("answered", "partial", "fallback")
        votable = votable and self.recorder.is_logged(record.key)
        view = feedback_view(record.key) if votable else None
        if self.mentors is not None and answer.status in ("answered", "partial", "fallback"):
            view = self.mentors.with_button(view, record.key, self.context.user_id)
        pieces = render_answer(answer)
        reply_ids = await self._send(pieces, view)
        shown = len(reply_ids)
        if shown == 0:
            await self._quietly(self.target.show(strings.UNEXPECTED_ERROR))
        elif shown < len(pieces):  # keep what the user saw, and say the rest is missing
            await self._quietly(self.target.show(_with_notice(pieces[0]), view))
        delivery: Delivery = (
            "delivered"
            if shown == len(pieces)
            else "partly_delivered"
            if shown
            else "not_delivered"
        )
        self.recorder.finished(record, outcome_of(answer, delivery, _known(reply_ids)))
        metrics.record_answer(self.context.surface, answer)
        log.info("answer %s: %s, %s", record.key, answer.status, delivery)
        uncovered = answer.status == "refused" and answer.intent == "question"
        if uncovered and shown and self.mentors is not None:
            await self._hand_off(self.mentors, record)

    async def _hand_off(self, mentors: MentorDesk, record: QuestionRecord) -> None:
        """Call the mentors in the refused question's thread."""
        try:
            message = await shown_message(self.target)
        except DELIVERY_ERRORS as error:
            log.warning("could not find the refusal of %s to hand it off: %r", record.key, error)
            return
        await mentors.hand_off(message, record.key, self.context.user_id, record.question)

    async def _send(self, pieces: list[str], view: discord.ui.View | None) -> list[int | None]:
        """Show the first piece in place, the rest after it; return the ids of the pieces shown."""
        first, rest = pieces[0], pieces[1:]
        shown: list[int | None] = []
        try:
            shown.append(await self.target.show(first, None if rest else view))
            for number, piece in enumerate(rest, start=1):
                shown.append(await self.target.add(piece, view if number == len(rest) else None))
        except DELIVERY_ERRORS as error:
            log.error("delivered %d of %d pieces of an answer: %r", len(shown), len(pieces), error)
        return shown

    @staticmethod
    async def _quietly(call: Awaitable[object]) -> None:
        try:
            await call
        except DELIVERY_ERRORS as error:
            log.warning("could not update the reply: %r", error)


async def shown_message(target: Target) -> discord.Message:
    """Return the message that shows the answer (to open a thread from it)."""
    if isinstance(target, MessageTarget):
        return target.message
    if isinstance(target, InteractionTarget):
        return await target.interaction.original_response()
    raise TypeError(f"unknown answer target {type(target).__name__}")


def _known(message_ids: list[int | None]) -> list[int]:
    """Return the message ids Discord gave back (an edit may not say which message it was)."""
    return [message_id for message_id in message_ids if message_id is not None]


def _with_notice(shown: str) -> str:
    """Return the piece the user saw, cut to leave room for the 'rest is missing' notice."""
    room = MESSAGE_LIMIT - len(strings.DELIVERY_CUT) - 3
    text = shown if len(shown) <= room else shown[: room - 1] + "…"
    return f"{text}\n\n{strings.DELIVERY_CUT}"
