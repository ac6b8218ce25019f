"""Preference rows (TRL's conversational prompt / chosen / rejected) from what people corrected.

Two kinds: a moderator's edit of a bot answer (chosen = the edit, rejected = the bot's answer),
and a person's answer (mentor, moderator, or any other human provenance) to a question the bot
had answered (chosen = the person's answer, rejected = the bot's latest answer to that question).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from store.db import Database
from store.errors import translated
from store.export_rows import ExportFilters, conditions, source_row
from store.export_text import replace_mentions, strip_decorations
from store.models import QAPair
from store.pseudonym import pseudonym

# Bot answers worth rejecting in favour of a person's: ones that answered, and that the user saw.
ANSWERED = ("answered", "partial", "fallback")
_CITATION = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")


@dataclass(frozen=True, slots=True)
class DatasetOptions:
    """How answers are written: `[n]` markers kept or stripped; extractive answers kept or not."""

    strip_citations: bool = False
    include_extractive: bool = False

    def text(self, answer: str) -> str:
        """Return the answer as exported (without `[n]` markers when stripping)."""
        return _CITATION.sub("", answer).strip() if self.strip_citations else answer


def _turn(role: str, content: str) -> list[dict[str, str]]:
    return [{"role": role, "content": content}]


def preference(
    prompt: str, chosen: str, rejected: str, chosen_row: dict[str, Any], rejected_id: int
) -> dict[str, Any]:
    """Build one preference row in TRL's conversational format, with its provenance."""
    return {
        "prompt": _turn("user", prompt),
        "chosen": _turn("assistant", chosen),
        "rejected": _turn("assistant", rejected),
        "id": chosen_row["id"],
        "rejected_id": rejected_id,
        "chosen_provenance": chosen_row["provenance"],
        "asker": chosen_row["asker"],
        "created_at": chosen_row["created_at"],
        "sources": chosen_row["sources"],
    }


def edit_preference(row: dict[str, Any], options: DatasetOptions) -> dict[str, Any] | None:
    """Return the preference a moderator's edit of a bot answer makes (None for other rows)."""
    if row["provenance"] != "edited":
        return None
    chosen, rejected = options.text(row["answer"]), options.text(row["original_answer"])
    if not chosen or not rejected or chosen == rejected:
        return None
    return preference(row["question"], chosen, rejected, row, row["id"])


def _latest_bot_answers(filters: ExportFilters, after: int, batch: int) -> Select[int, int]:
    """Pair people's answers (id > `after`) with the bot's latest answer to the same question.

    The bot's answers are grouped by question first, and the join runs against that grouped
    table (SQLite indexes it on the fly, PostgreSQL hashes it): one pass over the pairs per
    batch, instead of one per person's answer.
    """
    latest = (
        select(QAPair.question.label("question"), func.max(QAPair.id).label("bot_id"))
        .where(
            QAPair.provenance == "bot",
            QAPair.status.in_(ANSWERED),
            QAPair.delivery != "not_delivered",
        )
        .group_by(QAPair.question)
        .subquery("latest_bot_answers")
    )
    return (
        select(QAPair.id, latest.c.bot_id)
        .join(latest, latest.c.question == QAPair.question)
        .where(*conditions(filters), QAPair.provenance != "bot", QAPair.id > after)
        .order_by(QAPair.id)
        .limit(batch)
    )


def _human_preference(
    human: QAPair, bot: QAPair, salt: bytes, options: DatasetOptions
) -> dict[str, Any] | None:
    chosen = options.text(replace_mentions(strip_decorations(human.edited_answer or human.answer)))
    rejected = options.text(replace_mentions(strip_decorations(bot.answer)))
    if not chosen or not rejected or chosen == rejected:
        return None
    row = {
        "id": human.id,
        "provenance": human.provenance,
        "asker": pseudonym(human.user_id, salt),
        "created_at": human.created_at.isoformat(),
        "sources": [source_row(s) for s in bot.sources],
    }
    return preference(replace_mentions(human.question), chosen, rejected, row, bot.id)


async def iter_human_preferences(
    db: Database, filters: ExportFilters, salt: bytes, options: DatasetOptions, batch: int = 2000
) -> AsyncIterator[list[dict[str, Any]]]:
    """Yield preference rows from people's answers to questions the bot answered, by id."""
    last_id = 0
    while True:
        with translated("exporting preferences"):
            async with db.sessions() as session:
                found = (await session.execute(_latest_bot_answers(filters, last_id, batch))).all()
                wanted = {int(i) for pair in found for i in pair}
                loaded = await session.scalars(
                    select(QAPair)
                    .where(QAPair.id.in_(wanted))
                    .options(selectinload(QAPair.sources))
                )
                by_id = {pair.id: pair for pair in loaded}
                rows = [_human_preference(by_id[h], by_id[b], salt, options) for h, b in found]
        if not found:
            return
        yield [row for row in rows if row is not None]
        last_id = int(found[-1][0])
