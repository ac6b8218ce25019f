"""`pide-ayuda calibrate`: fit the relevance gate to the index and embedder in use."""

from __future__ import annotations

import argparse

from bot.cli import CliError
from bot.config import load_settings
from bot.rag.calibrate import calibrate_index
from bot.rag.calibration_fit import CalibrationError
from bot.rag.errors import RagError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `calibrate` subcommand."""
    parser = subparsers.add_parser(
        "calibrate",
        help="fit the relevance gate and curated threshold to the built index",
        description="Fit the relevance gate's operating point and the curated-answer threshold "
        "to the index and the configured embedder (pseudo-questions drawn from the corpus "
        "against the reference questions on other subjects), and save the fit beside the "
        "index. `pide-ayuda ingest` does it too; run this after changing the embedder's "
        "server or an index built before calibration existed.",
    )
    parser.set_defaults(handler=run_calibrate)


def run_calibrate(args: argparse.Namespace) -> int:
    """Fit, save and print the operating point."""
    settings = load_settings()
    try:
        fitted = calibrate_index(settings)
    except (RagError, CalibrationError) as error:
        raise CliError(str(error)) from error
    print(f"Relevance gate: {fitted.describe()}")
    return 0
