"""Reading what the bot did in a help-forum post of the fake Discord."""

from __future__ import annotations

from typing import Any

from bot import strings
from cogs.support.render import STREAMING_CURSOR
from tests.fakes.discord_server import FakeDiscord


def bot_messages(fake: FakeDiscord, post_id: str) -> list[dict[str, Any]]:
    """Return the bot's messages in a post, oldest first."""
    return [m for m in fake.messages_in(post_id) if m["author"]["id"] == fake.app_id]


def answered(fake: FakeDiscord, post_id: str, count: int) -> bool:
    """Tell whether `count` answers in the post show their final text."""
    final = [
        m["content"]
        for m in bot_messages(fake, post_id)
        if m["content"] and not m["content"].startswith(strings.THINKING)
    ]
    return len([c for c in final if not c.endswith(STREAMING_CURSOR)]) >= count


def ephemeral(fake: FakeDiscord, token: str) -> str:
    """Return the text of the ephemeral reply to an interaction ('' until it is final)."""
    original = fake.originals.get(token)
    if original is None or not original["flags"] & 64 or original["flags"] & 128:
        return ""
    return str(original["content"])


async def mark(fake: FakeDiscord, message: dict[str, Any], user_id: int, **who: Any) -> str:
    """Run "Marcar como solución" on `message` as `user_id`; return the ephemeral reply."""
    _, token = await fake.message_command(strings.SOLUTION_COMMAND, message, user_id=user_id, **who)
    await fake.wait_until(lambda: bool(ephemeral(fake, token)), within=60)
    return ephemeral(fake, token)
