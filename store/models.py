"""Typed SQLAlchemy models of the Q&A log: pairs, their sources, feedback, opt-outs, erasures."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ReviewState = Literal["pending", "approved", "edited", "rejected"]
REVIEW_STATES: tuple[ReviewState, ...] = ("pending", "approved", "edited", "rejected")

# Stable constraint names, so batch migrations on SQLite can find and alter them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Store UTC as a naive timestamp on every dialect and read it back as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware datetime to naive UTC before it is written."""
        if value is None or value.tzinfo is None:
            return value
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Attach UTC to a timestamp read from the database."""
        return None if value is None else value.replace(tzinfo=UTC)


class NulFreeText(TypeDecorator[str]):
    """Text without NUL characters, which PostgreSQL cannot store (SQLite can): drop them."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        """Remove NUL characters before the value is written."""
        return None if value is None else value.replace("\x00", "")


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class QAPair(Base):
    """One question and the answer the bot gave, with where it was asked and its review."""

    __tablename__ = "qa_pairs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Public key given at arrival; button ids and late writes find the row by it.
    key: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    question: Mapped[str] = mapped_column(NulFreeText())
    answer: Mapped[str] = mapped_column(NulFreeText())
    # Display-only decoration shown with the answer (banner, partial note); never exported.
    notice: Mapped[str | None] = mapped_column(NulFreeText())
    status: Mapped[str] = mapped_column(String(16), index=True)
    delivery: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    error_cause: Mapped[str | None] = mapped_column(NulFreeText())
    mode: Mapped[str] = mapped_column(String(16))
    model: Mapped[str | None] = mapped_column(String(200))
    endpoint: Mapped[str | None] = mapped_column(String(500))
    timings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    surface: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger)
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    # The thread whose conversation the pair belongs to (a handed-off /pregunta joins one later).
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    # The asker's message (None for /pregunta): a mentor pair keeps the one it answers.
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    # The bot's message that shows the answer while it streams (edited if the process dies).
    reply_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    reply_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # Every message that shows the answer, in order: the bot's pieces, or a mentor's messages.
    reply_message_ids: Mapped[list[int]] = mapped_column(JSON, default=list, server_default="[]")
    # A mentor's pair: the key of the bot question it answers, when the question was one.
    answers_key: Mapped[str | None] = mapped_column(String(32), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    review_state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    edited_answer: Mapped[str | None] = mapped_column(NulFreeText())
    reviewer_id: Mapped[int | None] = mapped_column(BigInteger)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    provenance: Mapped[str] = mapped_column(String(16), default="bot", server_default="bot")
    # The process answering the question while it is `in_progress`: "host:pid".
    owner: Mapped[str | None] = mapped_column(String(255))

    sources: Mapped[list[PairSource]] = relationship(
        back_populates="pair",
        order_by="PairSource.rank",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class PairSource(Base):
    """A passage an answer cited: talk, chunk, quote and retrieval score."""

    __tablename__ = "pair_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("qa_pairs.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(SmallInteger)
    talk_id: Mapped[str] = mapped_column(String(200))
    chunk_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(NulFreeText())
    author: Mapped[str] = mapped_column(NulFreeText())
    quote: Mapped[str] = mapped_column(NulFreeText())
    # The whole passage cited (None for pairs saved before passages were kept: use `quote`).
    text: Mapped[str | None] = mapped_column(NulFreeText())
    score: Mapped[float] = mapped_column(Float)

    pair: Mapped[QAPair] = relationship(back_populates="sources")


class Feedback(Base):
    """One user's vote on one pair (+1 or -1); a new vote replaces the old one."""

    __tablename__ = "feedback"

    pair_id: Mapped[int] = mapped_column(
        ForeignKey("qa_pairs.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    value: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


Index("ix_feedback_user_id", Feedback.user_id)


class OptOut(Base):
    """A user who asked not to be logged."""

    __tablename__ = "opt_outs"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ErasureRequest(Base):
    """A person forgotten, and when: their questions asked until then are never written again.

    Kept `ERASURE_KEEP` (store/erasures.py) for answers in flight and spooled writes elsewhere.
    """

    __tablename__ = "erasure_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    forgotten_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WriteProbe(Base):
    """The one row `/healthz` updates and commits to prove the database takes writes."""

    __tablename__ = "write_probes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime())
