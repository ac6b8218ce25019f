"""`pide-ayuda search`: print the passages the retriever finds for a question."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

from bot.cli import CliError
from bot.config import Settings, load_settings
from bot.rag.errors import RagError
from bot.rag.index import Index
from bot.rag.question import validate_question
from bot.rag.types import Passage


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `search` subcommand."""
    parser = subparsers.add_parser(
        "search",
        help="print the passages retrieved for a question",
        description="Retrieve the best passages for a question, or for every `question` of a "
        "JSONL file (one JSON line per question with --json).",
    )
    parser.add_argument("question", nargs="?", help="the question, in Spanish")
    parser.add_argument("-k", type=int, default=None, help="passages to return (default 5)")
    parser.add_argument("--json", action="store_true", help="print JSON lines")
    parser.add_argument(
        "--questions", type=Path, help="a JSONL file of objects with a `question` field"
    )
    parser.set_defaults(handler=run_search)


def run_search(args: argparse.Namespace) -> int:
    """Search for one question or a file of questions and print the results."""
    if (args.question is None) == (args.questions is None):
        raise CliError("give either a question or --questions FILE.jsonl (not both)")
    if args.k is not None and not 1 <= args.k <= 50:
        raise CliError("-k must be between 1 and 50")
    settings = load_settings()
    questions = [(args.question, "")] if args.questions is None else list(_read(args.questions))
    cleaned = _validate(questions, settings.question_max_chars)
    try:
        asyncio.run(_search_all(settings, cleaned, args.k or settings.retrieval_k, args.json))
    except RagError as error:
        raise CliError(str(error)) from error
    return 0


def _validate(questions: list[tuple[str, str]], max_chars: int) -> list[str]:
    """Validate every (question, where) pair, naming the file line of the first bad one."""
    cleaned = []
    for question, where in questions:
        try:
            cleaned.append(validate_question(question, max_chars))
        except RagError as error:
            raise CliError(f"{where}: {error}" if where else str(error)) from error
    return cleaned


async def _search_all(settings: Settings, cleaned: list[str], k: int, as_json: bool) -> None:
    index = await asyncio.to_thread(Index.open, settings)
    try:
        for question in cleaned:
            passages = await index.search(question, k)
            if as_json:
                print(json.dumps(_as_json(question, passages), ensure_ascii=False), flush=True)
            else:
                _print_text(question, passages)
    finally:
        index.close()


def _read(path: Path) -> Iterator[tuple[str, str]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise CliError(
            f"cannot read {path} ({error.__class__.__name__}); check the path"
        ) from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise CliError(f"{path}:{number}: not valid JSON ({error.msg})") from error
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            raise CliError(f"{path}:{number}: expected an object with a string `question` field")
        yield item["question"], f"{path}:{number}"


def _as_json(question: str, passages: list[Passage]) -> dict[str, object]:
    hits = [
        {"text": p.text, "title": p.title, "author": p.author, "score": round(p.score, 6)}
        for p in passages
    ]
    return {"question": question, "hits": hits}


def _print_text(question: str, passages: list[Passage]) -> None:
    out = sys.stdout
    out.write(f"Q: {question}\n")
    for rank, passage in enumerate(passages, start=1):
        out.write(f"\n{rank}. {passage.title} — {passage.author} (score {passage.score:.4f})\n")
        out.write(textwrap.indent(textwrap.fill(passage.text, width=96), "   ") + "\n")
    out.write("\n")
