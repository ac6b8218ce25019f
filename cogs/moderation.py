"""Moderator tools: `/exportar`, `/revisar`, `/estadisticas` (Manage Server or moderator role)."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import discord
from discord import app_commands
from discord.ext import commands

from bot import strings
from cogs.client import AssistantBot
from cogs.support.checks import moderators_only
from cogs.support.export_file import EXPORT_FORMATS, ExportFile, write_export
from cogs.support.render import NO_PINGS
from cogs.support.review import ReviewButton, review_text, review_view
from store.handoffs import HandOffLog, HandOffStats
from store.queries import Stats
from store.solutions import SolutionLog, SolutionStats

log = logging.getLogger(__name__)

FORMAT_CHOICES = [app_commands.Choice(name=fmt, value=fmt) for fmt in EXPORT_FORMATS]
STATE_CHOICES = [
    app_commands.Choice(name=strings.CHOICE_ESTADO_APROBADOS, value="approved"),
    app_commands.Choice(name=strings.CHOICE_ESTADO_PENDIENTES, value="pending"),
    app_commands.Choice(name=strings.CHOICE_ESTADO_RECHAZADOS, value="rejected"),
    app_commands.Choice(name=strings.CHOICE_ESTADO_TODOS, value="all"),
]


def stats_text(stats: Stats) -> str:
    """Render the log's counters for moderators."""
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(stats.by_status.items())) or "-"
    reviews = ", ".join(f"{k}: {v}" for k, v in sorted(stats.by_review.items())) or "-"
    talks = "\n".join(f"- *{t}* — {a}: {n}" for t, a, n in stats.by_talk[:10]) or "-"
    return strings.STATS_TEXT.format(
        total=stats.total,
        statuses=statuses,
        reviews=reviews,
        up=stats.votes_up,
        down=stats.votes_down,
        voted=stats.voted_pairs,
        opted_out=stats.opted_out_users,
        talks=talks,
    )


def handoffs_text(stats: HandOffStats) -> str:
    """Render the hand-offs to mentors for moderators."""
    median = stats.median_reply_seconds
    wait = "-" if median is None else f"{round(median / 60)} min"
    return strings.STATS_HANDOFFS.format(
        opened=stats.opened, answered=stats.answered, open=stats.open, median=wait
    )


def solutions_text(stats: SolutionStats) -> str:
    """Render the help forums' solved posts for moderators."""
    median = stats.median_seconds
    wait = "-" if median is None else f"{round(median / 60)} min"
    answers = ", ".join(
        f"{strings.REVIEW_AUTHORS.get(name, name)} {n}" for name, n in stats.by_provenance.items()
    )
    return strings.STATS_SOLUTIONS.format(
        solved=stats.solved, median=wait, by_provenance=answers or "-"
    )


def done_text(export: ExportFile, fmt: str) -> str:
    """Tell the moderator what the attachment holds."""
    if fmt == "csv":
        return strings.EXPORT_DONE.format(count=export.rows["csv"], fmt=fmt)
    return strings.EXPORT_DONE_DATASET.format(
        fmt=fmt, messages=export.rows["messages"], preferences=export.rows["preferences"]
    )


class Moderation(commands.Cog):
    """Export, review and count the logged Q&A pairs."""

    def __init__(self, bot: AssistantBot) -> None:
        """Keep the bot's services."""
        self.bot = bot
        self.services = bot.services

    async def cog_load(self) -> None:
        """Register the persistent review buttons."""
        self.bot.add_dynamic_items(ReviewButton)

    async def cog_unload(self) -> None:
        """Unregister the review buttons."""
        self.bot.remove_dynamic_items(ReviewButton)

    @app_commands.command(name="exportar", description=strings.CMD_EXPORTAR)
    @app_commands.describe(formato=strings.OPT_EXPORTAR_FORMATO, estado=strings.OPT_EXPORTAR_ESTADO)
    @app_commands.choices(formato=FORMAT_CHOICES, estado=STATE_CHOICES)
    @moderators_only()
    async def exportar(
        self, interaction: discord.Interaction, formato: str = "parquet", estado: str = "approved"
    ) -> None:
        """Send what `pide-ayuda export` writes (a zipped dataset folder, or a CSV file)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        with tempfile.TemporaryDirectory(prefix="pide-ayuda-export-") as work:
            export = await write_export(self.services, formato, estado, Path(work))
            if export.empty:
                await interaction.followup.send(strings.EXPORT_EMPTY, ephemeral=True)
                return
            size = export.path.stat().st_size
            if size > interaction.filesize_limit:
                message = strings.EXPORT_TOO_BIG.format(size=round(size / 1e6, 1))
                await interaction.followup.send(message, ephemeral=True)
                return
            message = done_text(export, formato)
            await interaction.followup.send(message, file=discord.File(export.path), ephemeral=True)
        log.info("user %s exported %s as %s", interaction.user.id, export.rows, formato)

    @app_commands.command(name="revisar", description=strings.CMD_REVISAR)
    @moderators_only()
    async def revisar(self, interaction: discord.Interaction) -> None:
        """Show the next pending pair with Approve / Edit / Reject buttons."""
        pair = await self.services.reviews.next_pending()
        if pair is None:
            await interaction.response.send_message(strings.REVIEW_NONE, ephemeral=True)
            return
        await interaction.response.send_message(
            review_text(pair), view=review_view(pair.id), ephemeral=True, allowed_mentions=NO_PINGS
        )

    @app_commands.command(name="estadisticas", description=strings.CMD_ESTADISTICAS)
    @moderators_only()
    async def estadisticas(self, interaction: discord.Interaction) -> None:
        """Show counts by status, review state, votes and talks."""
        stats = await self.services.reviews.stats()
        handoffs = handoffs_text(await HandOffLog(self.services.db).stats())
        solved = solutions_text(await SolutionLog(self.services.db).stats())
        text = f"{stats_text(stats)}\n{handoffs}\n{solved}"
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: AssistantBot) -> None:
    """Load the moderation cog."""
    await bot.add_cog(Moderation(bot))
