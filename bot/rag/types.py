"""Plain records shared by the knowledge pipeline, the store and the Discord surface."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["llm", "extractive", "refused"]
Status = Literal["answered", "refused", "error", "partial"]
Role = Literal["user", "assistant"]


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
    """A retrieved chunk with its fused relevance score."""

    chunk_id: str
    talk_id: str
    title: str
    author: str
    position: int
    text: str
    score: float
    dense_score: float | None = None


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
