"""What a member wrote, without the mentions in it."""

from __future__ import annotations

import re


def strip_mention(content: str, user_id: int) -> str:
    """Remove mentions of one user (the bot) from a message."""
    return re.sub(rf"<@!?{user_id}>", "", content).strip()


def without_mentions(content: str) -> str:
    """Return a message without its mentions (of the bot, a role, anyone): the words asked."""
    return re.sub(r"<@[!&]?[0-9]+>", "", content).strip()
