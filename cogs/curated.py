"""Reconcile the curated collection with the Q&A log at start and every few minutes.

Reviews on Discord, mentor answers and deletions update it at once (bot/curated_sync.py); this
pass picks up what other processes changed (`pide-ayuda faq`, `review`, retention).
"""

from __future__ import annotations

import asyncio
import contextlib

from discord.ext import commands

from bot.curated_sync import resync
from bot.services import Services
from cogs.client import AssistantBot

SYNC_SECONDS = 300.0


class Curated(commands.Cog):
    """Reconcile the curated collection with the log at start and every few minutes."""

    def __init__(self, services: Services) -> None:
        """Keep the process's services."""
        self.services = services
        self._task: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        """Start the reconciling loop (its first pass runs at once)."""
        self._task = asyncio.create_task(self._loop(), name="curated-sync")

    async def cog_unload(self) -> None:
        """Stop the loop."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            await resync(self.services)
            await asyncio.sleep(SYNC_SECONDS)


async def setup(bot: AssistantBot) -> None:
    """Load the curated-answers extension."""
    await bot.add_cog(Curated(bot.cog_services.core))
