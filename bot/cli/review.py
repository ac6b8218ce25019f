"""`pide-ayuda review`: walk pending pairs in the terminal and approve, edit or reject them."""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bot.cli import CliError
from bot.cli.db import run_store
from store.db import Database
from store.errors import AlreadyReviewedError
from store.queries import PairView
from store.review import ReviewLog

PROMPT = "[a]pprove  [e]dit  [r]eject  [s]kip  [q]uit > "
ACTIONS = {"a": "approved", "e": "edited", "r": "rejected", "s": "skipped", "q": "quit"}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `review` subcommand."""
    parser = subparsers.add_parser(
        "review",
        help="walk pending Q&A pairs: approve, edit ($EDITOR or one line) or reject",
    )
    parser.add_argument("--reviewer", type=int, help="Discord user id recorded as the reviewer")
    parser.set_defaults(handler=run)


def show(pair: PairView) -> str:
    """Render a pair for the terminal."""
    when = pair.created_at.strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        f"#{pair.id}  {when}  {pair.surface}  {pair.status} ({pair.mode}, {pair.model or '-'})"
        f"  by {pair.provenance}  +{pair.votes_up} -{pair.votes_down}",
        f"Q: {pair.question}",
        f"A: {pair.answer}",
    ]
    lines += [
        f"  [{n}] {s.title} — {s.author} ({s.score:.2f})" for n, s in enumerate(pair.sources, 1)
    ]
    return "\n".join(lines)


def _read(prompt: str) -> str | None:
    """Read one line from stdin; None at end of input."""
    try:
        return input(prompt)
    except EOFError:
        return None


def edit_text(current: str) -> str | None:
    """Open $EDITOR on the answer when interactive, else read one line; None = keep as is."""
    editor = os.environ.get("EDITOR")
    if editor and sys.stdin.isatty():
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "answer.md"
            path.write_text(current, encoding="utf-8")
            if subprocess.run([*shlex.split(editor), str(path)], check=False).returncode != 0:
                return None
            text = path.read_text(encoding="utf-8").strip()
    else:
        text = (_read("new answer (one line, empty to cancel): ") or "").strip()
    return text if text and text != current.strip() else None


async def _decide(reviews: ReviewLog, pair: PairView, reviewer: int | None) -> str:
    while True:
        choice = await asyncio.to_thread(_read, PROMPT)
        action = ACTIONS.get((choice or "q").strip().lower()[:1])
        text: str | None = None
        if action == "edited":
            text = await asyncio.to_thread(edit_text, pair.answer)
            if text is None:
                print("edit cancelled")
                continue
        if action in ("approved", "rejected", "edited"):
            try:  # a pair decided meanwhile (e.g. on Discord) is left as it is
                await reviews.review(pair.id, action, reviewer, text, only_pending=True)  # type: ignore[arg-type]
            except AlreadyReviewedError:
                print(f"#{pair.id} was reviewed meanwhile; left as it is")
                return "skipped"
            return action
        if action in ("skipped", "quit"):
            return action
        print("choose a, e, r, s or q")


async def walk(db: Database, reviewer: int | None) -> Counter[str]:
    """Review pending pairs one by one until none is left or the moderator quits."""
    reviews = ReviewLog(db)
    done: Counter[str] = Counter()
    after = 0
    while (pair := await reviews.next_pending(after)) is not None:
        print(show(pair))
        action = await _decide(reviews, pair, reviewer)
        if action == "quit":
            break
        done[action] += 1
        after = pair.id
    return done


def run(args: argparse.Namespace) -> int:
    """Walk the pending pairs and print what was done."""
    if args.reviewer is not None and args.reviewer <= 0:
        raise CliError("--reviewer must be a Discord user id")

    async def work(db: Database) -> Counter[str]:
        return await walk(db, args.reviewer)

    done = run_store(work)
    summary = ", ".join(f"{action} {n}" for action, n in sorted(done.items())) or "nothing"
    print(f"\nreviewed: {summary}")
    return 0
