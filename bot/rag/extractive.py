"""Extractive answers: the best sentences of the best passages, for when no LLM is configured."""

from __future__ import annotations

from collections.abc import Sequence

from bot.rag.citations import best_snippet, keywords
from bot.rag.types import Passage

EXTRACT_PASSAGES = 3
EXTRACT_CHARS = 300


def extractive_text(question: str, passages: Sequence[Passage]) -> str:
    """Quote the sentence of each top passage closest to the question (the label is a notice)."""
    wanted = keywords(question)
    lines: list[str] = []
    for number, passage in enumerate(passages[:EXTRACT_PASSAGES], start=1):
        snippet = best_snippet(passage.text, wanted, EXTRACT_CHARS)
        lines.append(f"> «{snippet}» [{number}]")
    return "\n".join(lines)
