"""`pide-ayuda stats`: counts of the Q&A log by status, review, feedback and talk."""

from __future__ import annotations

import argparse

from bot.cli.db import run_store
from store.db import Database
from store.handoffs import HandOffLog, HandOffStats
from store.queries import Stats
from store.review import ReviewLog
from store.solutions import SolutionLog, SolutionStats


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `stats` subcommand."""
    parser = subparsers.add_parser("stats", help="count logged pairs by status, feedback, talk")
    parser.add_argument("--top", type=int, default=10, help="talks to list (default 10)")
    parser.set_defaults(handler=run)


def render(stats: Stats) -> str:
    """Render the counts as plain text."""

    def counts(values: dict[str, int]) -> str:
        ordered = sorted(values.items(), key=lambda item: (-item[1], item[0]))
        return ", ".join(f"{key} {n}" for key, n in ordered) or "-"

    lines = [
        f"pairs: {stats.total}",
        f"by status: {counts(stats.by_status)}",
        f"by review: {counts(stats.by_review)}",
        f"feedback: {stats.votes_up} up, {stats.votes_down} down on {stats.voted_pairs} pairs",
        f"opted-out users: {stats.opted_out_users}",
        "talks cited (pairs):",
    ]
    lines += [f"  {n:>5}  {title} — {author}" for title, author, n in stats.by_talk] or ["  -"]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Print the counts."""

    async def work(db: Database) -> tuple[Stats, HandOffStats, SolutionStats]:
        stats = await ReviewLog(db).stats(top_talks=max(args.top, 0))
        return stats, await HandOffLog(db).stats(), await SolutionLog(db).stats()

    stats, handoffs, solutions = run_store(work)
    print(render(stats))
    print(render_handoffs(handoffs))
    print(render_solutions(solutions))
    return 0


def render_handoffs(stats: HandOffStats) -> str:
    """Render the hand-offs to mentors as one line."""
    median = stats.median_reply_seconds
    wait = "-" if median is None else f"{median:.0f} s"
    return (
        f"hand-offs to mentors: {stats.opened} opened, {stats.answered} answered, "
        f"{stats.open} open; median time to a mentor reply: {wait}"
    )


def render_solutions(stats: SolutionStats) -> str:
    """Render the help forums' solved posts as one line."""
    median = stats.median_seconds
    wait = "-" if median is None else f"{median:.0f} s"
    answers = ", ".join(f"{name} {n}" for name, n in stats.by_provenance.items()) or "-"
    return (
        f"help forums: {stats.solved} solved posts; median time to a solution: {wait}; "
        f"accepted answers by provenance: {answers}"
    )
