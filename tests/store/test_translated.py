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


@pytest.mark.sqlite_only
async def test_a_locked_database_is_a_locked_error_caused_by_the_driver(
    settings: Settings, write_lock: sqlite3.Connection
) -> None:
    quick = Database(settings.sqlalchemy_url, busy_timeout_ms=50)
    try:
        with pytest.raises(DatabaseLockedError) as caught:
            await _opt_out(quick)
    finally:
        await quick.aclose()
    assert str(caught.value).startswith("testing a write: the database is locked")
    cause = caught.value.__cause__
    assert isinstance(cause, OperationalError) and "locked" in str(cause.orig)


@pytest.mark.sqlite_only
async def test_a_read_only_database_is_a_read_only_error_caused_by_the_driver(
    db: Database, settings: Settings
) -> None:
    await db.aclose()
    read_only = Database(f"sqlite+aiosqlite:///file:{sqlite_path(settings)}?mode=ro&uri=true")
    try:
        with pytest.raises(DatabaseReadOnlyError) as caught:
            await _opt_out(read_only)
    finally:
        await read_only.aclose()
    assert str(caught.value).startswith("testing a write: the database is read-only")
    cause = caught.value.__cause__
    assert isinstance(cause, OperationalError) and "readonly" in str(cause.orig)


async def test_an_unreachable_server_is_an_unavailable_error_caused_by_the_os_error() -> None:
    with socket.socket() as closed:  # bound but not listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        unreachable = Database(f"postgresql+asyncpg://user:secret@127.0.0.1:{port}/db")
        try:
            with pytest.raises(DatabaseUnavailableError) as caught:
                await _opt_out(unreachable)
        finally:
            await unreachable.aclose()
    assert str(caught.value).startswith("testing a write: cannot open the database")
    assert isinstance(caught.value.__cause__, OSError)


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
