"""Retention, at start-up and once a day: pairs past RETENTION_DAYS, expired erasure records."""

from __future__ import annotations

import logging

from discord.ext import commands, tasks

from cogs.client import AssistantBot
from store.errors import StoreError
from store.privacy import prune_erasure_records, purge_expired

log = logging.getLogger(__name__)


class Retention(commands.Cog):
    """Run the store's retention purge on a daily schedule while the bot is up."""

    def __init__(self, bot: AssistantBot) -> None:
        """Keep the Q&A log and the retention setting."""
        self.db = bot.services.db
        self.days = bot.services.settings.retention_days
        self.runs_jobs = bot.services.settings.runs_periodic_jobs

    async def cog_load(self) -> None:
        """Start the daily purge (its first run is immediate).

        It always prunes expired erasure records; it purges pairs when retention is on. With
        several processes (SHARD_IDS), only the one holding shard 0 purges.
        """
        if not self.runs_jobs:
            log.info("retention purge left to the process that runs shard 0")
        else:
            self.purge.start()

    async def cog_unload(self) -> None:
        """Stop the daily purge."""
        self.purge.cancel()

    @tasks.loop(hours=24)
    async def purge(self) -> None:
        """Delete expired records and pairs; a failure is logged and retried the next day."""
        try:
            await prune_erasure_records(self.db)
            deleted = await purge_expired(self.db, self.days)
        except StoreError as error:
            log.error("retention purge failed: %s", error)
            return
        if self.days > 0:
            log.info("retention purge: %d pairs older than %d days deleted", deleted, self.days)


async def setup(bot: AssistantBot) -> None:
    """Load the retention cog."""
    await bot.add_cog(Retention(bot))
