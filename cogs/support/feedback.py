"""👍/👎 buttons under answers: persistent (the question's key rides in the custom_id)."""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from bot import strings
from cogs.services import services_of
from cogs.support.replies import send_private
from store.errors import StoreError

log = logging.getLogger(__name__)

VOTES = {"up": ("👍", 1), "down": ("👎", -1)}


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    # `k<key>` since questions have keys; a bare number is a pair id on older answers.
    template=r"pa:vote:(?:k(?P<key>[0-9a-f]{32})|(?P<id>[0-9]+)):(?P<value>up|down)",
):
    """One vote button; works for any answer ever sent, across restarts."""

    def __init__(self, pair: str | int, value: str) -> None:
        """Build the button for a question key (or an older pair id) voting "up" or "down"."""
        emoji, _ = VOTES[value]
        ref = f"k{pair}" if isinstance(pair, str) else str(pair)
        button: discord.ui.Button[Any] = discord.ui.Button(
            style=discord.ButtonStyle.secondary, emoji=emoji, custom_id=f"pa:vote:{ref}:{value}"
        )
        super().__init__(button)
        self.pair = pair
        self.value = value

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> VoteButton:
        """Rebuild the button from a clicked custom_id."""
        pair = match["key"] if match["key"] else int(match["id"])
        return cls(pair, match["value"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Record the vote and thank the voter privately; any failure gets a Spanish answer."""
        reviews = services_of(interaction).core.reviews
        try:
            await reviews.vote(self.pair, interaction.user.id, VOTES[self.value][1])
            reply = strings.VOTE_THANKS
        except StoreError as error:
            log.warning("vote on %s not recorded: %s", self.pair, error)
            reply = error.user_message
        except Exception:
            log.exception("vote on %s failed", self.pair)
            reply = strings.INTERACTION_FAILED
        await send_private(interaction, reply)


def feedback_view(key: str) -> discord.ui.View:
    """Return the 👍/👎 view for a question."""
    view = discord.ui.View(timeout=None)
    view.add_item(VoteButton(key, "up"))
    view.add_item(VoteButton(key, "down"))
    return view
