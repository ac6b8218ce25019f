"""`pide-ayuda ingest`: build or update the keynote index."""

from __future__ import annotations

import argparse

from bot.cli import CliError
from bot.config import load_settings
from bot.rag.errors import RagError
from bot.rag.ingest import ingest


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `ingest` subcommand."""
    parser = subparsers.add_parser(
        "ingest",
        help="load the keynote transcripts and build or update the index",
        description="Load the keynotes (the public HF dataset by default) and index them; "
        "unchanged talks are skipped, changed ones replaced, removed ones deleted.",
    )
    parser.add_argument(
        "--source",
        help="'sample' for the bundled 4-talk sample, or a .parquet/.jsonl/.csv file with "
        "columns Nombre, Transcripción, Autor (default: the Hugging Face dataset)",
    )
    parser.add_argument("--rebuild", action="store_true", help="discard the index and start over")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(handler=run_ingest)


def run_ingest(args: argparse.Namespace) -> int:
    """Ingest the corpus and print a one-line summary."""
    settings = load_settings()
    if args.source is None and not args.no_progress:  # the Hub's retries take ~25 s offline
        print(f"Fetching {settings.hf_dataset} from the Hugging Face Hub…", flush=True)
    try:
        report = ingest(settings, args.source, rebuild=args.rebuild, progress=not args.no_progress)
    except RagError as error:
        raise CliError(str(error)) from error
    print(
        f"Indexed {report.talks_indexed} talks ({len(report.added)} added, "
        f"{len(report.replaced)} replaced, {len(report.unchanged)} unchanged, "
        f"{len(report.removed)} removed): "
        f"{report.chunks_total} chunks, {report.chunks_embedded} embedded with "
        f"{report.embedding_model} in {report.seconds:.1f} s"
    )
    if report.calibration is not None:
        print(f"Relevance gate: {report.calibration.describe()}")
    else:
        print(f"warning: relevance gate not calibrated ({report.calibration_problem})")
    return 0
