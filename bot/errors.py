"""The base of every failure a user can meet: a Spanish message for them, a cause for operators."""

from __future__ import annotations

from bot import strings


class UserFacingError(Exception):
    """A failure whose `str()` is a one-line English cause and `user_message` is Spanish."""

    user_message: str = strings.UNEXPECTED_ERROR
