"""👍/👎 under answers: registers the persistent vote buttons (cogs/support/feedback.py)."""

from __future__ import annotations

from discord.ext import commands

from cogs.client import AssistantBot
from cogs.support.feedback import VoteButton


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
    """Load the feedback extension."""
    await bot.add_cog(Feedback(bot))
