"""The async engine and session factory, and Alembic migrations run from the installed package."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, InvalidRequestError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

import migrations
from store.errors import DatabaseUnavailableError, SchemaTooNewError, StoreError, translated

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
# A URL without a driver gets SQLAlchemy's synchronous default; this store runs on asyncio.
ASYNC_DRIVERS = {
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
}
MIGRATION_LOCK_KEY = 0x70696465  # "pide": the advisory lock held while migrating
MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent


def alembic_config() -> Config:
    """Build an Alembic config pointing at the packaged migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            # Deleted rows are overwritten with zeros, so forgotten text does not linger in free
            # pages of the file (or of the WAL) until they are reused.
            cursor.execute("PRAGMA secure_delete = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    return on_connect


class Database:
    """Owns the engine and session factory of the Q&A log."""

    def __init__(self, url: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        """Create the engine for `url`; SQLite gets WAL, a busy timeout and foreign keys."""
        parsed = async_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        plain_file = parsed.database not in (None, "", ":memory:") and not parsed.query.get("uri")
        if self.is_sqlite and plain_file:
            _create_private_file(Path(parsed.database or "").expanduser())
        self.engine: AsyncEngine = create_async_engine(parsed)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False
        )
        # SQLite has one write lock per file: queueing in-process avoids the busy handler's
        # sleep-and-retry, which makes tail latency spiky under concurrent writers.
        self._write_lock = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncSession]:
        """Open a write transaction; on SQLite, writers of this process queue in turn."""
        async with contextlib.AsyncExitStack() as stack:
            if self.is_sqlite:
                await stack.enter_async_context(self._write_lock)
            yield await stack.enter_async_context(self.sessions.begin())

    @classmethod
    def open(cls, url: str, data_dir: Path) -> Database:
        """Open the database at `url`, creating the data directory if needed."""
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            return cls(url)
        except OSError as error:
            raise DatabaseUnavailableError(
                f"cannot create the data directory ({error.strerror}); "
                "set PIDE_AYUDA_DATA_DIR to a writable folder"
            ) from error
        except ArgumentError as error:
            raise DatabaseUnavailableError(
                f"DATABASE_URL is not a valid SQLAlchemy URL ({error}); "
                "use e.g. postgresql+asyncpg://user:password@host/db"
            ) from error
        except InvalidRequestError as error:  # a synchronous driver, e.g. postgresql+psycopg2
            raise DatabaseUnavailableError(
                f"DATABASE_URL names the synchronous driver {make_url(url).drivername}; "
                "use an async one: postgresql+asyncpg://… or sqlite+aiosqlite:///…"
            ) from error
        except ImportError as error:
            raise DatabaseUnavailableError(
                f"the driver of DATABASE_URL needs {error.name or error}, which is not installed; "
                "use postgresql+asyncpg://… (pip install 'pide-ayuda[postgres]') or sqlite:///…"
            ) from error

    async def upgrade(self, revision: str = "head") -> None:
        """Apply migrations up to `revision`; refuse a database from a newer schema."""
        await self._run_alembic(_upgrade, revision)

    async def downgrade(self, revision: str) -> None:
        """Revert migrations down to `revision` (e.g. "-1" or "base")."""
        await self._run_alembic(_downgrade, revision)

    async def current(self) -> str | None:
        """Return the revision the database is at, or None for a blank database."""
        with translated("reading the schema revision"):
            async with self.engine.connect() as connection:
                return await connection.run_sync(_current_revision)

    async def _run_alembic(self, action: Any, revision: str) -> None:
        try:
            with translated("migrating the database"):
                async with self.engine.begin() as connection:
                    await connection.run_sync(action, revision)
        except CommandError as error:
            raise StoreError(f"migration failed: {error}") from error

    async def reconnect(self) -> None:
        """Drop pooled connections, so the next use opens fresh ones (e.g. a file now writable)."""
        await self.engine.dispose()

    async def aclose(self) -> None:
        """Dispose of the engine and its pooled connections."""
        await self.engine.dispose()


def async_url(url: str) -> URL:
    """Parse `url`, giving a bare `postgresql://`, `postgres://` or `sqlite://` its async driver."""
    parsed = make_url(url)
    driver = ASYNC_DRIVERS.get(parsed.drivername)
    return parsed.set(drivername=driver) if driver else parsed


def _create_private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (it holds users' questions)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _check_known(connection: Connection, config: Config) -> None:
    script = ScriptDirectory.from_config(config)
    known = {rev.revision for rev in script.walk_revisions()}
    for head in MigrationContext.configure(connection).get_current_heads():
        if head not in known:
            raise SchemaTooNewError(
                f"the database is at schema revision {head}, which this pide-ayuda does not "
                "know (it was migrated by a newer version); upgrade pide-ayuda or point "
                "DATABASE_URL at another database"
            )


def _upgrade(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        # Processes starting together (one per shard group) migrate one at a time; the lock ends
        # with the transaction, and the next process finds the schema at head already.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    config = alembic_config()
    _check_known(connection, config)
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _downgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    _check_known(connection, config)
    config.attributes["connection"] = connection
    command.downgrade(config, revision)
