"""Participants' control over their data: `/privacidad` (opt out / in), `/borrar-mis-datos`."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import strings
from bot.forgetting import CuratedNotUpdatedError, forget_person
from cogs.client import AssistantBot
from cogs.services import services_of
from store.errors import StoreError
from store.privacy import PrivacyLog

log = logging.getLogger(__name__)

CONFIRM_SECONDS = 120


class ConfirmDelete(discord.ui.View):
    """A one-button confirmation, valid for a couple of minutes."""

    def __init__(self, privacy: PrivacyLog, user_id: int) -> None:
        """Delete `user_id`'s data through `privacy` when confirmed."""
        super().__init__(timeout=CONFIRM_SECONDS)
        self.privacy = privacy
        self.user_id = user_id

    @discord.ui.button(label=strings.DELETE_BUTTON, style=discord.ButtonStyle.danger)
    async def confirm(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        """Delete everything stored about the caller."""
        services = services_of(interaction).core
        opener = services.answerer.curated_index
        try:
            count = (await forget_person(services.db, self.privacy, opener, self.user_id)).rows
        except CuratedNotUpdatedError as error:  # deleted; the periodic curated sync finishes
            log.warning("deleted a user's data, but %s", error)
            count = error.forgotten.rows
        except StoreError as error:
            log.error("could not delete a user's data: %s", error)
            await interaction.response.edit_message(content=error.user_message, view=None)
            return
        log.info("deleted %d rows for a user at their request", count)
        self.stop()
        await interaction.response.edit_message(
            content=strings.DELETE_DONE.format(count=count), view=None
        )


class Privacy(commands.Cog):
    """Opt out of logging, opt back in, delete one's data."""

    def __init__(self, bot: AssistantBot) -> None:
        """Keep the Q&A log."""
        self.privacy = bot.services.privacy

    @app_commands.command(name="privacidad", description=strings.CMD_PRIVACIDAD)
    @app_commands.describe(registro=strings.OPT_PRIVACIDAD_REGISTRO)
    @app_commands.choices(
        registro=[
            app_commands.Choice(name=strings.CHOICE_REGISTRO_NO, value="no"),
            app_commands.Choice(name=strings.CHOICE_REGISTRO_SI, value="si"),
        ]
    )
    async def privacidad(self, interaction: discord.Interaction, registro: str) -> None:
        """Opt the caller out of (or back into) logging."""
        opted_out = registro == "no"
        await self.privacy.set_opt_out(interaction.user.id, opted_out)
        message = strings.PRIVACY_OPTED_OUT if opted_out else strings.PRIVACY_OPTED_IN
        await interaction.response.send_message(message, ephemeral=True)

    @app_commands.command(name="borrar-mis-datos", description=strings.CMD_BORRAR_MIS_DATOS)
    async def borrar_mis_datos(self, interaction: discord.Interaction) -> None:
        """Ask for confirmation before deleting the caller's data."""
        view = ConfirmDelete(self.privacy, interaction.user.id)
        await interaction.response.send_message(strings.DELETE_CONFIRM, view=view, ephemeral=True)


async def setup(bot: AssistantBot) -> None:
    """Load the privacy cog."""
    await bot.add_cog(Privacy(bot))
