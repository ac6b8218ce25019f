"""👍/👎 buttons under answers: persistent (the pair id rides in the custom_id), votes via QALog."""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord.ext import commands

from bot import strings
from bot.app import AssistantBot, services_of
from store.errors import StoreError

log = logging.getLogger(__name__)

VOTES = {"up": ("👍", 1), "down": ("👎", -1)}


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"pa:vote:(?P<pair>[0-9]+):(?P<value>up|down)",
):
    """One vote button; works for any answer ever sent, across restarts."""

    def __init__(self, pair_id: int, value: str) -> None:
        """Build the button for `pair_id` voting `value` ("up" or "down")."""
        emoji, _ = VOTES[value]
        button: discord.ui.Button[Any] = discord.ui.Button(
            style=discord.ButtonStyle.secondary,
            emoji=emoji,
            custom_id=f"pa:vote:{pair_id}:{value}",
        )
        super().__init__(button)
        self.pair_id = pair_id
        self.value = value

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> VoteButton:
        """Rebuild the button from a clicked custom_id."""
        return cls(int(match["pair"]), match["value"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Record the vote and thank the voter privately."""
        qalog = services_of(interaction).qalog
        try:
            await qalog.vote(self.pair_id, interaction.user.id, VOTES[self.value][1])
        except StoreError as error:
            log.warning("vote on pair %s not recorded: %s", self.pair_id, error)
            await interaction.response.send_message(error.user_message, ephemeral=True)
            return
        await interaction.response.send_message(strings.VOTE_THANKS, ephemeral=True)


def feedback_view(pair_id: int) -> discord.ui.View:
    """Return the 👍/👎 view for a logged pair."""
    view = discord.ui.View(timeout=None)
    view.add_item(VoteButton(pair_id, "up"))
    view.add_item(VoteButton(pair_id, "down"))
    return view


class Feedback(commands.Cog):
    """Register the vote buttons so clicks on old answers still work after a restart."""

    def __init__(self, bot: AssistantBot) -> None:
        """Keep the bot."""
        self.bot = bot

    async def cog_load(self) -> None:
        """Register the dynamic vote buttons."""
        self.bot.add_dynamic_items(VoteButton)

    async def cog_unload(self) -> None:
        """Unregister the dynamic vote buttons."""
        self.bot.remove_dynamic_items(VoteButton)


async def setup(bot: AssistantBot) -> None:
    """Load the feedback cog."""
    await bot.add_cog(Feedback(bot))
