"""Retrieval failures: a Spanish message for users, a one-line English cause for operators."""

from __future__ import annotations

from bot import strings
from bot.errors import UserFacingError


class RagError(UserFacingError):
    """A retrieval failure; `str(error)` tells the operator what to do, `user_message` the user."""

    default_user_message = strings.INDEX_UNAVAILABLE

    def __init__(self, message: str, user_message: str | None = None) -> None:
        """Keep the operator message and the Spanish user message."""
        super().__init__(message)
        self.user_message = user_message or self.default_user_message


def first_line(error: BaseException) -> str:
    """Return the first line of an exception's message, or its type name."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


class QuestionError(RagError):
    """The question is empty or too long."""

    default_user_message = strings.EMPTY_QUESTION


class IndexMissingError(RagError):
    """No index has been built yet, or it cannot be read."""

    default_user_message = strings.INDEX_MISSING


class IndexMismatchError(RagError):
    """The index was built with another embedding model."""

    default_user_message = strings.INDEX_MISMATCH


class EmbeddingsUnavailableError(RagError):
    """The embeddings endpoint cannot be reached or answered badly."""

    default_user_message = strings.EMBEDDINGS_UNAVAILABLE


class CorpusError(RagError):
    """The keynote transcripts cannot be loaded or are malformed."""

    default_user_message = strings.CORPUS_UNAVAILABLE
