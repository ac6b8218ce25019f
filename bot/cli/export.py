"""`pide-ayuda export`: write logged pairs as an instruction dataset plus its card."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.cli import CliError
from bot.cli.db import run_store
from bot.config import load_settings
from bot.storage import export_salt
from store.db import Database
from store.export import FORMATS, ExportFilters, ExportReport, export_pairs
from store.export_rows import STATUS_CHOICES
from store.mentors import PROVENANCES

SURFACES = ("slash", "mention", "thread", "cli", "forum")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `export` subcommand."""
    parser = subparsers.add_parser(
        "export",
        help="export logged Q&A pairs as a dataset (the folder's README.md lists every export)",
        description=(
            "With no --status: every pair the user saw, except rejected, error, cancelled and "
            "interrupted ones."
        ),
    )
    parser.add_argument("--format", required=True, help=f"one of {', '.join(FORMATS)}")
    parser.add_argument("--out", required=True, type=Path, help="file to write")
    parser.add_argument(
        "--force",
        action="store_true",
        help="overwrite --out (or a README.md not written by export)",
    )
    parser.add_argument(
        "--status",
        action="append",
        default=[],
        help=f"repeatable: {', '.join(STATUS_CHOICES)} ('approved' includes edited pairs)",
    )
    parser.add_argument("--since", help="YYYY-MM-DD or ISO date-time (UTC), inclusive")
    parser.add_argument("--until", help="YYYY-MM-DD (whole day included) or ISO date-time")
    parser.add_argument("--guild", type=int, help="only pairs asked in this Discord server id")
    parser.add_argument("--surface", help=f"one of {', '.join(SURFACES)}")
    parser.add_argument(
        "--provenance",
        choices=PROVENANCES,
        help="only answers written by the bot, edited by a moderator, by a mentor, a moderator,"
        " or a community member (an accepted help-forum answer)",
    )
    parser.add_argument(
        "--min-score", type=int, help="minimum net feedback score (👍 minus 👎), e.g. 1"
    )
    parser.add_argument(
        "--undelivered",
        action="store_true",
        help="also export answers the user never saw (Discord refused to show them)",
    )
    parser.set_defaults(handler=run)


def parse_moment(text: str | None, flag: str, end_of_day: bool = False) -> datetime | None:
    """Parse a date or date-time as UTC; a bare date as --until means the end of that day."""
    if text is None:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return moment + timedelta(days=1) if end_of_day else moment
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise CliError(f"{flag} {text!r} is not a date; use YYYY-MM-DD") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def filters_from(args: argparse.Namespace) -> ExportFilters:
    """Validate the filter flags and build the filters."""
    for status in args.status:
        if status not in STATUS_CHOICES:
            raise CliError(f"unknown --status {status!r}; use one of {', '.join(STATUS_CHOICES)}")
    if args.surface is not None and args.surface not in SURFACES:
        raise CliError(f"unknown --surface {args.surface!r}; use one of {', '.join(SURFACES)}")
    return ExportFilters(
        statuses=tuple(args.status),
        since=parse_moment(args.since, "--since"),
        until=parse_moment(args.until, "--until", end_of_day=True),
        guild_id=args.guild,
        surface=args.surface,
        min_score=args.min_score,
        undelivered=args.undelivered,
        provenance=args.provenance,
    )


def run(args: argparse.Namespace) -> int:
    """Export and print a one-line summary."""
    if args.format not in FORMATS:
        raise CliError(f"unknown --format {args.format!r}; use one of {', '.join(FORMATS)}")
    filters = filters_from(args)

    async def work(db: Database) -> ExportReport:
        salt = export_salt(load_settings())
        return await export_pairs(
            db, args.format, args.out, filters, salt=salt, overwrite=args.force
        )

    report = run_store(work)
    print(
        f"exported {report.rows} pairs to {report.path} "
        f"(dataset card: {report.card_path}, describing {report.files_in_card} data file(s))"
    )
    return 0
