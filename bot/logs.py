"""Logging setup: plain text or one JSON object per line, each line tagged with its question id."""

from __future__ import annotations

import contextlib
import json
import logging
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Literal

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# The question being handled by the current task (and the tasks it starts), if any.
QUESTION_ID: ContextVar[str | None] = ContextVar("question_id", default=None)


@contextlib.contextmanager
def question_scope() -> Iterator[str]:
    """Give the current task a fresh question id until the block ends."""
    question_id = uuid.uuid4().hex[:12]
    token = QUESTION_ID.set(question_id)
    try:
        yield question_id
    finally:
        QUESTION_ID.reset(token)


class QuestionIdFilter(logging.Filter):
    """Attach the current question id (or None) to every record as `question_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Tag the record; never drop it."""
        record.question_id = QUESTION_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        """Render time, level, logger, message, question id and any exception."""
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        question_id = getattr(record, "question_id", None)
        if question_id is not None:
            entry["question_id"] = question_id
        if record.exc_info:  # exc_text when a filter already rendered (and redacted) it
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The plain format, with `[q=<id>]` before the message on a question's path."""

    def __init__(self) -> None:
        """Use the project's text layout."""
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        """Prefix the message with the question id when there is one."""
        text = super().formatMessage(record)
        question_id = getattr(record, "question_id", None)
        if question_id is None:
            return text
        head, _, message = text.partition(": ")
        return f"{head}: [q={question_id}] {message}"


def use_format(log_format: LogFormat) -> None:
    """Switch every root handler to `log_format` and tag records with the question id."""
    formatter = JsonFormatter() if log_format == "json" else TextFormatter()
    for handler in logging.getLogger().handlers:
        handler.setFormatter(formatter)
        if not any(isinstance(f, QuestionIdFilter) for f in handler.filters):
            handler.addFilter(QuestionIdFilter())
