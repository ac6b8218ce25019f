"""Who may use the moderator commands: Manage Server or the server's moderator role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot import strings
from cogs.services import services_of
from cogs.support.replies import UserFacingCheckFailure
from store.server_settings import ServerConfig

T = TypeVar("T")


def is_moderator(interaction: discord.Interaction[Any], config: ServerConfig | None = None) -> bool:
    """Tell whether the caller has Manage Server here or this server's moderator role.

    Without `config`, the server's last read settings are used (no database call).
    """
    if interaction.permissions.manage_guild:
        return True
    if config is None:
        config = services_of(interaction).server_settings.peek(interaction.guild_id)
    role_id = config.moderator_role_id
    user = interaction.user
    if not role_id or not isinstance(user, discord.Member):
        return False
    return user.get_role(role_id) is not None


async def _check(interaction: discord.Interaction[Any]) -> bool:
    config = await services_of(interaction).server_settings.get(interaction.guild_id)
    if is_moderator(interaction, config):
        return True
    raise UserFacingCheckFailure(strings.MODERATORS_ONLY, "not a moderator")


def moderators_only() -> Callable[[T], T]:
    """Hide a command from non-moderators by default and check again on every call."""

    def decorate(command: T) -> T:
        command = app_commands.check(_check)(command)
        command = app_commands.default_permissions(manage_guild=True)(command)
        return app_commands.guild_only()(command)

    return decorate
