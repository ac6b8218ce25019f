"""Who may use the moderator commands: Manage Server or the MODERATOR_ROLE_ID role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot import strings
from bot.app import UserFacingCheckFailure, services_of

T = TypeVar("T")


def is_moderator(interaction: discord.Interaction[Any]) -> bool:
    """Tell whether the caller has Manage Server here or the configured moderator role."""
    if interaction.permissions.manage_guild:
        return True
    role_id = services_of(interaction).settings.moderator_role_id
    user = interaction.user
    if not role_id or not isinstance(user, discord.Member):
        return False
    return user.get_role(role_id) is not None


async def _check(interaction: discord.Interaction[Any]) -> bool:
    if is_moderator(interaction):
        return True
    raise UserFacingCheckFailure(strings.MODERATORS_ONLY, "not a moderator")


def moderators_only() -> Callable[[T], T]:
    """Hide a command from non-moderators by default and check again on every call."""

    def decorate(command: T) -> T:
        command = app_commands.check(_check)(command)
        command = app_commands.default_permissions(manage_guild=True)(command)
        return app_commands.guild_only()(command)

    return decorate
