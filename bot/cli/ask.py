"""`pide-ayuda ask`: answer one question in the terminal, streamed, and log the pair."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from contextlib import AsyncExitStack
from typing import Any

from bot import strings
from bot.config import Settings, load_settings
from bot.rag.answer import Answerer
from bot.rag.errors import QuestionError
from bot.rag.question import validate_question
from bot.rag.types import Answer
from bot.storage import open_database, open_recorder, outcome_of
from store.errors import StoreError
from store.recording import PairRecorder
from store.records import AskContext

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `ask` subcommand."""
    parser = subparsers.add_parser(
        "ask",
        help="answer a question from the keynotes (streams; extractive without LLM_BASE_URL)",
    )
    parser.add_argument("question", help="the question, in quotes")
    parser.add_argument(
        "--json",
        action="store_true",
        help=(
            'print {"answer", "notice", "status", "intent", "sources", "consulted", "model", '
            '"mode", "timings"} instead of streaming'
        ),
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Answer the question; exit 1 when it failed (a partial answer only warns)."""
    settings = load_settings()
    if not args.verbose:  # the outcome is reported below in one line; -v shows the log
        logging.getLogger("bot.rag").setLevel(logging.ERROR)
    answer = asyncio.run(ask(settings, args.question, stream=not args.json))
    if args.json:
        print(json.dumps(as_json(answer), ensure_ascii=False, indent=2))
    if answer.status == "error":
        if not _user_mistake(args.question, settings):  # else the Spanish message says it all
            print(f"error: {answer.error_cause}", file=sys.stderr)
        return 1
    if answer.status in ("partial", "fallback"):
        print(f"warning: {answer.status} answer: {answer.error_cause}", file=sys.stderr)
    return 0


def _user_mistake(question: str, settings: Settings) -> bool:
    """Tell whether the question itself was refused (empty or too long)."""
    try:
        validate_question(question, settings.question_max_chars)
    except QuestionError:
        return True
    return False


async def ask(settings: Settings, question: str, stream: bool) -> Answer:
    """Save the question, answer it (streaming to stdout when asked), record the outcome."""
    printer = _Printer()
    async with AsyncExitStack() as stack:
        recorder = await _recorder(settings, stack)
        record = await recorder.open(question, AskContext(surface="cli")) if recorder else None
        answerer = Answerer.from_settings(settings)
        stack.push_async_callback(answerer.aclose)
        streams = stream and answerer.chat is not None  # an extractive answer arrives in one piece
        answer = await answerer.answer(question, on_delta=printer.update if streams else None)
        if stream:
            printer.finish(answer)
        if recorder is not None and record is not None:
            recorder.finished(record, outcome_of(answer, "delivered"))
    return answer


async def _recorder(settings: Settings, stack: AsyncExitStack) -> PairRecorder | None:
    """Open the log (migrated to head) for surface "cli"; warn and go on without it on failure."""
    try:
        db = open_database(settings)
    except Exception as error:  # an unwritable data directory or a bad DATABASE_URL
        _not_logged(error)
        return None
    stack.push_async_callback(db.aclose)
    try:
        await db.upgrade()
    except Exception as error:
        _not_logged(error)
        return None
    recorder = open_recorder(db, settings)
    stack.push_async_callback(recorder.aclose)
    await _interrupt_dead_questions(recorder)
    return recorder


async def _interrupt_dead_questions(recorder: PairRecorder) -> None:
    """Mark `interrupted` the questions a process of this host left when it died (e.g. killed)."""
    try:
        await recorder.interrupt_unfinished(lambda guild_id: False)  # a bot's live rows stay
    except StoreError as error:
        log.warning("could not mark unfinished answers of a dead process: %s", error)


def _not_logged(error: Exception) -> None:
    log.warning("could not log the question: %s", error)
    print(f"warning: the question was not logged: {error}", file=sys.stderr)


def as_json(answer: Answer) -> dict[str, Any]:
    """Return the `--json` document: `consulted` lists every passage given, `sources` the cited."""
    return {
        "answer": answer.text,
        "notice": answer.notice,
        "status": answer.status,
        "intent": answer.intent,
        "sources": [
            {"kind": s.kind, "title": s.title, "author": s.author, "quote": s.quote}
            for s in answer.sources
        ],
        "consulted": [
            {
                "title": p.title,
                "author": p.author,
                "talk_id": p.talk_id,
                "chunk_id": p.chunk_id,
                "chunk_ids": list(p.chunk_ids),
                "score": p.score,
            }
            for p in answer.passages
        ],
        "model": answer.model,
        "mode": answer.mode,
        "timings": answer.timings,
    }


class _Printer:
    """Print streamed text as it grows, then the rest of the answer, its notice and sources."""

    def __init__(self) -> None:
        self.shown = ""

    async def update(self, text: str) -> None:
        if text.startswith(self.shown):
            sys.stdout.write(text[len(self.shown) :])
            sys.stdout.flush()
            self.shown = text

    def finish(self, answer: Answer) -> None:
        notice = f"{answer.notice}\n\n" if answer.notice else ""
        if self.shown and answer.text.startswith(self.shown):  # the stream was the answer
            sys.stdout.write(f"{answer.text[len(self.shown) :]}\n")
            if answer.notice:
                sys.stdout.write(f"\n{answer.notice}\n")
        else:  # nothing streamed, or the stream was replaced (fallback)
            sys.stdout.write(f"{chr(10) * 2 if self.shown else ''}{notice}{answer.text}\n")
        if answer.sources:
            sys.stdout.write(f"\n{strings.SOURCES_HEADER.strip('*')}\n")
            for number, source in enumerate(answer.sources, start=1):
                sys.stdout.write(f"[{number}] «{source.title}» — {source.author}\n")
                sys.stdout.write(f'    "{source.quote}"\n')
        elif answer.passages and answer.status in ("answered", "partial"):
            sys.stdout.write(f"\n{strings.CONSULTED_HEADER.replace('*', '')}\n")
            for title, author in dict.fromkeys((p.title, p.author) for p in answer.passages):
                sys.stdout.write(f"- «{title}» — {author}\n")
        sys.stdout.flush()
