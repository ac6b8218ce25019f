"""The Discord client: services handed in, extensions loaded in setup_hook, released on close."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import strings
from bot.config import Settings
from bot.errors import UserFacingError
from bot.services import Services
from cogs.services import CogServices
from cogs.support import gateway_json
from cogs.support.gate import AnswerGate
from cogs.support.mentors import MentorDesk
from cogs.support.replies import UserFacingCheckFailure, send_private
from store.server_settings import ServerConfig, ServerSettingsStore

log = logging.getLogger(__name__)

EXTENSIONS = (
    "cogs.feedback",
    "cogs.ask",
    "cogs.privacy",
    "cogs.moderation",
    "cogs.admin",
    "cogs.retention",
    "cogs.configure",
    "cogs.health",
    "cogs.mentors",
    "cogs.curated",
    "cogs.forum",
)
SHUTDOWN_GRACE_SECONDS = 5.0


class AssistantTree(app_commands.CommandTree["AssistantBot"]):
    """Command tree whose error handler tells the user in Spanish and the operator in the log."""

    async def on_error(
        self, interaction: discord.Interaction[AssistantBot], error: app_commands.AppCommandError
    ) -> None:
        """Answer every command error with a short ephemeral message and log it."""
        name = interaction.command.qualified_name if interaction.command else "?"
        if isinstance(error, UserFacingCheckFailure):
            log.info("/%s refused for user %s: %s", name, interaction.user.id, error)
            message = error.user_message
        elif isinstance(error, app_commands.CheckFailure):
            log.info("/%s refused for user %s: %s", name, interaction.user.id, error)
            message = strings.NOT_ALLOWED
        else:
            cause = error.original if isinstance(error, app_commands.CommandInvokeError) else error
            log.error("/%s failed for user %s", name, interaction.user.id, exc_info=cause)
            message = (
                cause.user_message if isinstance(cause, UserFacingError) else strings.COMMAND_FAILED
            )
        await send_private(interaction, message)


def server_defaults(settings: Settings) -> ServerConfig:
    """Return the settings of a server that set nothing with `/configurar`: the environment's."""
    return ServerConfig(
        allowed_channel_ids=tuple(settings.allowed_channel_ids),
        moderator_role_id=settings.moderator_role_id,
        mentor_role_id=settings.mentor_role_id,
        cooldown_seconds=settings.user_cooldown_seconds,
        help_forum_channel_ids=tuple(settings.help_forum_channel_ids),
    )


class AssistantBot(commands.AutoShardedBot):
    """The pide-ayuda bot: slash commands, mentions and threads over the given services."""

    def __init__(self, services: Services, **options: Any) -> None:
        """Configure intents (message content, for mentions), no pings, our command tree, shards.

        SHARD_COUNT and SHARD_IDS pick the shards this process runs; unset, Discord's
        recommended count, all in this process.
        """
        gateway_json.install()  # a frame a user shaped must never end the process
        # The bot never joins voice: no warning about the voice libraries it does not need.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        intents = discord.Intents.default()
        intents.message_content = True
        settings = services.settings
        shards: dict[str, Any] = {"shard_count": settings.shard_count}
        if settings.shard_ids is not None:
            shards["shard_ids"] = settings.shard_ids
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=AssistantTree,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **shards,
            **options,
        )
        self.services = services
        gate = AnswerGate(settings.user_cooldown_seconds, settings.max_answers_in_flight)
        server_settings = ServerSettingsStore(services.db, server_defaults(settings))
        mentors = MentorDesk(services, server_settings)
        self.cog_services = CogServices(services, gate, server_settings, mentors)

    async def setup_hook(self) -> None:
        """Load the cogs and sync the slash commands."""
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        guild_id = self.services.settings.dev_guild_id
        if guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to guild %s", len(synced), guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands (may take up to an hour to show)", len(synced))

    async def on_message(self, message: discord.Message, /) -> None:
        """Leave messages to the ask cog (there are no prefix commands)."""

    async def on_ready(self) -> None:
        """Log the connection."""
        log.info("connected as %s to %d guild(s)", self.user, len(self.guilds))

    async def close(self) -> None:
        """Stop taking questions, finish or cancel answers in flight, unload cogs, disconnect."""
        await self.cog_services.gate.drain(SHUTDOWN_GRACE_SECONDS)
        await super().close()
