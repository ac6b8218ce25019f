"""Select the pairs to export and turn them into plain rows, a batch at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import selectinload

from store.db import Database
from store.errors import translated
from store.export_text import replace_mentions, strip_decorations
from store.models import REVIEW_STATES, PairSource, QAPair
from store.provenance import provenance_condition, provenance_of
from store.pseudonym import pseudonym
from store.queries import votes_down, votes_up
from store.records import PAIR_STATUSES

DEFAULT_EXCLUDED_STATUSES = ("error", "cancelled", "in_progress", "interrupted")
DEFAULT_EXCLUDED_REVIEWS = ("rejected",)
STATUS_CHOICES = PAIR_STATUSES + REVIEW_STATES


@dataclass(frozen=True, slots=True)
class ExportFilters:
    """Which pairs to export.

    `statuses` mixes pair statuses (answered, refused, error, partial, cancelled) and review
    states (pending, approved, edited, rejected); "approved" also matches edited pairs. For each
    kind left out, the default applies: no error, cancelled, in-progress or interrupted pairs,
    no rejected pairs. Pairs the user never saw (delivery `not_delivered`) only with `undelivered`.
    `min_score` is the net feedback score (👍 minus 👎) a pair needs.
    `until` is exclusive.
    """

    statuses: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    guild_id: int | None = None
    surface: str | None = None
    min_score: int | None = None
    undelivered: bool = False
    provenance: str | None = None  # e.g. bot, edited, mentor, moderator (store.provenance)


def describe_filters(filters: ExportFilters) -> str:
    """Describe the filters for the card, without any Discord id."""
    parts = []
    for key, value in asdict(filters).items():
        if value in (None, (), False):
            continue
        if key == "guild_id":
            parts.append("guild=one Discord server")
            continue
        shown = value.isoformat() if isinstance(value, datetime) else value
        parts.append(f"{key}={','.join(shown) if isinstance(shown, tuple) else shown}")
    return "; ".join(parts) or (
        "none (every pair the user saw, except rejected, error, cancelled and interrupted ones)"
    )


def conditions(filters: ExportFilters) -> list[ColumnElement[bool]]:
    """Translate the filters into WHERE conditions."""
    unknown = [s for s in filters.statuses if s not in STATUS_CHOICES]
    if unknown:
        raise ValueError(f"unknown status {unknown[0]!r}; use one of {', '.join(STATUS_CHOICES)}")
    statuses = [s for s in filters.statuses if s in PAIR_STATUSES]
    reviews = [s for s in filters.statuses if s in REVIEW_STATES]
    if "approved" in reviews:
        reviews.append("edited")
    where: list[ColumnElement[bool]] = [
        QAPair.delivery.is_not(None) if filters.undelivered else QAPair.delivery != "not_delivered",
        QAPair.status.in_(statuses)
        if statuses
        else QAPair.status.not_in(DEFAULT_EXCLUDED_STATUSES),
        QAPair.review_state.in_(reviews)
        if reviews
        else QAPair.review_state.not_in(DEFAULT_EXCLUDED_REVIEWS),
    ]
    if filters.since is not None:
        where.append(QAPair.created_at >= filters.since)
    if filters.until is not None:
        where.append(QAPair.created_at < filters.until)
    if filters.guild_id is not None:
        where.append(QAPair.guild_id == filters.guild_id)
    if filters.surface is not None:
        where.append(QAPair.surface == filters.surface)
    if filters.provenance is not None:
        where.append(provenance_condition(filters.provenance))
    if filters.min_score is not None:
        where.append(votes_up() - votes_down() >= filters.min_score)
    return where


def source_row(source: PairSource) -> dict[str, Any]:
    """Describe a cited source with its evidence: the passage (for old rows, the quote)."""
    return {
        "talk_id": source.talk_id,
        "title": source.title,
        "speaker": source.author,
        "text": source.text if source.text is not None else source.quote,
        "chunk_id": source.chunk_id,
        "score": float(source.score),
    }


def to_row(pair: QAPair, up: int, down: int, salt: bytes) -> dict[str, Any]:
    """Turn a pair into an export row: the edited answer wins, the asker is a pseudonym.

    Mentions in the text become placeholders, and decorations old rows kept in the answer go.
    `original_answer` is the bot's own answer (what an edit replaced).
    """
    return {
        "id": pair.id,
        "question": replace_mentions(pair.question),
        "answer": replace_mentions(strip_decorations(pair.edited_answer or pair.answer)),
        "original_answer": replace_mentions(strip_decorations(pair.answer)),
        "edited": pair.edited_answer is not None,
        "provenance": provenance_of(pair),
        "asker": pseudonym(pair.user_id, salt),
        "created_at": pair.created_at.isoformat(),
        "status": pair.status,
        "review_state": pair.review_state,
        "mode": pair.mode,
        "surface": pair.surface,
        "model": pair.model,
        "feedback_up": int(up),
        "feedback_down": int(down),
        "sources": [source_row(s) for s in pair.sources],
    }


async def iter_batches(
    db: Database, filters: ExportFilters, salt: bytes, batch_size: int = 2000
) -> AsyncIterator[list[dict[str, Any]]]:
    """Yield export rows in id order, one short query per batch (keyset pagination)."""
    where = conditions(filters)
    last_id = 0
    while True:
        query = (
            select(QAPair, votes_up(), votes_down())
            .where(*where, QAPair.id > last_id)
            .order_by(QAPair.id)
            .limit(batch_size)
            .options(selectinload(QAPair.sources))
        )
        with translated("exporting"):
            async with db.sessions() as session:
                result = await session.execute(query)
                rows = [to_row(pair, up, down, salt) for pair, up, down in result]
        if not rows:
            return
        yield rows
        last_id = rows[-1]["id"]
