"""Mentors in the loop: the 🙋 button and the capture of mentor answers in handed-off threads.

The desk (cogs/support/mentors.py) does the work; this extension registers the persistent button
and hands it the messages and edits it needs to see.
"""

from __future__ import annotations

import discord
from discord.ext import commands

from cogs.client import AssistantBot
from cogs.services import CogServices
from cogs.support.mentors import HandOffButton


class Mentors(commands.Cog):
    """Register the hand-off button and feed the mentors desk with thread messages."""

    def __init__(self, bot: AssistantBot, services: CogServices) -> None:
        """Keep the bot and the desk."""
        self.bot = bot
        self.desk = services.mentors

    async def cog_load(self) -> None:
        """Register the persistent button."""
        self.bot.add_dynamic_items(HandOffButton)

    async def cog_unload(self) -> None:
        """Unregister the button."""
        self.bot.remove_dynamic_items(HandOffButton)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Record a mentor's message in a handed-off thread; a participant's closes the answer."""
        await self.desk.on_message(message)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """Update a mentor answer whose message was edited before a participant spoke."""
        await self.desk.on_raw_message_edit(payload)


async def setup(bot: AssistantBot) -> None:
    """Load the mentors extension; servers without a mentor role get no hand-off."""
    await bot.add_cog(Mentors(bot, bot.cog_services))
