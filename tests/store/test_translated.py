"""`translated`: driver errors of a block become StoreErrors caused by them; StoreErrors pass."""

from __future__ import annotations

import socket
import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from bot.config import Settings
from store.db import Database
from store.errors import (
    DatabaseLockedError,
    DatabaseReadOnlyError,
    DatabaseUnavailableError,
    PairNotFoundError,
    StoreError,
    translated,
)
from store.models import OptOut
from tests.store.conftest import sqlite_path


async def _opt_out(db: Database) -> None:
    """Write one row, translating what goes wrong as the store modules do."""
    with translated("testing a write"):
        async with db.writing() as session:
            session.add(OptOut(user_id=5))


async def _failed_write(db: Database, expected: type[StoreError]) -> StoreError:
    """Write through `db`, which must fail with `expected`; close `db`; return the error."""
    try:
        with pytest.raises(expected) as caught:
            await _opt_out(db)
    finally:
        await db.aclose()
    return caught.value


@pytest.mark.sqlite_only
async def test_a_locked_database_is_a_locked_error_caused_by_the_driver(
    settings: Settings, write_lock: sqlite3.Connection
) -> None:
    quick = Database(settings.sqlalchemy_url, busy_timeout_ms=50)
    error = await _failed_write(quick, DatabaseLockedError)
    assert str(error).startswith("testing a write: the database is locked")
    cause = error.__cause__
    assert isinstance(cause, OperationalError) and "locked" in str(cause.orig)


@pytest.mark.sqlite_only
async def test_a_read_only_database_is_a_read_only_error_caused_by_the_driver(
    db: Database, settings: Settings
) -> None:
    await db.aclose()
    read_only = Database(f"sqlite+aiosqlite:///file:{sqlite_path(settings)}?mode=ro&uri=true")
    error = await _failed_write(read_only, DatabaseReadOnlyError)
    assert str(error).startswith("testing a write: the database is read-only")
    cause = error.__cause__
    assert isinstance(cause, OperationalError) and "readonly" in str(cause.orig)


async def test_an_unreachable_server_is_an_unavailable_error_caused_by_the_os_error() -> None:
    with socket.socket() as closed:  # bound but not listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        unreachable = Database(f"postgresql+asyncpg://user:secret@127.0.0.1:{port}/db")
        error = await _failed_write(unreachable, DatabaseUnavailableError)
    assert str(error).startswith("testing a write: cannot open the database")
    assert isinstance(error.__cause__, OSError)


@pytest.mark.parametrize("catching", [None, Exception])
async def test_a_store_error_raised_inside_passes_unchanged(
    catching: type[Exception] | None,
) -> None:
    raised = PairNotFoundError("no pair 7 in the database")
    block = translated("voting") if catching is None else translated("voting", catching)
    with pytest.raises(PairNotFoundError) as caught, block:
        raise raised
    assert caught.value is raised and caught.value.__cause__ is None


async def test_other_errors_pass_unless_caught_then_become_a_store_error() -> None:
    with pytest.raises(ValueError, match="not a database error"), translated("reading settings"):
        raise ValueError("not a database error")
    with pytest.raises(StoreError) as caught, translated("reading settings", catching=Exception):
        raise ValueError("not a database error")
    assert str(caught.value) == "reading settings: database error (ValueError); see the log"
    assert isinstance(caught.value.__cause__, ValueError)
