"""The store's own records: where a question came from, how its answer ended, how it was shown.

The store imports nothing from the knowledge pipeline: callers map their answers to these records.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

Surface = Literal["slash", "mention", "thread", "cli", "forum"]
# How an answer ended: the same words as the pipeline's `Status`.
FinalStatus = Literal["answered", "partial", "fallback", "refused", "error", "cancelled"]
# A pair's status: a final one, or the lifecycle of its row (saved at arrival, process died).
PairStatus = Literal[
    "in_progress", "answered", "partial", "fallback", "refused", "error", "cancelled", "interrupted"
]
# Whether the user saw the answer: all of it, part of it, none of it (pending until known).
Delivery = Literal["pending", "delivered", "partly_delivered", "not_delivered"]

FINAL_STATUSES: tuple[FinalStatus, ...] = get_args(FinalStatus)
PAIR_STATUSES: tuple[PairStatus, ...] = get_args(PairStatus)
DELIVERIES: tuple[Delivery, ...] = get_args(Delivery)


def new_key() -> str:
    """Return a fresh public key for a question (stable from arrival, used in button ids)."""
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class AskContext:
    """Who asked, where, and through which surface."""

    surface: Surface
    user_id: int | None = None
    guild_id: int | None = None
    channel_id: int | None = None
    thread_id: int | None = None
    message_id: int | None = None


@dataclass(frozen=True, slots=True)
class QuestionRecord:
    """A question as it arrived: its key, text, context and time."""

    key: str
    question: str
    context: AskContext
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """A passage an answer cited."""

    title: str
    author: str
    quote: str
    talk_id: str
    chunk_id: str
    score: float
    text: str = ""  # the whole passage (absent from spool lines written before it was kept)


@dataclass(frozen=True, slots=True)
class OutcomeRecord:
    """How an answer ended and how it was shown: written in one go when the answer is done."""

    answer: str
    status: FinalStatus
    mode: str
    delivery: Delivery
    reply_message_ids: tuple[int, ...] = ()  # the messages that show the answer, in order
    model: str | None = None
    endpoint: str | None = None  # the caller drops credentials (bot/storage.py: public_url)
    error_cause: str | None = None
    notice: str | None = None
    timings: dict[str, Any] = field(default_factory=dict)
    sources: tuple[SourceRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class StaleReply:
    """A reply left unfinished by a process that died: its message, and the question to resume."""

    key: str
    channel_id: int
    message_id: int
    question: QuestionRecord
