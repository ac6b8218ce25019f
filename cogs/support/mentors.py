"""The mentors desk: hand a question to the mentor role, and keep what mentors answer.

A hand-off posts one message in the question's thread (opened from the answer for `/pregunta`)
that pings the mentor role and nothing else. Messages of members with that role (or Manage
Server) in a handed-off thread become mentor answers: a mentor's consecutive ones form one answer,
edits update it until a participant speaks. The first answer enters the curated collection at
once; later ones wait for a moderator (store/mentors.py). The bot stays quiet in a handed-off
thread unless it is mentioned. The client builds one desk; the question flow and the mentors
extension reach it through the extensions' services.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import re
from typing import Any

import discord

from bot import strings
from bot.curated_sync import add_pair
from bot.services import Services
from cogs.services import services_of
from cogs.support.mentions import without_mentions
from cogs.support.replies import send_private
from store.curated import CuratedPair
from store.errors import StoreError
from store.handoffs import HandOffLog
from store.mentors import MentorLog
from store.server_settings import ServerSettingsStore

log = logging.getLogger(__name__)

DAY_SECONDS = 86_400.0
QUESTION_SHOWN = 300


def mentor_pings(role_id: int) -> discord.AllowedMentions:
    """Allow exactly one ping: the mentor role (no users, no @everyone, no other role)."""
    return discord.AllowedMentions(
        everyone=False, users=False, roles=[discord.Object(id=role_id)], replied_user=False
    )


def is_mentor(member: discord.Member | discord.User, role_id: int | None) -> bool:
    """Tell whether a member holds the mentor role (if the server has one) or manages the server."""
    if not isinstance(member, discord.Member):
        return False
    holds_role = role_id is not None and member.get_role(role_id) is not None
    return holds_role or member.guild_permissions.manage_guild


class HandOffButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"pa:human:k(?P<key>[0-9a-f]{32}):(?P<asker>[0-9]+)",
):
    """The 🙋 "ask a person" button: hands the question to the mentors; survives restarts."""

    def __init__(self, key: str, asker_id: int) -> None:
        """Build the button for the question `key` asked by `asker_id`."""
        button: discord.ui.Button[Any] = discord.ui.Button(
            style=discord.ButtonStyle.secondary,
            emoji="🙋",
            label=strings.HANDOFF_BUTTON,
            custom_id=f"pa:human:k{key}:{asker_id}",
        )
        super().__init__(button)
        self.key = key
        self.asker_id = asker_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> HandOffButton:
        """Rebuild the button from a clicked custom_id."""
        return cls(match["key"], int(match["asker"]))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Only the asker may call the mentors for their question."""
        if interaction.user.id == self.asker_id:
            return True
        await interaction.response.send_message(strings.HANDOFF_NOT_ASKER, ephemeral=True)
        return False

    async def callback(self, interaction: discord.Interaction) -> None:
        """Hand the question off from the message carrying the button; tell the asker privately."""
        desk = services_of(interaction).mentors
        if interaction.message is None:
            await send_private(interaction, strings.HANDOFF_FAILED)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        reply = await desk.hand_off(interaction.message, self.key, self.asker_id, None)
        await send_private(interaction, reply)


class MentorDesk:
    """Hand-offs, the mentor-answer capture and the curated collection's upkeep."""

    def __init__(self, services: Services, server_settings: ServerSettingsStore) -> None:
        """Keep the services, the servers' settings, the hand-off and mentor-answer logs."""
        self.services = services
        self.settings = services.settings
        self.server_settings = server_settings
        self.handoffs = HandOffLog(services.db)
        self.answers = MentorLog(services.db)
        # One lock per thread, taken before any await: its messages are handled in arrival order.
        self._threads: dict[int, asyncio.Lock] = collections.defaultdict(asyncio.Lock)

    async def role_in(self, guild_id: int | None) -> int | None:
        """Return a server's mentor role: `/configurar rol-mentor`, else MENTOR_ROLE_ID."""
        return (await self.server_settings.get(guild_id)).mentor_role_id

    # -- what the question flow calls -----------------------------------------------------------
    def with_button(
        self, view: discord.ui.View | None, key: str, asker_id: int | None
    ) -> discord.ui.View | None:
        """Add the "ask a person" button to an answer's view."""
        if asker_id is None:
            return view
        view = view or discord.ui.View(timeout=None)
        view.add_item(HandOffButton(key, asker_id))
        return view

    async def hand_off(
        self, message: discord.Message, key: str, asker_id: int | None, question: str | None
    ) -> str:
        """Call the mentors in the thread of `message` (opened if needed); return the outcome."""
        guild_id = message.guild.id if message.guild else None
        role_id = await self.role_in(guild_id)
        if role_id is None:  # the role was unset after the answer was shown
            log.info("no mentor role in server %s: question %s not handed off", guild_id, key)
            return strings.HANDOFF_NO_ROLE
        try:
            opened = await self.handoffs.open(
                key, asker_id, guild_id, self.settings.mentor_handoffs_per_day, DAY_SECONDS
            )
            if opened == "limited":
                return strings.HANDOFF_LIMITED.format(limit=self.settings.mentor_handoffs_per_day)
            if opened == "already":
                return strings.HANDOFF_ALREADY
            question = question or await self.handoffs.question_of(key)
        except StoreError as error:
            log.warning("hand-off of %s not opened: %s", key, error)
            return error.user_message
        try:
            thread = await self._thread_of(message)
            # Noted before the call, so the bot is already quiet when mentors start replying.
            await self._quietly(self.handoffs.placed(key, thread.id))
            call = self._call(question, role_id)
            await thread.send(call, allowed_mentions=mentor_pings(role_id))
        except (discord.HTTPException, OSError) as error:
            log.error("could not call the mentors for %s: %r", key, error)
            await self._quietly(self.handoffs.placed(key, None))
            return strings.HANDOFF_FAILED
        log.info("handed question %s off to the mentors in thread %s", key, thread.id)
        return strings.HANDOFF_DONE

    async def took_over(self, thread_id: int) -> bool:
        """Tell whether mentors were called in this thread (the bot then waits to be mentioned)."""
        try:
            return await self.handoffs.handed_off(thread_id)
        except StoreError as error:
            log.warning("could not read hand-offs of thread %s: %s", thread_id, error)
            return False

    async def _thread_of(self, message: discord.Message) -> discord.Thread:
        if isinstance(message.channel, discord.Thread):
            return message.channel
        if message.thread is not None:
            return message.thread
        name = strings.HANDOFF_THREAD_NAME.format(name=self._asker_name(message))[:100]
        return await message.create_thread(name=name)

    @staticmethod
    def _asker_name(message: discord.Message) -> str:
        metadata = message.interaction_metadata
        return metadata.user.display_name if metadata else message.author.display_name

    @staticmethod
    def _call(question: str | None, role_id: int) -> str:
        role = f"<@&{role_id}>"
        if not question:
            return strings.HANDOFF_CALL_NO_QUESTION.format(role=role)
        shown = question if len(question) <= QUESTION_SHOWN else question[:QUESTION_SHOWN] + "…"
        quoted = discord.utils.escape_mentions(" ".join(shown.split()))  # shown, never a mention
        return strings.HANDOFF_CALL.format(role=role, question=quoted)

    # -- capture of mentor answers ---------------------------------------------------------------
    async def on_message(self, message: discord.Message) -> None:
        """Record a mentor's message in a handed-off thread; a participant's closes the answer."""
        channel = message.channel
        if message.author.bot or not isinstance(channel, discord.Thread):
            return
        async with self._threads[channel.id]:
            await self._capture(message, channel)

    async def _capture(self, message: discord.Message, channel: discord.Thread) -> None:
        if not message.content.strip() or not await self.took_over(channel.id):
            return
        try:
            if is_mentor(message.author, await self.role_in(channel.guild.id)):
                written = await self.answers.mentor_said(
                    channel.id, message.author.id, message.id, message.content
                )
                await self._curate(written)
            else:
                text = without_mentions(message.content)
                await self.answers.participant_said(channel.id, message.author.id, message.id, text)
        except StoreError as error:
            log.error("could not record message %s in thread %s: %s", message.id, channel.id, error)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """Update a mentor answer whose message was edited before a participant spoke."""
        message = payload.message
        role_id = await self.role_in(payload.guild_id)
        if message.author.bot or not is_mentor(message.author, role_id):
            return
        try:
            async with self._threads[payload.channel_id]:
                edited = await self.answers.mentor_edited(
                    payload.channel_id, message.id, message.content
                )
                await self._curate(edited)
        except StoreError as error:
            log.error("could not update mentor answer %s: %s", message.id, error)

    async def _curate(self, pair: CuratedPair | None) -> None:
        if pair is not None:
            await add_pair(self.services, pair)

    @staticmethod
    async def _quietly(call: Any) -> None:
        try:
            await call
        except StoreError as error:
            log.warning("hand-off bookkeeping failed: %s", error)
