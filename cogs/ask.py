"""Questions from participants: `/pregunta`, mentions (answered in a new thread), thread follow-ups.

A follow-up's history is read from the store (store/conversations.py): the asker's earlier
questions in the thread and the answers the bot and the mentors gave them, never the rendered
messages. It survives restarts, and nothing extra is kept in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

import discord
from discord import app_commands
from discord.ext import commands

from bot import strings
from bot.rag.types import Turn
from cogs.client import AssistantBot
from cogs.services import CogServices
from cogs.support.flow import (
    DELIVERY_ERRORS,
    InteractionTarget,
    MessageTarget,
    QuestionRun,
    Target,
)
from cogs.support.history import read_history
from cogs.support.mentions import strip_mention
from cogs.support.mentors import MentorDesk
from cogs.support.render import NO_PINGS
from store.conversations import ConversationLog
from store.records import AskContext, StaleReply
from store.server_settings import ServerConfig

log = logging.getLogger(__name__)


class Ask(commands.Cog):
    """Answer questions asked with `/pregunta`, by mentioning the bot, or inside its threads."""

    def __init__(self, bot: AssistantBot, services: CogServices) -> None:
        """Keep the bot and its services."""
        self.bot = bot
        self.services = services.core
        self.gate = services.gate
        self.server_settings = services.server_settings
        self.desk = services.mentors
        self.conversations = ConversationLog(services.core.db)
        self._resuming: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        """Answer again the questions a process that died left unfinished (in the background)."""
        if self.services.stale_replies:
            self._resuming = asyncio.create_task(self._resume_all(self.services.stale_replies))

    async def cog_unload(self) -> None:
        """Stop resuming (each question cut short is recorded as cancelled)."""
        if self._resuming is not None:
            self._resuming.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._resuming

    async def _resume_all(self, stale: Sequence[StaleReply]) -> None:
        await self.bot.wait_until_ready()  # threads need their server's channels in the cache
        await asyncio.gather(*(self._resume(reply) for reply in stale))
        log.info("resumed or closed %d answers a restart cut", len(stale))

    async def _resume(self, stale: StaleReply) -> None:
        """Answer a cut question again in its reply (a follow-up with its thread's history)."""
        partial = self.bot.get_partial_messageable(stale.channel_id)
        reply = partial.get_partial_message(stale.message_id)
        context = stale.question.context
        try:
            message = await reply.fetch()
        except DELIVERY_ERRORS as error:
            log.info("could not read the cut reply %s: %r", stale.message_id, error)
            with contextlib.suppress(*DELIVERY_ERRORS):
                await reply.edit(content=strings.INTERRUPTED, view=None)
            return
        history: list[Turn] = []
        if context.surface == "thread" and context.thread_id and context.user_id:
            asked = stale.question.created_at
            history = await self._history_of(context.thread_id, context.user_id, asked)
        config = await self.server_settings.get(context.guild_id)
        async with self.gate.tracked():
            run = self._question_run(MessageTarget(message), context, self._mentors(config))
            await run.resume(stale.question, history)

    async def _history_of(self, thread_id: int, user_id: int, before: datetime) -> list[Turn]:
        """Read the asker's conversation in the thread from the store."""
        recorder = self.services.recorder
        return await read_history(recorder, self.conversations, thread_id, user_id, before)

    @app_commands.command(name="pregunta", description=strings.CMD_PREGUNTA)
    @app_commands.describe(texto=strings.OPT_PREGUNTA_TEXTO)
    async def pregunta(self, interaction: discord.Interaction, texto: str) -> None:
        """Defer at once, then stream the answer into the response."""
        async with self.gate.tracked():  # from arrival: shutdown waits for this question
            config = await self.server_settings.get(interaction.guild_id)
            parent_id = getattr(interaction.channel, "parent_id", None)
            if interaction.channel_id and not config.allows_channel(
                interaction.channel_id, parent_id
            ):
                await interaction.response.send_message(strings.CHANNEL_NOT_ALLOWED, ephemeral=True)
                return
            refusal = self.gate.admit(interaction.user.id, config.cooldown_seconds)
            if refusal is not None:
                await interaction.response.send_message(refusal, ephemeral=True)
                return
            await interaction.response.defer(thinking=True)
            context = AskContext(
                surface="slash",
                user_id=interaction.user.id,
                guild_id=interaction.guild_id,
                channel_id=interaction.channel_id,
            )
            target = InteractionTarget(interaction)
            await self._run(target, context, texto, [], self._mentors(config))

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer a mention in a new thread, or a message in one of the bot's threads."""
        me = self.bot.user
        if me is None or message.author.bot or message.guild is None:
            return
        channel = message.channel
        in_own_thread = isinstance(channel, discord.Thread) and channel.owner_id == me.id
        if not in_own_thread and me not in message.mentions:
            return
        config = await self.server_settings.get(message.guild.id)
        parent_id = channel.parent_id if isinstance(channel, discord.Thread) else None
        if not config.allows_channel(channel.id, parent_id):
            log.debug("ignoring message in channel %s (not an allowed channel)", channel.id)
            return
        if me not in message.mentions and await self._mentors_took_over(channel):
            return
        try:
            async with self.gate.tracked():  # from arrival: shutdown waits for this question
                refusal = self.gate.admit(message.author.id, config.cooldown_seconds)
                if refusal is not None:
                    await message.reply(refusal, allowed_mentions=NO_PINGS)
                    return
                question = strip_mention(message.content, me.id)
                mentors = self._mentors(config)
                if isinstance(channel, discord.Thread):
                    await self._follow_up(message, channel, question, mentors)
                else:
                    await self._open_thread(message, question, mentors)
        except discord.HTTPException as error:
            log.error("could not answer message %s in %s: %s", message.id, channel.id, error)

    async def _mentors_took_over(self, channel: discord.abc.MessageableChannel) -> bool:
        """Tell whether mentors were called in this thread: the bot then waits to be mentioned."""
        thread = isinstance(channel, discord.Thread)
        return thread and await self.desk.took_over(channel.id)

    def _mentors(self, config: ServerConfig) -> MentorDesk | None:
        """Return the mentors desk where the server has a mentor role (else: no hand-off)."""
        return self.desk if config.mentor_role_id else None

    async def _open_thread(
        self, message: discord.Message, question: str, mentors: MentorDesk | None
    ) -> None:
        name = strings.THREAD_NAME.format(name=message.author.display_name)[:100]
        context = AskContext(
            surface="mention",
            user_id=message.author.id,
            guild_id=message.guild.id if message.guild else None,
            channel_id=message.channel.id,
            message_id=message.id,
        )
        try:
            thread = await message.create_thread(name=name)
            placeholder = await thread.send(strings.THINKING, allowed_mentions=NO_PINGS)
            context = dataclasses.replace(context, thread_id=thread.id)
        except discord.HTTPException as error:
            log.warning(
                "could not open a thread in %s (%s); replying inline", message.channel.id, error
            )
            placeholder = await message.reply(strings.THINKING, allowed_mentions=NO_PINGS)
        await self._run(MessageTarget(placeholder), context, question, [], mentors)

    async def _follow_up(
        self,
        message: discord.Message,
        thread: discord.Thread,
        question: str,
        mentors: MentorDesk | None,
    ) -> None:
        history = await self._history_of(thread.id, message.author.id, datetime.now(UTC))
        placeholder = await message.reply(strings.THINKING, allowed_mentions=NO_PINGS)
        context = AskContext(
            surface="thread",
            user_id=message.author.id,
            guild_id=thread.guild.id,
            channel_id=thread.parent_id,
            thread_id=thread.id,
            message_id=message.id,
        )
        await self._run(MessageTarget(placeholder), context, question, history, mentors)

    async def _run(
        self,
        target: Target,
        context: AskContext,
        question: str,
        history: list[Turn],
        mentors: MentorDesk | None,
    ) -> None:
        await self._question_run(target, context, mentors).run(question, history)

    def _question_run(
        self, target: Target, context: AskContext, mentors: MentorDesk | None
    ) -> QuestionRun:
        return QuestionRun(
            self.services.answerer,
            self.services.recorder,
            self.gate,
            target,
            context,
            mentors=mentors,
        )


async def setup(bot: AssistantBot) -> None:
    """Load the ask cog."""
    await bot.add_cog(Ask(bot, bot.cog_services))
