"""The `pide-ayuda` command line: each subcommand lives in its own module of this package."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot import __version__
from bot.config import describe_invalid_settings
from bot.redact import redact_logs

# Each module defines `register(subparsers)`, which adds its subcommand(s) with
# `set_defaults(handler=...)`; a handler takes the parsed namespace and returns an exit code.
COMMAND_MODULES: tuple[str, ...] = (
    "ingest",
    "calibrate",
    "search",
    "ask",
    "db",
    "export",
    "review",
    "stats",
    "run",
    "doctor",
    "eval",
    "faq",
    "privacy",
)


class CliError(Exception):
    """A failure the user can act on: printed as one line, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="pide-ayuda",
        description="Discord assistant over the SomosNLP #Somos600M keynotes.",
    )
    parser.add_argument("--version", action="version", version=f"pide-ayuda {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"bot.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand and return its exit code."""
    try:
        args = build_parser().parse_args(argv)
        logging.basicConfig(
            level=logging.DEBUG if args.verbose else logging.WARNING,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )
        redact_logs()  # no credential in any log line, whichever library writes it
        code = int(args.handler(args))
        sys.stdout.flush()
        return code
    except CliError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ValidationError as error:
        print(f"error: {describe_invalid_settings(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): silence the final flush, as the Python docs advise.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
