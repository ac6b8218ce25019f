"""Conversations in a thread, read from the rows: the asker's turns and the answers given to them.

A thread's conversation is made of pairs linked to it: the bot's (the question the thread was
opened for, questions asked in it) and the mentors' (an answer to the handed-off question, or to
what the asker said after it). Follow-up history is built from these rows, never from the text the
bot rendered on Discord: notices and headers are display only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import BigInteger, ForeignKey, Integer, select
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Database
from store.errors import translated
from store.models import Base, NulFreeText, QAPair, UTCDateTime, utcnow

HISTORY_PAIRS = 20
# Bot answers that answered: the others' text is a refusal, a reply to a greeting, or an error.
ANSWER_STATUSES = ("answered", "partial", "fallback")
MENTOR = "mentor"


class MentorQuestion(Base):
    """What the asker said in a handed-off thread: the question the next mentor answers reply to."""

    __tablename__ = "mentor_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int] = mapped_column(BigInteger)
    question: Mapped[str] = mapped_column(NulFreeText())
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@dataclass(frozen=True, slots=True)
class HistoryTurn:
    """One turn of a conversation: the asker's words, or an answer given to them."""

    role: Literal["user", "assistant"]
    text: str


class ConversationLog:
    """Read the conversations of threads; one short read per call."""

    def __init__(self, db: Database) -> None:
        """Use the given database."""
        self._db = db

    async def history(self, thread_id: int, user_id: int, before: datetime) -> list[HistoryTurn]:
        """Return what `user_id` asked in the thread before `before`, and the answers, oldest first.

        Other people's questions (and the answers to them) are left out: history is untrusted
        data, and only the asker's conversation is theirs to continue.
        """
        query = (
            select(QAPair)
            .where(
                QAPair.thread_id == thread_id,
                QAPair.user_id == user_id,
                QAPair.created_at < before,
            )
            .order_by(QAPair.created_at.desc(), QAPair.id.desc())
            .limit(HISTORY_PAIRS)
        )
        with translated("reading a conversation"):
            async with self._db.sessions() as session:
                pairs = list((await session.scalars(query)).all())
        return turns_of(pairs[::-1])


def turns_of(pairs: Sequence[QAPair]) -> list[HistoryTurn]:
    """Turn a thread's pairs, oldest first, into turns; a question two pairs answer counts once."""
    turns: list[HistoryTurn] = []
    asked: set[object] = set()
    for pair in pairs:
        question = question_of(pair)
        if question not in asked and pair.question.strip():
            asked.add(question)
            _append(turns, HistoryTurn("user", pair.question.strip()))
        answer = pair.answer.strip()
        if answer and (pair.provenance == MENTOR or pair.status in ANSWER_STATUSES):
            _append(turns, HistoryTurn("assistant", answer))
    return turns


def question_of(pair: QAPair) -> object:
    """Identify the question a pair answers: the asker's message, else the bot question's key."""
    if pair.message_id is not None:
        return ("message", pair.message_id)
    return ("key", pair.answers_key or pair.key)


def _append(turns: list[HistoryTurn], turn: HistoryTurn) -> None:
    """Add a turn, merging it into the previous one when the same role spoke twice in a row."""
    if turns and turns[-1].role == turn.role:
        turns[-1] = HistoryTurn(turn.role, f"{turns[-1].text}\n\n{turn.text}")
    else:
        turns.append(turn)
