"""Accepted solutions of help-forum posts: the post's question and the answer marked as solving it.

A post has at most one accepted answer: accepting another replaces the record. An answer already
logged as a pair of the post (the bot's answer, a mentor's reply to a hand-off: the pair whose
`reply_message_ids` hold an accepted message) is reused, never copied: the record points at it
and approves it if it was pending; replacing the record gives it its review state back. Any other
answer (one author's consecutive messages, joined; edits to them update it) gets a pair of its
own, with the provenance of who wrote it (`mentor` approved at once, `community` pending review)
and the asker as its user, deleted with the record. Members who opted out are never stored.
The records and the pairs they point at are store/solution_records.py.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select

from store.conversations import ANSWER_STATUSES
from store.curated import CURATED_STATES, HUMAN_MODE, CuratedPair, curated_of
from store.db import Database
from store.errors import translated
from store.handoffs import latest_handoff
from store.models import OptOut, QAPair, utcnow
from store.records import new_key
from store.solution_records import (
    ForumSolution,
    approve,
    drop_solution,
    logged_pair,
    solution_of,
)

SolutionProvenance = Literal["bot", "mentor", "community"]
AcceptOutcome = Literal["saved", "opted_out", "empty"]
FORUM_SURFACE = "forum"


@dataclass(frozen=True, slots=True)
class ForumPost:
    """A help-forum post: where it is, who opened it, when, and its question."""

    thread_id: int
    forum_id: int | None
    guild_id: int | None
    asker_id: int | None
    title: str
    first_message: str
    posted_at: datetime

    @property
    def question(self) -> str:
        """The question: the post's title, then its first message."""
        body = self.first_message.strip()
        return f"{self.title.strip()}\n\n{body}" if body else self.title.strip()


@dataclass(frozen=True, slots=True)
class AcceptedAnswer:
    """The messages accepted as the answer, their author and who accepted them."""

    answerer_id: int
    provenance: SolutionProvenance
    messages: dict[int, str]
    accepted_by: int | None


@dataclass(frozen=True, slots=True)
class AcceptResult:
    """How an acceptance ended; the pair it replaced and the new pair, if curated."""

    outcome: AcceptOutcome
    pair_id: int | None = None
    replaced_pair_id: int | None = None
    curated: CuratedPair | None = None


@dataclass(frozen=True, slots=True)
class SolutionStats:
    """Solved posts, median seconds from post to accepted answer, answers by provenance."""

    solved: int
    median_seconds: float | None
    by_provenance: dict[str, int]


def joined(messages: dict[str, Any] | dict[int, str]) -> str:
    """Join an answer's messages in posting order (snowflake order), skipping empty ones."""
    ordered = sorted(messages.items(), key=lambda item: int(item[0]))
    return "\n\n".join(str(text).strip() for _, text in ordered if str(text).strip())


class SolutionLog:
    """Accepted answers of help-forum posts; one short transaction per call."""

    def __init__(self, db: Database) -> None:
        """Use the given database."""
        self._db = db

    async def accept(self, post: ForumPost, answer: AcceptedAnswer) -> AcceptResult:
        """Store `answer` as the post's solution, replacing any earlier one."""
        text = joined(answer.messages)
        if not text or not post.question:
            return AcceptResult("empty")
        with translated("saving an accepted answer"):
            async with self._db.writing() as session:
                people = {answer.answerer_id, post.asker_id} - {None}
                if await session.scalar(select(OptOut.user_id).where(OptOut.user_id.in_(people))):
                    return AcceptResult("opted_out")
                # The post's mentor log (store/mentors.py) waits: one of the two sees the other.
                await latest_handoff(session, post.thread_id)
                replaced = await drop_solution(session, post.thread_id)
                record = _record(post, answer)
                pair = await logged_pair(session, post.thread_id, answer.messages)
                if pair is None:
                    pair = _solution_pair(post, answer, text)
                    session.add(pair)
                else:
                    record.reused_review_state = pair.review_state
                    approve(pair, answer.provenance, answer.accepted_by)
                await session.flush()
                record.pair_id = pair.id
                session.add(record)
                curated = curated_of(pair) if pair.review_state in CURATED_STATES else None
                return AcceptResult("saved", pair.id, replaced, curated)

    async def bot_answer(self, thread_id: int, message_id: int) -> str | None:
        """Return the text of the bot's answer that `message_id` shows in a post (None: unsaved)."""
        query = select(QAPair.answer, QAPair.status, QAPair.reply_message_ids).where(
            QAPair.thread_id == thread_id, QAPair.mode != HUMAN_MODE
        )
        with translated("reading a bot answer"):
            async with self._db.sessions() as session:
                rows = (await session.execute(query)).all()
        shown = [(answer, status) for answer, status, ids in rows if message_id in (ids or [])]
        return next((a for a, status in shown if status in ANSWER_STATUSES), None)

    async def edited(self, thread_id: int, message_id: int, text: str) -> AcceptResult | None:
        """Follow an edit of a message of an accepted answer; None when it is not one."""
        with translated("updating an accepted answer"):
            async with self._db.writing() as session:
                found = await solution_of(session, thread_id)
                if found is None or str(message_id) not in found.messages:
                    return None
                if found.reused_review_state is not None:  # the pair's own log follows it
                    return None
                found.messages = {**found.messages, str(message_id): text}
                pair = await session.get(QAPair, found.pair_id)
                if pair is None:
                    return None
                pair.answer = joined(found.messages) or pair.answer
                curated = curated_of(pair) if pair.review_state in CURATED_STATES else None
                return AcceptResult("saved", pair.id, None, curated)

    async def stats(self) -> SolutionStats:
        """Count solved posts and their answers by provenance; median time to the solution."""
        query = select(ForumSolution.provenance, ForumSolution.posted_at, ForumSolution.solved_at)
        with translated("counting accepted answers"):
            async with self._db.sessions() as session:
                rows = (await session.execute(query)).all()
        waits = [(solved - posted).total_seconds() for _, posted, solved in rows]
        median = statistics.median(waits) if waits else None
        by_provenance = Counter(str(provenance) for provenance, _, _ in rows)
        return SolutionStats(len(rows), median, dict(by_provenance.most_common()))


def _solution_pair(post: ForumPost, answer: AcceptedAnswer, text: str) -> QAPair:
    """Build the accepted answer's pair: approved unless a community member wrote it."""
    now = utcnow()
    approved = answer.provenance != "community"  # as solution_records.claim_for_mentor expects
    return QAPair(
        key=new_key(),
        created_at=now,
        question=post.question,
        answer=text,
        status="answered",
        delivery="delivered",
        mode=HUMAN_MODE,
        timings={},
        surface=FORUM_SURFACE,
        user_id=post.asker_id,
        guild_id=post.guild_id,
        channel_id=post.forum_id,
        thread_id=post.thread_id,
        message_id=post.thread_id,  # the asker's message: the post's first one
        review_state="approved" if approved else "pending",
        reviewer_id=answer.accepted_by if approved else None,
        reviewed_at=now if approved else None,
        provenance=answer.provenance,
    )


def _record(post: ForumPost, answer: AcceptedAnswer) -> ForumSolution:
    return ForumSolution(
        thread_id=post.thread_id,
        asker_id=post.asker_id,
        answerer_id=answer.answerer_id,
        accepted_by=answer.accepted_by,
        provenance=answer.provenance,
        messages={str(k): v for k, v in answer.messages.items()},
        posted_at=post.posted_at,
        solved_at=utcnow(),
    )
