"""What the user is told beside an answer (notes by outcome) or instead of one (not a question)."""

from __future__ import annotations

from bot import strings
from bot.rag.types import Answer, Intent

# Display-only notes by outcome (an extractive answer without an LLM gets EXTRACTIVE_LABEL).
STATUS_NOTICES = {"partial": strings.PARTIAL_ANSWER_NOTE, "fallback": strings.FALLBACK_NOTICE}
# Replies to messages that are not questions (bot/rag/intent.py): no retrieval, no LLM.
DECLINED: dict[Intent, str] = {
    "greeting": strings.GREETING_REPLY,
    "thanks": strings.THANKS_REPLY,
    "instruction": strings.INSTRUCTION_REFUSED,
    "task": strings.TASK_REFUSED,
    "no_words": strings.NO_WORDS,
}


def notice_for(answer: Answer) -> str | None:
    """Return the display-only note for an answer's outcome, or None."""
    if answer.status == "answered" and any(s.kind == "faq" for s in answer.sources):
        return strings.CURATED_LABEL
    if answer.status == "fallback" and answer.error_kind != "degenerate":
        return strings.LLM_DOWN_NOTICE
    if answer.status in STATUS_NOTICES:
        return STATUS_NOTICES[answer.status]
    if answer.status == "answered" and answer.mode == "extractive":
        return strings.EXTRACTIVE_LABEL
    return None
