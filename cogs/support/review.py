"""The review queue on Discord: a pending pair with Approve / Edit (modal) / Reject buttons."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator
from typing import Any, Literal

import discord

from bot import strings
from bot.curated_sync import curate_pair
from cogs.services import services_of
from cogs.support.checks import is_moderator
from cogs.support.render import NO_PINGS
from cogs.support.replies import send_private
from store.errors import StoreError
from store.queries import PairView

log = logging.getLogger(__name__)

Action = Literal["approve", "edit", "reject"]
STATE_OF: dict[str, Literal["approved", "rejected"]] = {"approve": "approved", "reject": "rejected"}
LABELS = {
    "approve": strings.REVIEW_APPROVE,
    "edit": strings.REVIEW_EDIT,
    "reject": strings.REVIEW_REJECT,
}
STYLES = {
    "approve": discord.ButtonStyle.success,
    "edit": discord.ButtonStyle.primary,
    "reject": discord.ButtonStyle.danger,
}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def review_text(pair: PairView) -> str:
    """Render a pending pair for a moderator, within one message."""
    sources = "\n".join(f"- *{s.title}* — {s.author}" for s in pair.sources) or "-"
    return strings.REVIEW_TEXT.format(
        pair_id=pair.id,
        surface=pair.surface,
        status=pair.status,
        author=strings.REVIEW_AUTHORS.get(pair.provenance, pair.provenance),
        up=pair.votes_up,
        down=pair.votes_down,
        question=_cut(pair.question, 400),
        answer=_cut(pair.answer, 1100),
        sources_header=strings.SOURCES_HEADER.strip("*"),
        sources=_cut(sources, 300),
    )


def already_reviewed(pair: PairView) -> str:
    """Say that a pair was decided already, with the answer it holds now."""
    state = strings.REVIEW_STATES.get(pair.review_state, pair.review_state)
    answer = _cut(pair.edited_answer or pair.answer, 1500)
    return strings.REVIEW_ALREADY.format(pair_id=pair.id, state=state, answer=answer)


def decided(pair_id: int, state: str, previous: str) -> str:
    """Say what was decided, and what it replaced when the pair had been reviewed before."""
    shown = strings.REVIEW_STATES[state]
    if previous == "pending":
        return strings.REVIEW_DONE.format(pair_id=pair_id, state=shown)
    before = strings.REVIEW_STATES.get(previous, previous)
    return strings.REVIEW_CHANGED.format(pair_id=pair_id, state=shown, previous=before)


def review_view(pair_id: int) -> discord.ui.View:
    """Return the Approve / Edit / Reject buttons for a pair."""
    view = discord.ui.View(timeout=None)
    for action in ("approve", "edit", "reject"):
        view.add_item(ReviewButton(pair_id, action))
    return view


async def show_next(interaction: discord.Interaction[Any], done: str = "") -> None:
    """Replace the review message with the next pending pair (or say the queue is empty)."""
    pair = await services_of(interaction).core.reviews.next_pending()
    body = review_text(pair) if pair else strings.REVIEW_NONE
    content = f"{done}\n\n{body}" if done else body
    view = review_view(pair.id) if pair else None
    await interaction.response.edit_message(content=content, view=view, allowed_mentions=NO_PINGS)


class ReviewButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"pa:review:(?P<pair>[0-9]+):(?P<action>approve|edit|reject)",
):
    """One review decision on one pair; checked for moderator rights on every click."""

    def __init__(self, pair_id: int, action: str) -> None:
        """Build the button for `action` on `pair_id`."""
        button: discord.ui.Button[Any] = discord.ui.Button(
            style=STYLES[action], label=LABELS[action], custom_id=f"pa:review:{pair_id}:{action}"
        )
        super().__init__(button)
        self.pair_id = pair_id
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ReviewButton:
        """Rebuild the button from a clicked custom_id."""
        return cls(int(match["pair"]), match["action"])

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Refuse non-moderators."""
        if await is_moderator(interaction):
            return True
        await interaction.response.send_message(strings.MODERATORS_ONLY, ephemeral=True)
        return False

    async def callback(self, interaction: discord.Interaction) -> None:
        """Apply the decision (or open the edit modal) and show the next pair."""
        async with answering_failures(interaction, f"review of pair {self.pair_id}"):
            reviews = services_of(interaction).core.reviews
            if self.action == "edit":
                pair = await reviews.pair(self.pair_id)
                if pair.review_state != "pending":
                    await send_private(interaction, already_reviewed(pair))
                    return
                await interaction.response.send_modal(EditModal(self.pair_id, pair.answer))
                return
            state = STATE_OF[self.action]
            previous = await reviews.review(self.pair_id, state, interaction.user.id)
            await curate_pair(services_of(interaction).core, self.pair_id)
            await show_next(interaction, decided(self.pair_id, state, previous))


class EditModal(discord.ui.Modal):
    """A text box with the answer to correct."""

    def __init__(self, pair_id: int, current: str) -> None:
        """Prefill the box with the current answer of `pair_id`."""
        super().__init__(title=strings.REVIEW_MODAL_TITLE, custom_id=f"pa:edit:{pair_id}")
        self.pair_id = pair_id
        self.answer: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=strings.REVIEW_MODAL_FIELD,
            style=discord.TextStyle.paragraph,
            default=current[:4000],
            max_length=4000,
            custom_id="answer",
        )
        self.add_item(self.answer)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Store the edited answer and show the next pair."""
        if not await is_moderator(interaction):
            await interaction.response.send_message(strings.MODERATORS_ONLY, ephemeral=True)
            return
        async with answering_failures(interaction, f"edit of pair {self.pair_id}"):
            reviews = services_of(interaction).core.reviews
            await reviews.review(
                self.pair_id, "edited", interaction.user.id, self.answer.value, only_pending=True
            )
            await curate_pair(services_of(interaction).core, self.pair_id)
            done = strings.REVIEW_DONE.format(
                pair_id=self.pair_id, state=strings.REVIEW_STATES["edited"]
            )
            await show_next(interaction, done)


@contextlib.asynccontextmanager
async def answering_failures(interaction: discord.Interaction, what: str) -> AsyncIterator[None]:
    """Give the moderator a Spanish answer for any failure, and the operator one log line."""
    try:
        yield
    except StoreError as error:
        log.warning("%s failed: %s", what, error)
        await send_private(interaction, error.user_message)
    except Exception:
        log.exception("%s failed", what)
        await send_private(interaction, strings.INTERACTION_FAILED)
