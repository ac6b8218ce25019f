"""Where a question came from: the context the store logs beside each answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Surface = Literal["slash", "mention", "thread", "cli"]


@dataclass(frozen=True, slots=True)
class AskContext:
    """Who asked, where, and through which surface."""

    surface: Surface
    user_id: int | None = None
    guild_id: int | None = None
    channel_id: int | None = None
    thread_id: int | None = None
    message_id: int | None = None
