"""Private replies to a user: an ephemeral message, and the refusal that carries one."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

log = logging.getLogger(__name__)


class UserFacingCheckFailure(app_commands.CheckFailure):
    """A refused command whose Spanish `user_message` explains why."""

    def __init__(self, user_message: str, reason: str) -> None:
        """Keep the message for the user and the reason for the log."""
        super().__init__(reason)
        self.user_message = user_message


async def send_private(interaction: discord.Interaction[Any], message: str) -> None:
    """Send an ephemeral message, as the first response or as a follow-up."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException as error:
        log.warning("could not tell user %s about an error: %s", interaction.user.id, error)
