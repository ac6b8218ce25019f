"""Store failures: an English one-liner for operators and a Spanish message for users."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from bot import strings
from bot.errors import UserFacingError


class StoreError(UserFacingError):
    """A database failure; `str(error)` says what to do, `user_message` is shown on Discord."""

    user_message: str = strings.STORE_UNAVAILABLE


class DatabaseLockedError(StoreError):
    """Another process held a write lock longer than the busy timeout."""


class DatabaseReadOnlyError(StoreError):
    """The database file or its folder cannot be written."""


class DatabaseUnavailableError(StoreError):
    """The database cannot be opened or reached."""


class SchemaTooNewError(StoreError):
    """The database was migrated by a newer pide-ayuda than this one."""


class PairNotFoundError(StoreError):
    """No logged pair has the given id."""

    user_message = strings.PAIR_NOT_FOUND


class AlreadyReviewedError(StoreError):
    """The pair was decided already (by another moderator, or from an older review message)."""

    user_message = strings.REVIEW_ALREADY_DECIDED


class PairNotSavedYetError(StoreError):
    """The pair exists but its row is still waiting to be written (e.g. the database was busy)."""

    user_message = strings.PAIR_NOT_SAVED_YET


def translate(error: Exception, where: str) -> StoreError:
    """Map a driver error to a StoreError whose message tells the operator what to do."""
    if isinstance(error, StoreError):
        return error
    text = str(error.orig if isinstance(error, DBAPIError) else error).lower()
    if "locked" in text or "busy" in text:
        return DatabaseLockedError(
            f"{where}: the database is locked by another process; "
            "wait for it to finish (or stop it) and retry"
        )
    if "readonly" in text or "read-only" in text:
        return DatabaseReadOnlyError(
            f"{where}: the database is read-only; make the file and its folder writable "
            "by this user or set DATABASE_URL to a writable location"
        )
    sqlstate = str(getattr(getattr(error, "orig", None), "sqlstate", None) or "")
    if sqlstate.startswith("28") or sqlstate == "3D000":  # PostgreSQL: bad role/password/db
        return DatabaseUnavailableError(
            f"{where}: the server refused the connection ({text.splitlines()[0]}); "
            "check the user, password and database name in DATABASE_URL"
        )
    if isinstance(error, OperationalError | OSError):
        return DatabaseUnavailableError(
            f"{where}: cannot open the database ({text.splitlines()[0] if text else 'unknown'}); "
            "check DATABASE_URL / PIDE_AYUDA_DATA_DIR and that the server is reachable"
        )
    return StoreError(f"{where}: database error ({type(error).__name__}); see the log")


@contextlib.contextmanager
def translated(
    where: str, catching: type[Exception] | tuple[type[Exception], ...] = (SQLAlchemyError, OSError)
) -> Iterator[None]:
    """Re-raise the block's `catching` errors as `translate(error, where)`; StoreErrors pass."""
    try:
        yield
    except StoreError:
        raise
    except catching as error:
        raise translate(error, where) from error
