"""What every extension gets: the process's services plus the Discord-side ones the client builds.

Extensions never import each other: what two of them share (the answer gate, the per-server
settings, the mentors desk) is built once by the client and reaches them through this object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from bot.services import Services
from cogs.support.gate import AnswerGate
from store.server_settings import ServerSettingsStore

if TYPE_CHECKING:
    from cogs.support.mentors import MentorDesk


@dataclass(frozen=True, slots=True)
class CogServices:
    """The services of one client, as its extensions and buttons see them."""

    core: Services
    gate: AnswerGate
    server_settings: ServerSettingsStore
    mentors: MentorDesk


def services_of(interaction: discord.Interaction[Any]) -> CogServices:
    """Return the services of the client that received the interaction."""
    services = getattr(interaction.client, "cog_services", None)
    if not isinstance(services, CogServices):
        raise TypeError("interaction did not come through AssistantBot")
    return services
