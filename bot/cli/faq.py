"""`pide-ayuda faq`: curated answers written by moderators (add, list, remove)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from bot.cli import CliError
from bot.cli.db import run_store
from bot.config import load_settings
from bot.curated_sync import as_entry
from bot.rag.curated import CuratedIndex
from bot.rag.errors import RagError
from store.curated import CuratedLog, CuratedPair
from store.db import Database

SHOWN = 70


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `faq` subcommand and its actions."""
    parser = subparsers.add_parser("faq", help="curated answers: add, list, remove")
    actions = parser.add_subparsers(dest="faq_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add a question and its answer (provenance moderator)")
    add.add_argument("--question", required=True)
    add.add_argument("--answer", required=True)
    add.set_defaults(handler=_add)
    listing = actions.add_parser("list", help="list the curated answers")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(handler=_list)
    remove = actions.add_parser("remove", help="take a pair out of the curated answers")
    remove.add_argument("pair_id", type=int, metavar="ID")
    remove.set_defaults(handler=_remove)


def _add(args: argparse.Namespace) -> int:
    question, answer = args.question.strip(), args.answer.strip()
    if not question or not answer:
        raise CliError("both --question and --answer need some text")

    async def work(db: Database) -> CuratedPair:
        return await CuratedLog(db).add_moderator_pair(question, answer, None)

    pair = run_store(work)
    _update_collection(lambda index: index.add([as_entry(pair)]))
    print(f"added curated pair {pair.pair_id}")
    return 0


def _list(args: argparse.Namespace) -> int:
    async def work(db: Database) -> list[CuratedPair]:
        return await CuratedLog(db).curated()

    for pair in run_store(work):
        if args.json:
            row = {"id": pair.pair_id, "provenance": pair.provenance}
            print(json.dumps({**row, "question": pair.question, "answer": pair.answer}))
        else:
            print(f"{pair.pair_id:>6}  {pair.provenance:9}  {_cut(pair.question)}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    async def work(db: Database) -> bool:
        return await CuratedLog(db).withdraw(args.pair_id, None)

    if not run_store(work):
        raise CliError(f"no pair with id {args.pair_id}")
    _update_collection(lambda index: index.remove([args.pair_id]))
    print(f"removed pair {args.pair_id} from the curated answers")
    return 0


def _update_collection(change: Callable[[CuratedIndex], None]) -> None:
    """Apply a change to the curated collection; the database already holds it either way."""
    try:
        index = CuratedIndex.open(load_settings())
    except RagError as error:
        print(
            f"warning: saved, but the curated collection was not updated: {error}", file=sys.stderr
        )
        return
    try:
        change(index)
    finally:
        index.close()


def _cut(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SHOWN else flat[: SHOWN - 1] + "…"
