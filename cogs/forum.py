"""Help forums: the bot answers each new post in it, and members mark the post's solution.

In a help forum (`/configurar foro`, or HELP_FORUM_CHANNEL_IDS), a new post gets a consent
notice and the bot's answer inside the post, through the same pipeline as `/pregunta` (citations,
relevance gate, hand-off to mentors); the question is the post's title plus its first message.
Later messages of the post's author are follow-ups, as in the bot's own threads (a mention from
anyone is left to the ask cog; after a hand-off the bot waits to be mentioned). The message command
"Marcar como solución" saves the accepted answer (store/solutions.py) and applies the solved tag.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import discord
from discord.ext import commands

from bot import strings
from bot.rag.types import Turn
from cogs.client import AssistantBot
from cogs.services import CogServices
from cogs.support import forum_post as posts
from cogs.support.flow import DELIVERY_ERRORS, MessageTarget, QuestionRun
from cogs.support.history import read_history
from cogs.support.mentions import strip_mention
from cogs.support.render import NO_PINGS
from cogs.support.solutions import SolutionMenu
from store.conversations import ConversationLog
from store.records import AskContext
from store.server_settings import ServerConfig

log = logging.getLogger(__name__)


class Forum(commands.Cog):
    """Answer help-forum posts and their author's follow-ups; offer the solution command."""

    def __init__(self, bot: AssistantBot, services: CogServices) -> None:
        """Keep the bot, its services and the solution command."""
        self.bot = bot
        self.services = services.core
        self.gate = services.gate
        self.server_settings = services.server_settings
        self.desk = services.mentors
        self.conversations = ConversationLog(services.core.db)
        self.menu = SolutionMenu(services)

    async def cog_load(self) -> None:
        """Add the message command to the tree (synced with the slash commands)."""
        self.bot.tree.add_command(self.menu.command)

    async def cog_unload(self) -> None:
        """Take the message command out of the tree."""
        command = self.menu.command
        self.bot.tree.remove_command(command.name, type=command.type)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer a new post of a help forum, or a follow-up of its author in it."""
        me, post = self.bot.user, message.channel
        if me is None or message.author.bot or not isinstance(post, discord.Thread):
            return
        config = await self.server_settings.get(post.guild.id)
        if posts.forum_of(post, config) is None:
            return
        starts = posts.is_post_start(message)
        if me in message.mentions:  # a mention is the ask cog's to answer
            if starts:
                await self._notice(post, config)
            return
        if not starts and (message.author.id != post.owner_id or await self._taken_over(post)):
            return
        try:
            async with self.gate.tracked():  # from arrival: shutdown waits for this question
                if starts:
                    await self._notice(post, config)
                refusal = self.gate.admit(message.author.id, config.cooldown_seconds)
                if refusal is not None:
                    await message.reply(refusal, allowed_mentions=NO_PINGS)
                    return
                await self._answer(message, post, config, starts, me)
        except discord.HTTPException as error:
            log.error("could not answer message %s in post %s: %s", message.id, post.id, error)

    async def _notice(self, post: discord.Thread, config: ServerConfig) -> None:
        """Post the consent notice (an embed: it never counts as an answer in the history)."""
        notice = discord.Embed(description=config.forum_notice or strings.FORUM_NOTICE)
        try:
            await post.send(embed=notice, allowed_mentions=NO_PINGS)
        except DELIVERY_ERRORS as error:
            log.warning("could not post the consent notice in post %s: %r", post.id, error)

    async def _answer(
        self,
        message: discord.Message,
        post: discord.Thread,
        config: ServerConfig,
        starts: bool,
        me: discord.ClientUser,
    ) -> None:
        """Answer the post's question (title + first message) or a follow-up, inside the post."""
        history: list[Turn] = []
        if starts:
            question = posts.question_of(post, message, me.id)
            placeholder = await post.send(strings.THINKING, allowed_mentions=NO_PINGS)
        else:
            question = strip_mention(message.content, me.id)
            history = await read_history(
                self.services.recorder,
                self.conversations,
                post.id,
                message.author.id,
                datetime.now(UTC),
            )
            placeholder = await message.reply(strings.THINKING, allowed_mentions=NO_PINGS)
        context = AskContext(
            surface="forum",
            user_id=message.author.id,
            guild_id=post.guild.id,
            channel_id=post.parent_id,
            thread_id=post.id,
            message_id=message.id,
        )
        run = QuestionRun(
            self.services.answerer,
            self.services.recorder,
            self.gate,
            MessageTarget(placeholder),
            context,
            mentors=self.desk if config.mentor_role_id else None,
        )
        await run.run(question, history)

    async def _taken_over(self, post: discord.Thread) -> bool:
        """Tell whether mentors were called in this post: the bot then waits to be mentioned."""
        return await self.desk.took_over(post.id)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """Follow a member's edit of a message that is part of an accepted answer."""
        if payload.message.author.bot:  # the bot edits its answers only while they stream
            return
        config = await self.server_settings.get(payload.guild_id)
        if posts.forum_of(payload.message.channel, config) is not None:
            await self.menu.follow_edit(payload.channel_id, payload.message)


async def setup(bot: AssistantBot) -> None:
    """Load the help-forum cog."""
    await bot.add_cog(Forum(bot, bot.cog_services))
