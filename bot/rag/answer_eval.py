"""Measure generated answers: citations valid and supported, outcomes, latency."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bot.rag.answer import Answerer
from bot.rag.citations import MARKER
from bot.rag.index import Index
from bot.rag.types import Answer

# A cited sentence counts as supported by its passage when the e5 cosine (sentence as query,
# passage as stored) reaches SUPPORT_COSINE or when SUPPORT_OVERLAP of its content terms occur
# in the passage. Heuristics, not a judge: read the unsupported examples the report lists.
SUPPORT_COSINE = 0.82
SUPPORT_OVERLAP = 0.5
EXAMPLES_SHOWN = 5
_SENTENCES = re.compile(r"(?<=[.!?…\]])\s+|\n+")


@dataclass(slots=True)
class AnswerReport:
    """Outcome counts, citation checks and latencies over a set of answered questions."""

    statuses: Counter[str] = field(default_factory=Counter)
    citing_nothing: int = 0
    citations: int = 0
    valid_citations: int = 0
    supported: int = 0
    unsupported: list[str] = field(default_factory=list)
    first_token_ms: list[float] = field(default_factory=list)
    total_ms: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the figures as plain JSON-ready values."""
        return {
            "answers": sum(self.statuses.values()),
            "statuses": dict(self.statuses),
            "answered_citing_nothing": self.citing_nothing,
            "citations": self.citations,
            "valid_citations": self.valid_citations,
            "supported_citations": self.supported,
            "unsupported_examples": self.unsupported[:EXAMPLES_SHOWN],
            "first_token_ms": percentiles(self.first_token_ms),
            "total_ms": percentiles(self.total_ms),
        }


def percentiles(values: Sequence[float]) -> dict[str, float | None]:
    """Return p50 and p95 of `values` (None when there are none)."""
    if not values:
        return {"p50": None, "p95": None}
    return {
        "p50": round(float(np.percentile(values, 50)), 1),
        "p95": round(float(np.percentile(values, 95)), 1),
    }


async def evaluate_answers(
    answerer: Answerer, index: Index, questions: Sequence[str]
) -> AnswerReport:
    """Answer every question through the configured LLM and check each answer's citations."""
    report = AnswerReport()
    for question in questions:
        answer = await answerer.answer(question)
        report.statuses[answer.status] += 1
        report.total_ms.append(answer.timings.get("total_ms", 0.0))
        if "first_token_ms" in answer.timings:
            report.first_token_ms.append(answer.timings["first_token_ms"])
        if answer.status in ("answered", "partial", "fallback"):
            check_citations(index, answer, report)
    return report


def check_citations(index: Index, answer: Answer, report: AnswerReport) -> None:
    """Count the answer's citations, the valid ones and the ones its passage supports."""
    passages = {p.chunk_id: p for p in answer.passages}
    cited_any = False
    for sentence in _SENTENCES.split(answer.text):
        for marker in MARKER.findall(sentence):
            for number in (int(n) for n in re.findall(r"\d+", marker)):
                cited_any = True
                report.citations += 1
                if not 1 <= number <= len(answer.sources):
                    continue
                report.valid_citations += 1
                source = answer.sources[number - 1]
                claim = MARKER.sub("", sentence).strip()
                passage = passages.get(source.chunk_id)
                text = passage.text if passage else source.quote
                chunk_ids = passage.chunk_ids if passage else (source.chunk_id,)
                if supports(index, claim, chunk_ids, text):
                    report.supported += 1
                else:
                    report.unsupported.append(f"{claim[:120]} [{number}]")
    report.citing_nothing += not cited_any


def supports(index: Index, claim: str, chunk_ids: Sequence[str], passage: str) -> bool:
    """Return True when `passage` supports `claim` by e5 similarity or by term overlap."""
    if not claim:
        return True
    terms = set(index.terms(claim))
    overlap = len(terms & set(index.terms(passage))) / len(terms) if terms else 0.0
    return overlap >= SUPPORT_OVERLAP or index.similarity(claim, chunk_ids) >= SUPPORT_COSINE
