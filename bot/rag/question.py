"""Validate a participant's question before any retrieval work."""

from __future__ import annotations

from bot import strings
from bot.rag.errors import QuestionError


def validate_question(text: str, max_chars: int) -> str:
    """Return the stripped question, or raise QuestionError when it is empty or too long."""
    question = text.strip()
    if not question:
        raise QuestionError(
            "the question is empty: pass some text to search for", strings.EMPTY_QUESTION
        )
    if len(question) > max_chars:
        raise QuestionError(
            f"the question has {len(question)} characters (limit {max_chars}): shorten it",
            strings.QUESTION_TOO_LONG.format(length=len(question), limit=max_chars),
        )
    return question
