"""Measure retrieval and the relevance gate on question sets (shared by `pide-ayuda eval`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.rag.errors import RagError
from bot.rag.index import Index
from bot.rag.types import SEARCHED, Passage


@dataclass(frozen=True, slots=True)
class Question:
    """One evaluation question; in-scope ones carry the talk and evidence phrases."""

    question: str
    author: str = ""
    evidence: tuple[str, ...] = ()
    kind: str = ""


@dataclass(slots=True)
class RetrievalReport:
    """Retrieval and gate figures over an in-scope set."""

    questions: int = 0
    hits_at_1: int = 0
    hits_at_k: int = 0
    reciprocal_ranks: float = 0.0
    right_talk_at_1: int = 0
    answered: int = 0
    passage_chars: int = 0
    passages: int = 0
    misses: list[str] = field(default_factory=list)
    wrongly_refused: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the figures as plain JSON-ready values."""
        n = max(self.questions, 1)
        return {
            "questions": self.questions,
            "recall@1": self.hits_at_1,
            "recall@k": self.hits_at_k,
            "mrr": round(self.reciprocal_ranks / n, 3),
            "right_talk@1": self.right_talk_at_1,
            "mean_passage_chars": round(self.passage_chars / max(self.passages, 1)),
            "gate_answered": self.answered,
            "misses@k": self.misses,
            "wrongly_refused": self.wrongly_refused,
        }


def squash(text: str) -> str:
    """Lower-case and collapse whitespace, the form evidence phrases are matched in."""
    return " ".join(text.lower().split())


def is_hit(passage: Passage, evidence: Sequence[str]) -> bool:
    """Return True when the passage contains one of the evidence phrases."""
    text = squash(passage.text)
    return any(squash(phrase) in text for phrase in evidence)


def load_questions(path: Path) -> list[Question]:
    """Read a JSONL question file, refusing lines without a `question`."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise RagError(f"cannot read {path}: {error.strerror}") from error
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text = str(row["question"])
        except (ValueError, KeyError, TypeError) as error:
            raise RagError(f"{path}:{number}: not a JSON object with a `question`") from error
        evidence = tuple(str(phrase) for phrase in row.get("evidence", ()))
        kind = str(row.get("kind", ""))
        questions.append(Question(text, str(row.get("author", "")), evidence, kind))
    return questions


async def evaluate_retrieval(
    index: Index, questions: Sequence[Question], k: int
) -> RetrievalReport:
    """Search every question, scoring evidence hits, the right talk and the gate's decision."""
    report = RetrievalReport()
    for item in questions:
        passages, verdict = await index.search_judged(item.question, k)
        report.questions += 1
        report.passages += len(passages)
        report.passage_chars += sum(len(p.text) for p in passages)
        if verdict.relevant:
            report.answered += 1
        else:
            report.wrongly_refused.append(item.question)
        ranks = [rank for rank, p in enumerate(passages, 1) if is_hit(p, item.evidence)]
        report.hits_at_1 += ranks[:1] == [1]
        report.hits_at_k += bool(ranks)
        report.reciprocal_ranks += 1 / ranks[0] if ranks else 0.0
        report.right_talk_at_1 += bool(passages) and passages[0].author == item.author
        if not ranks:
            report.misses.append(item.question)
    return report


@dataclass(slots=True)
class RefusalReport:
    """Gate figures over an off-topic set, overall and by each question's optional `kind`."""

    questions: int = 0
    refused: int = 0
    not_questions: int = 0
    wrongly_answered: list[str] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [refused, questions]

    def as_dict(self) -> dict[str, Any]:
        """Return the figures as plain JSON-ready values."""
        return {
            "questions": self.questions,
            "refused": self.refused,
            "not_questions": self.not_questions,
            "wrongly_answered": self.wrongly_answered,
            "by_kind": {
                kind: {"refused": r, "questions": n} for kind, (r, n) in self.by_kind.items()
            },
        }


async def evaluate_refusals(index: Index, questions: Sequence[Question], k: int) -> RefusalReport:
    """Count the off-topic questions the gate refuses, and list those it would answer."""
    report = RefusalReport()
    for item in questions:
        _, verdict = await index.search_judged(item.question, k)
        report.questions += 1
        report.not_questions += verdict.intent not in SEARCHED
        tally = report.by_kind.setdefault(item.kind or "-", [0, 0])
        tally[1] += 1
        if verdict.relevant:
            report.wrongly_answered.append(item.question)
        else:
            report.refused += 1
            tally[0] += 1
    return report
