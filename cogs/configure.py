"""`/configurar`: per-server settings (channels, roles, cooldown), for members with Manage Server.

Discord hides the group from others by default (default permissions), but a server can change
that, so Manage Server is checked again on every call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import strings
from cogs.client import AssistantBot
from cogs.support.replies import UserFacingCheckFailure
from store.errors import StoreError
from store.server_settings import FIELDS, ServerConfig

log = logging.getLogger(__name__)

ACTIONS = [
    app_commands.Choice(name=strings.CHOICE_ACCION_ANADIR, value="add"),
    app_commands.Choice(name=strings.CHOICE_ACCION_QUITAR, value="remove"),
]
RESETTABLE = [
    app_commands.Choice(name=strings.CHOICE_AJUSTE_CANALES, value="allowed_channel_ids"),
    app_commands.Choice(name=strings.CHOICE_AJUSTE_MODERADOR, value="moderator_role_id"),
    app_commands.Choice(name=strings.CHOICE_AJUSTE_MENTOR, value="mentor_role_id"),
    app_commands.Choice(name=strings.CHOICE_AJUSTE_ESPERA, value="cooldown_seconds"),
    app_commands.Choice(name=strings.CHOICE_AJUSTE_FOROS, value="help_forum_channel_ids"),
    app_commands.Choice(name=strings.CHOICE_AJUSTE_ETIQUETA, value="solved_tag_name"),
    app_commands.Choice(name=strings.CHOICE_AJUSTE_AVISO, value="forum_notice"),
    app_commands.Choice(name=strings.CHOICE_AJUSTE_TODO, value="all"),
]
MAX_COOLDOWN_SECONDS = 3600
MAX_TAG_NAME = 20  # Discord's limit on a forum tag's name
MAX_NOTICE = 1000


def describe(config: ServerConfig) -> str:
    """Render a server's settings for `/configurar ver`, marking the ones set on the server."""

    def mark(name: str) -> str:
        return " ⚙️" if name in config.overridden else ""

    channels = ", ".join(f"<#{c}>" for c in config.allowed_channel_ids)
    return strings.SETTINGS_TEXT.format(
        channels=channels or strings.SETTINGS_ALL_CHANNELS,
        channels_mark=mark("allowed_channel_ids"),
        moderator=_role(config.moderator_role_id),
        moderator_mark=mark("moderator_role_id"),
        mentor=_role(config.mentor_role_id),
        mentor_mark=mark("mentor_role_id"),
        cooldown=f"{config.cooldown_seconds:g}",
        cooldown_mark=mark("cooldown_seconds"),
    ) + _describe_forums(config, mark)


def _describe_forums(config: ServerConfig, mark: Callable[[str], str]) -> str:
    forums = ", ".join(f"<#{c}>" for c in config.help_forum_channel_ids)
    return strings.SETTINGS_FORUMS.format(
        forums=forums or strings.SETTINGS_NO_FORUMS,
        forums_mark=mark("help_forum_channel_ids"),
        tag=config.solved_tag_name or strings.SETTINGS_TAG_DEFAULT,
        tag_mark=mark("solved_tag_name"),
        notice=config.forum_notice or strings.SETTINGS_NOTICE_DEFAULT,
        notice_mark=mark("forum_notice"),
    )


def toggled(ids: Sequence[int], action: str, channel_id: int) -> list[int]:
    """Return the channel ids with `channel_id` added or removed, as `action` says."""
    current = list(ids)
    if action == "add" and channel_id not in current:
        current.append(channel_id)
    elif action == "remove" and channel_id in current:
        current.remove(channel_id)
    return current


def _role(role_id: int | None) -> str:
    return f"<@&{role_id}>" if role_id else strings.SETTINGS_NO_ROLE


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Configure(
    commands.GroupCog, group_name="configurar", group_description=strings.CMD_CONFIGURAR
):
    """Show and change this server's settings; changes reach every process within seconds."""

    def __init__(self, bot: AssistantBot) -> None:
        """Keep the bot's per-server settings store."""
        self.bot = bot
        self.store = bot.cog_services.server_settings

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Re-check Manage Server on every call, whatever the server's command permissions say."""
        if interaction.guild_id is not None and interaction.permissions.manage_guild:
            return True
        raise UserFacingCheckFailure(strings.MANAGE_SERVER_ONLY, "no Manage Server permission")

    @app_commands.command(name="ver", description=strings.CMD_CONFIGURAR_VER)
    async def ver(self, interaction: discord.Interaction) -> None:
        """Show the settings in force here (ephemeral)."""
        config = await self.store.get(interaction.guild_id)
        await interaction.response.send_message(describe(config), ephemeral=True)

    @app_commands.command(name="canal", description=strings.CMD_CONFIGURAR_CANAL)
    @app_commands.describe(accion=strings.OPT_CONFIGURAR_ACCION, canal=strings.OPT_CONFIGURAR_CANAL)
    @app_commands.choices(accion=ACTIONS)
    async def canal(
        self, interaction: discord.Interaction, accion: str, canal: discord.TextChannel
    ) -> None:
        """Add or remove one channel where questions are answered (none listed = every one)."""
        config = await self.store.get(interaction.guild_id)
        current = toggled(config.allowed_channel_ids, accion, canal.id)
        await self._save(interaction, allowed_channel_ids=current or None)

    @app_commands.command(name="rol-moderador", description=strings.CMD_CONFIGURAR_MODERADOR)
    @app_commands.describe(rol=strings.OPT_CONFIGURAR_ROL)
    async def rol_moderador(self, interaction: discord.Interaction, rol: discord.Role) -> None:
        """Set the role that may use the moderator commands here."""
        await self._save(interaction, moderator_role_id=rol.id)

    @app_commands.command(name="rol-mentor", description=strings.CMD_CONFIGURAR_MENTOR)
    @app_commands.describe(rol=strings.OPT_CONFIGURAR_ROL)
    async def rol_mentor(self, interaction: discord.Interaction, rol: discord.Role) -> None:
        """Set the mentors' role here."""
        await self._save(interaction, mentor_role_id=rol.id)

    @app_commands.command(name="espera", description=strings.CMD_CONFIGURAR_ESPERA)
    @app_commands.describe(segundos=strings.OPT_CONFIGURAR_SEGUNDOS)
    async def espera(
        self,
        interaction: discord.Interaction,
        segundos: app_commands.Range[float, 0, MAX_COOLDOWN_SECONDS],
    ) -> None:
        """Set the seconds each member waits between questions here."""
        await self._save(interaction, cooldown_seconds=float(segundos))

    @app_commands.command(name="foro", description=strings.CMD_CONFIGURAR_FORO)
    @app_commands.describe(accion=strings.OPT_CONFIGURAR_ACCION, canal=strings.OPT_CONFIGURAR_FORO)
    @app_commands.choices(accion=ACTIONS)
    async def foro(
        self, interaction: discord.Interaction, accion: str, canal: discord.ForumChannel
    ) -> None:
        """Add or remove a help forum, whose posts the bot answers and where solutions are kept."""
        config = await self.store.get(interaction.guild_id)
        current = toggled(config.help_forum_channel_ids, accion, canal.id)
        await self._save(interaction, help_forum_channel_ids=current)

    @app_commands.command(name="foro-etiqueta", description=strings.CMD_CONFIGURAR_FORO_ETIQUETA)
    @app_commands.describe(nombre=strings.OPT_CONFIGURAR_ETIQUETA)
    async def foro_etiqueta(
        self, interaction: discord.Interaction, nombre: app_commands.Range[str, 1, MAX_TAG_NAME]
    ) -> None:
        """Set the name of the tag that marks a help-forum post solved."""
        await self._save(interaction, solved_tag_name=nombre.strip())

    @app_commands.command(name="foro-aviso", description=strings.CMD_CONFIGURAR_FORO_AVISO)
    @app_commands.describe(texto=strings.OPT_CONFIGURAR_AVISO)
    async def foro_aviso(
        self, interaction: discord.Interaction, texto: app_commands.Range[str, 1, MAX_NOTICE]
    ) -> None:
        """Set the consent notice posted in each new help-forum post."""
        await self._save(interaction, forum_notice=texto.strip())

    @app_commands.command(name="restablecer", description=strings.CMD_CONFIGURAR_RESTABLECER)
    @app_commands.describe(ajuste=strings.OPT_CONFIGURAR_AJUSTE)
    @app_commands.choices(ajuste=RESETTABLE)
    async def restablecer(self, interaction: discord.Interaction, ajuste: str) -> None:
        """Put one setting, or all of them, back to the environment default."""
        names = FIELDS if ajuste == "all" else (ajuste,)
        await self._save(interaction, **dict.fromkeys(names))

    async def _save(self, interaction: discord.Interaction, **changes: Any) -> None:
        guild_id = interaction.guild_id
        assert guild_id is not None  # guild_only, and checked in interaction_check
        try:
            config = await self.store.update(guild_id, interaction.user.id, **changes)
        except StoreError as error:
            log.error("could not save settings of server %s: %s", guild_id, error)
            await interaction.response.send_message(strings.SETTINGS_UNAVAILABLE, ephemeral=True)
            return
        log.info("server %s settings changed by %s: %s", guild_id, interaction.user.id, changes)
        text = strings.SETTINGS_SAVED.format(settings=describe(config))
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: AssistantBot) -> None:
    """Load the configure cog."""
    await bot.add_cog(Configure(bot))
