"""`pide-ayuda privacy forget USER_ID`: delete a person's data on a request that came by mail."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli import CliError
from bot.cli.db import run_store
from bot.config import load_settings
from bot.forgetting import CuratedNotUpdatedError, forget_person
from bot.rag.curated import CuratedIndex
from bot.storage import open_recorder
from store.db import Database
from store.privacy import Forgotten, PrivacyLog


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `privacy` subcommand and its actions."""
    parser = subparsers.add_parser("privacy", help="participants' data: forget a person")
    actions = parser.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")
    forget = actions.add_parser(
        "forget",
        help="delete everything a Discord user asked or wrote (as /borrar-mis-datos does)",
        description=(
            "Deletes the person's questions, the answers to them, the mentor answers they wrote, "
            "their votes and hand-offs, and sources elsewhere naming their questions, in one "
            "transaction; then removes their pairs from the curated answers. Later exports no "
            "longer hold them; re-export published folders."
        ),
    )
    forget.add_argument("user_id", type=int, help="the person's Discord user id")
    forget.set_defaults(handler=run_forget)


def run_forget(args: argparse.Namespace) -> int:
    """Forget one person and say how many rows went."""
    settings = load_settings()

    async def work(db: Database) -> Forgotten:
        recorder = open_recorder(db, settings)
        opened: list[CuratedIndex] = []

        async def open_curated() -> CuratedIndex:
            opened.append(await asyncio.to_thread(CuratedIndex.open, settings))
            return opened[0]

        try:
            return await forget_person(db, PrivacyLog(db, recorder), open_curated, args.user_id)
        finally:
            for curated in opened:
                await asyncio.to_thread(curated.close)
            await recorder.aclose()

    try:
        forgotten = run_store(work)
    except CuratedNotUpdatedError as error:
        raise CliError(
            f"deleted from the database, but {error}; run the command again to finish"
        ) from error
    print(
        f"forgot user {args.user_id}: {forgotten.rows} rows deleted, "
        f"{len(forgotten.pair_ids)} pairs"
    )
    return 0
