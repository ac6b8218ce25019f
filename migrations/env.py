"""Alembic environment: reuse the caller's connection, or open the configured database."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

import store.handoffs
import store.server_settings
import store.solution_records  # noqa: F401  (registers its model on Base)
from bot.config import load_settings
from bot.storage import open_database
from store.models import Base

config = context.config
target_metadata = Base.metadata


def run_with_connection(connection: Connection) -> None:
    """Run the migrations on an open connection (batch mode so SQLite can alter tables)."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_with_settings() -> None:
    """Open the database named by the settings and migrate it (plain `alembic` usage)."""
    database = open_database(load_settings())
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(run_with_connection)
    finally:
        await database.aclose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run them against a database")
shared = config.attributes.get("connection")
if shared is not None:
    run_with_connection(shared)
else:
    asyncio.run(run_with_settings())
