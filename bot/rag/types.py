"""Plain records shared by the knowledge pipeline, the store and the Discord surface."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["llm", "extractive", "refused"]
# How one answer ended. The store records these same words for a pair, plus the lifecycle of a
# row (`in_progress` from arrival, `interrupted` when the process died before the answer ended).
# `fallback`: the model's output was unusable (e.g. degenerate) and the extractive answer was shown.
Status = Literal["answered", "partial", "fallback", "refused", "error", "cancelled"]
Role = Literal["user", "assistant"]
# Where a cited source comes from: a keynote passage, or a curated pair (`faq`).
SourceKind = Literal["keynote", "faq"]
# What a message is (bot/rag/intent.py): only a `question` or a request for `code` is searched,
# and answered when the relevance gate finds it covered by the talks.
Intent = Literal["question", "code", "greeting", "thanks", "instruction", "task", "no_words"]
SEARCHED: frozenset[Intent] = frozenset({"question", "code"})


@dataclass(frozen=True, slots=True)
class Talk:
    """One keynote: title, speaker and normalised transcript."""

    talk_id: str
    title: str
    author: str
    text: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class Chunk:
    """A slice of a talk, with where it came from."""

    chunk_id: str
    talk_id: str
    title: str
    author: str
    position: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Passage:
    """A retrieved stretch of a talk (one chunk, or neighbouring chunks merged) and its score."""

    chunk_id: str
    talk_id: str
    title: str
    author: str
    position: int
    text: str
    score: float
    dense_score: float | None = None
    # The other chunks merged into this passage (bot/rag/neighbours.py); `chunk_id` ranked best.
    neighbours: tuple[str, ...] = ()

    @property
    def chunk_ids(self) -> tuple[str, ...]:
        """Return the ids of every chunk this passage is made of, best ranked first."""
        return (self.chunk_id, *self.neighbours)


@dataclass(frozen=True, slots=True)
class Turn:
    """One earlier message of a conversation."""

    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class Source:
    """A passage the answer actually cited."""

    title: str
    author: str
    quote: str
    talk_id: str
    chunk_id: str
    score: float
    kind: SourceKind = "keynote"
    # The whole passage the answer was built from or quoted (exported as the row's evidence).
    text: str = ""


@dataclass(slots=True)
class Answer:
    """The outcome of one question, success or failure, ready to render and to log."""

    question: str
    text: str
    mode: Mode
    status: Status
    sources: list[Source] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    model: str | None = None
    endpoint: str | None = None
    error_cause: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    intent: Intent = "question"
    # A bounded label of what went wrong with the LLM (metrics), e.g. "timeout", "degenerate".
    error_kind: str | None = None
    # Display-only decoration (extractive banner, partial or cancelled note): shown to the user,
    # never part of `text`, never stored as the answer, never exported.
    notice: str | None = None
