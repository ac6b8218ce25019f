"""The message command "Marcar como solución": accept a message of a help-forum post as its answer.

The post's author, a mentor or a moderator may run it on any message of the post (the bot's answer
or a human reply). The author's consecutive messages around it form the answer; it is saved with
its provenance (store/solutions.py: the bot's answer or a hand-off's mentor reply is the pair
already logged, never a copy), replacing any earlier one, and the post gets the forum's solved tag.
A message whose author opted out is refused. Not an extension: the forum cog uses it.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from bot import strings
from bot.curated_sync import add_pair, curate_pair
from cogs.services import CogServices
from cogs.support import forum_post as posts
from cogs.support.checks import is_moderator
from cogs.support.history import settled
from cogs.support.mentors import is_mentor
from cogs.support.replies import send_private
from store.errors import StoreError
from store.server_settings import ServerConfig
from store.solutions import AcceptedAnswer, AcceptResult, SolutionLog, SolutionProvenance

log = logging.getLogger(__name__)


class SolutionCommand(app_commands.ContextMenu):
    """A message command named in Spanish, with its English name for en-US clients."""

    def to_dict(self, tree: app_commands.CommandTree[Any]) -> dict[str, Any]:
        """Add the English name to what is synced."""
        localized = {"en-US": strings.SOLUTION_COMMAND_EN, "en-GB": strings.SOLUTION_COMMAND_EN}
        return {**super().to_dict(tree), "name_localizations": localized}


class SolutionMenu:
    """The solution command and the upkeep of accepted answers when their messages change."""

    def __init__(self, services: CogServices) -> None:
        """Build the command over the client's services."""
        self.services = services.core
        self.server_settings = services.server_settings
        self.log = SolutionLog(services.core.db)
        self.command = SolutionCommand(name=strings.SOLUTION_COMMAND, callback=self.mark)
        self.command.guild_only = True

    async def mark(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """Accept `message` as its post's answer, if the caller may, and tag the post solved."""
        config = await self.server_settings.get(interaction.guild_id)
        post = interaction.channel
        forum = posts.forum_of(post, config)
        if forum is None or not isinstance(post, discord.Thread):
            await send_private(interaction, strings.SOLUTION_NOT_FORUM)
            return
        if not await _may_mark(interaction, post, config):
            log.info("user %s may not mark a solution in post %s", interaction.user.id, post.id)
            await send_private(interaction, strings.SOLUTION_NOT_ALLOWED)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        caller_id = interaction.user.id
        me = interaction.client.user
        assert me is not None  # interactions arrive only once connected
        reply = await self._accept(caller_id, me.id, post, forum, message, config)
        try:
            await interaction.edit_original_response(content=reply)
        except discord.HTTPException as error:
            log.warning("could not tell user %s about their solution: %s", caller_id, error)

    async def _accept(
        self,
        caller: int,
        me: int,
        post: discord.Thread,
        forum: discord.ForumChannel,
        message: discord.Message,
        config: ServerConfig,
    ) -> str:
        """Save the accepted answer and apply the tag; return what to tell the caller."""
        if message.id == post.id:
            return strings.SOLUTION_IS_QUESTION
        try:
            if await self.services.privacy.is_opted_out(message.author.id):
                log.info("message %s not accepted: its author opted out", message.id)
                return strings.SOLUTION_OPTED_OUT
            run = await self._answer_of(post, message, me)
            provenance = await _provenance(post.guild, message.author.id, me, config)
            answer = AcceptedAnswer(message.author.id, provenance, run, caller)
            result = await self.log.accept(await posts.post_record(post, me), answer)
        except StoreError as error:
            log.error("could not save the solution of post %s: %s", post.id, error)
            return strings.SOLUTION_UNAVAILABLE
        except discord.HTTPException as error:
            log.error("could not read the answer in post %s: %s", post.id, error)
            return strings.SOLUTION_UNAVAILABLE
        if result.outcome == "empty":
            return strings.SOLUTION_EMPTY
        await self._curate(result)
        log.info("post %s solved by %s (%s): %s", post.id, caller, provenance, result.outcome)
        return await self._tag(post, forum, config, message, result)

    async def _answer_of(
        self, post: discord.Thread, message: discord.Message, me: int
    ) -> dict[int, str]:
        """Return the accepted messages: the bot's saved answer, or a member's consecutive ones."""
        if message.author.id != me:
            return await posts.answer_run(post, message)
        await settled(self.services.recorder)  # the answer's row is completed after delivery
        text = await self.log.bot_answer(post.id, message.id)  # the answer, not its rendering
        return {message.id: text} if text else {}

    async def _tag(
        self,
        post: discord.Thread,
        forum: discord.ForumChannel,
        config: ServerConfig,
        message: discord.Message,
        result: AcceptResult,
    ) -> str:
        """Apply the solved tag if the forum has one; return the caller's confirmation."""
        tag = posts.solved_tag(forum, config)
        if result.outcome == "opted_out":
            reply = strings.SOLUTION_NOT_STORED.format(link=message.jump_url)
        elif tag is None:
            reply = strings.SOLUTION_SAVED_NO_TAG.format(link=message.jump_url)
        else:
            reply = strings.SOLUTION_SAVED.format(link=message.jump_url, tag=tag.name)
        if result.replaced_pair_id is not None:
            reply += strings.SOLUTION_REPLACED
        if tag is None or tag in post.applied_tags:
            return reply
        try:
            await post.add_tags(tag, reason="solution marked")
        except discord.HTTPException as error:
            log.warning("could not tag post %s solved: %s", post.id, error)
            reply += strings.SOLUTION_TAG_FAILED
        return reply

    async def _curate(self, result: AcceptResult) -> None:
        """Index the accepted answer if curated; take the one it replaced out."""
        if result.replaced_pair_id is not None:
            await curate_pair(self.services, result.replaced_pair_id)
        if result.curated is not None:
            await add_pair(self.services, result.curated)

    async def follow_edit(self, post_id: int, message: discord.Message) -> None:
        """Update an accepted answer when one of its (human) messages is edited."""
        try:
            result = await self.log.edited(post_id, message.id, message.content)
        except StoreError as error:
            log.error("could not follow the edit of message %s: %s", message.id, error)
            return
        if result is not None and result.curated is not None:
            await add_pair(self.services, result.curated)


async def _may_mark(
    interaction: discord.Interaction, post: discord.Thread, config: ServerConfig
) -> bool:
    """Tell whether the caller opened the post, is a mentor or a moderator."""
    user = interaction.user
    if user.id == post.owner_id or await is_moderator(interaction):
        return True
    return isinstance(user, discord.Member) and is_mentor(user, config.mentor_role_id)


async def _provenance(
    guild: discord.Guild, author_id: int, me: int, config: ServerConfig
) -> SolutionProvenance:
    """Tell who wrote the answer: the bot, a mentor, or another member of the community."""
    if author_id == me:
        return "bot"
    member = guild.get_member(author_id)
    if member is None:
        try:
            member = await guild.fetch_member(author_id)
        except discord.HTTPException as error:
            log.info("member %s not found (%s): answer counted as community", author_id, error)
            return "community"
    return "mentor" if is_mentor(member, config.mentor_role_id) else "community"
