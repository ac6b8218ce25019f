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
from store.export_dataset import (
    DATASET_FORMATS,
    DatasetOptions,
    DatasetReport,
    export_csv,
    export_dataset,
)
from store.export_rows import STATUS_CHOICES, ExportFilters
from store.provenance import PROVENANCES

SURFACES = ("slash", "mention", "thread", "cli", "forum")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `export` subcommand."""
    parser = subparsers.add_parser(
        "export",
        help="export logged Q&A pairs as a Hugging Face dataset folder (or a CSV file)",
        description=(
            "Writes a folder that datasets.load_dataset(DIR, CONFIG) loads, with the configs "
            "messages, alpaca and preferences and a README.md card; exporting again into the "
            "same folder replaces it. --format csv writes one spreadsheet file instead. With no "
            "--status: every pair the user saw, except rejected, error, cancelled and "
            "interrupted ones."
        ),
    )
    parser.add_argument(
        "--format",
        default="parquet",
        help=f"{', '.join(DATASET_FORMATS)} (a dataset folder; default parquet) or csv (a file)",
    )
    parser.add_argument(
        "--out", required=True, type=Path, help="dataset folder (or the .csv file with csv)"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace a folder (or file) that pide-ayuda export did not write",
    )
    parser.add_argument(
        "--citations",
        choices=("keep", "strip"),
        default="keep",
        help="strip: write answers without their [n] citation markers (plain SFT)",
    )
    parser.add_argument(
        "--include-extractive",
        action="store_true",
        help="keep extractive answers (verbatim transcript quotes) in messages and alpaca",
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
        help=f"only answers of this provenance (e.g. {', '.join(PROVENANCES)})",
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
    if args.format not in (*DATASET_FORMATS, "csv"):
        raise CliError(
            f"unknown --format {args.format!r}; use one of {', '.join(DATASET_FORMATS)}, csv "
            "(alpaca and messages are configs inside every dataset folder)"
        )
    filters = filters_from(args)
    options = DatasetOptions(
        strip_citations=args.citations == "strip", include_extractive=args.include_extractive
    )

    async def work(db: Database) -> DatasetReport:
        salt = export_salt(load_settings())
        if args.format == "csv":
            return await export_csv(
                db, args.out, filters, salt=salt, options=options, overwrite=args.force
            )
        return await export_dataset(
            db,
            args.out,
            filters,
            salt=salt,
            fmt=args.format,
            options=options,
            overwrite=args.force,
        )

    report = run_store(work)
    counts = ", ".join(f"{name}: {n}" for name, n in report.rows.items())
    print(f"exported to {report.path} ({counts})")
    return 0
