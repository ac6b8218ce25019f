"""`pide-ayuda db upgrade|downgrade|current|purge`, and the helper other store commands use."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.cli import CliError
from bot.config import load_settings
from bot.storage import open_database
from store.db import Database
from store.erasures import ERASURE_KEEP
from store.errors import StoreError
from store.privacy import prune_erasure_records, purge_expired

T = TypeVar("T")


def run_store(work: Callable[[Database], Awaitable[T]], migrate: bool = True) -> T:
    """Open the database (migrated to head unless told not to), run `work`, close it."""

    async def main() -> T:
        db = open_database(load_settings())
        try:
            if migrate:
                await db.upgrade()
            return await work(db)
        finally:
            await db.aclose()

    try:
        return asyncio.run(main())
    except StoreError as error:
        raise CliError(str(error)) from error


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `db` subcommand and its actions."""
    parser = subparsers.add_parser("db", help="manage the Q&A log database (migrations, purge)")
    actions = parser.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = actions.add_parser("upgrade", help="apply migrations (default: up to the latest)")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(handler=_upgrade)
    downgrade = actions.add_parser("downgrade", help='revert migrations ("-1" or "base")')
    downgrade.add_argument("revision", nargs="?", default="-1")
    downgrade.set_defaults(handler=_downgrade)
    current = actions.add_parser("current", help="print the schema revision of the database")
    current.set_defaults(handler=_current)
    purge = actions.add_parser(
        "purge", help="delete pairs older than RETENTION_DAYS, and expired erasure records"
    )
    purge.add_argument("--days", type=int, help="override RETENTION_DAYS (0 keeps every pair)")
    purge.set_defaults(handler=_purge)


def _upgrade(args: argparse.Namespace) -> int:
    async def work(db: Database) -> str | None:
        await db.upgrade(args.revision)
        return await db.current()

    print(f"database at revision {run_store(work, migrate=False) or 'base'}")
    return 0


def _downgrade(args: argparse.Namespace) -> int:
    async def work(db: Database) -> str | None:
        await db.downgrade(args.revision)
        return await db.current()

    print(f"database at revision {run_store(work, migrate=False) or 'base'}")
    return 0


def _current(args: argparse.Namespace) -> int:
    async def work(db: Database) -> str | None:
        return await db.current()

    print(run_store(work, migrate=False) or "base (no migrations applied)")
    return 0


def _purge(args: argparse.Namespace) -> int:
    if args.days is not None and args.days < 0:
        raise CliError("--days must be 0 or more")

    async def work(db: Database) -> tuple[int, int]:
        return await prune_erasure_records(db), await purge_expired(db, days)

    days = load_settings().retention_days if args.days is None else args.days
    pruned, purged = run_store(work)
    if days == 0:
        print("retention is off (RETENTION_DAYS=0); no pair purged")
    else:
        print(f"purged {purged} pairs older than {days} days")
    if pruned:
        print(f"pruned {pruned} erasure records older than {ERASURE_KEEP.days} days")
    return 0
