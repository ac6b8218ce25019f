"""Operator tools on Discord: `/reindexar` rebuilds the keynote index without a restart."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot import strings
from bot.rag.errors import RagError
from bot.rag.ingest import ingest
from cogs.client import AssistantBot
from cogs.support.checks import moderators_only

log = logging.getLogger(__name__)

SOURCE_CHOICES = [
    app_commands.Choice(name=strings.CHOICE_FUENTE_HF, value="hf"),
    app_commands.Choice(name=strings.CHOICE_FUENTE_MUESTRA, value="sample"),
]


class Admin(commands.Cog):
    """Rebuild the index without restarting the bot."""

    def __init__(self, bot: AssistantBot) -> None:
        """Keep the bot; one reindex at a time."""
        self.bot = bot
        self._lock = asyncio.Lock()

    @app_commands.command(name="reindexar", description=strings.CMD_REINDEXAR)
    @app_commands.describe(fuente=strings.OPT_REINDEXAR_FUENTE)
    @app_commands.choices(fuente=SOURCE_CHOICES)
    @moderators_only()
    async def reindexar(self, interaction: discord.Interaction, fuente: str = "hf") -> None:
        """Ingest the talks in a worker thread; the open index follows the swap on its own."""
        if self._lock.locked():
            await interaction.response.send_message(strings.REINDEX_BUSY, ephemeral=True)
            return
        await interaction.response.send_message(strings.REINDEX_STARTED, ephemeral=True)
        settings = self.bot.services.settings
        async with self._lock:
            try:
                source = None if fuente == "hf" else fuente
                report = await asyncio.to_thread(ingest, settings, source, False, False)
            except RagError as error:
                log.error("reindex failed: %s", error)
                await interaction.edit_original_response(
                    content=strings.REINDEX_FAILED.format(reason=error.user_message)
                )
                return
        log.info("reindexed from %s: %d chunks", fuente, report.chunks_total)
        done = strings.REINDEX_DONE.format(talks=report.talks_indexed, chunks=report.chunks_total)
        await interaction.edit_original_response(content=done)


async def setup(bot: AssistantBot) -> None:
    """Load the admin cog."""
    await bot.add_cog(Admin(bot))
