"""Fault run: the real `pide-ayuda run` process against the fake Discord and a fault-injecting LLM.

Usage:
    python -m bench.faults [--only NAME ...]

For every fault it starts the unchanged entry point (as the tests do), asks one /pregunta while
the fault holds, and waits for the outcome. It prints a Markdown table: what the user saw, how
long until the answer (or notice) was final, the row's status and delivery, whether anything was
spooled, and whether a traceback reached the log. Add a fault by adding a `Fault` to `FAULTS`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.config import load_settings
from bot.rag.ingest import ingest
from tests.discord.conftest import QUESTION, finished, rows
from tests.discord.process import bot_process
from tests.fakes.chat_server import FakeChatServer, server_error
from tests.fakes.discord_server import FakeDiscord
from tests.waiting import eventually

ORIGINAL = r"/webhooks/\d+/tok-\d+/messages/@original"
FOLLOW_UP = r"/webhooks/\d+/tok-\d+$"
FINAL = "SELECT status, delivery FROM qa_pairs WHERE status != 'in_progress'"
LONG_REPLY = "".join(
    f"El punto {n} de la charla: la búsqueda semántica compara significados [1]. "
    for n in range(40)
)


@dataclass
class Run:
    """What one fault run is made of."""

    discord: FakeDiscord
    llm: FakeChatServer
    data_dir: Path
    workdir: Path
    question: str = QUESTION


Step = Callable[[Run], Awaitable[None]]


async def _nothing(run: Run) -> None:
    """No fault."""


@dataclass(frozen=True)
class Fault:
    """A fault: set it up before the question, clear it once the user saw the outcome."""

    name: str
    before: Step = _nothing
    after: Step = _nothing


def _db(run: Run) -> Path:
    return run.data_dir / "pide-ayuda.sqlite3"


_locks: dict[Path, sqlite3.Connection] = {}


async def _lock(run: Run) -> None:
    other = sqlite3.connect(_db(run), isolation_level=None, timeout=30)
    other.execute("BEGIN EXCLUSIVE")
    _locks[_db(run)] = other


async def _unlock(run: Run) -> None:
    other = _locks.pop(_db(run))
    other.execute("ROLLBACK")
    other.close()


async def _immutable(run: Run) -> None:
    await asyncio.to_thread(subprocess.run, ["chattr", "+i", str(_db(run))], check=True)


async def _mutable(run: Run) -> None:
    await asyncio.to_thread(subprocess.run, ["chattr", "-i", str(_db(run))], check=True)


async def _llm_down(run: Run) -> None:
    run.llm.fail_with = server_error()


async def _rate_limit_edits(run: Run) -> None:
    run.discord.rate_limit("PATCH", ORIGINAL, times=10_000, retry_after=0.01)


async def _expired_token(run: Run) -> None:
    run.discord.fail("PATCH", ORIGINAL, 404, 10015, "Unknown Webhook", times=10_000)


async def _broken_follow_ups(run: Run) -> None:
    run.llm.reply = LONG_REPLY
    run.discord.fail("POST", FOLLOW_UP, 500, 0, "Internal Server Error", times=10_000)


async def _lone_surrogate(run: Run) -> None:
    run.question = f"{QUESTION} \ud800"


FAULTS = (
    Fault("none"),
    Fault("LLM down (500 on every request)", _llm_down),
    Fault("database locked by another process (BEGIN EXCLUSIVE)", _lock, _unlock),
    Fault("database file read-only, then writable (chattr +i / -i)", _immutable, _mutable),
    Fault("429 on every edit of the response", _rate_limit_edits),
    Fault("interaction token expired (404, code 10015)", _expired_token),
    Fault("500 on every follow-up (long answer)", _broken_follow_ups),
    Fault("lone surrogate in the question (orjson rejects the frame)", _lone_surrogate),
)


async def _outcome(run: Run) -> tuple[str, str]:
    """Wait for the row's final status; return (status, delivery)."""
    await eventually(lambda: rows(run.data_dir, FINAL), within=120)
    status, delivery = rows(run.data_dir, FINAL)[0]
    return str(status), str(delivery)


@asynccontextmanager
async def fresh_run(template: Path, prefix: str) -> AsyncIterator[Run]:
    """Copy `template` as the data dir and start the fake Discord and chat server for a bot."""
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        data_dir = Path(folder) / "data"
        shutil.copytree(template, data_dir)
        os.environ["PIDE_AYUDA_DATA_DIR"] = str(data_dir)
        discord, llm = FakeDiscord(heartbeat_interval_ms=1000), FakeChatServer()
        await discord.start()
        await llm.start()
        os.environ.update(LLM_BASE_URL=llm.base_url, DEV_GUILD_ID=discord.guild_id)
        try:
            yield Run(discord, llm, data_dir, Path(folder))
        finally:
            await discord.stop()
            await llm.stop()


async def measure(fault: Fault, template: Path) -> dict[str, str]:
    """Run one fault in a fresh data directory and describe what happened."""
    async with fresh_run(template, "fault-") as run:
        discord, data_dir = run.discord, run.data_dir
        async with bot_process(discord, run.workdir) as bot:
            try:
                await fault.before(run)
                started = time.perf_counter()
                _, token = await discord.slash("pregunta", {"texto": run.question})
                await eventually(
                    lambda: finished(discord, token) or rows(data_dir, FINAL), within=120
                )
                seen = time.perf_counter() - started
                await fault.after(run)
                status, delivery = await _outcome(run)
            except TimeoutError:
                print(f"fault {fault.name!r} did not settle; the bot logged:\n{bot.log()}")
                raise
            spooled = (data_dir / "unlogged-pairs.jsonl").exists()
            shown = discord.originals[token]["content"].replace("\n", " ")
            if not finished(discord, token):
                shown = "nothing: Discord refused every edit (still «thinking…»)"
        log = bot.log()
    return {
        "fault": fault.name,
        "user saw": shown[:70] + ("…" if len(shown) > 70 else ""),
        "outcome after": f"{seen:.1f} s",
        "row status": status,
        "delivery": delivery,
        "still spooled": "yes" if spooled else "no",
        "traceback": "yes" if "Traceback" in log else "no",
    }


# What every benchmarked `pide-ayuda run` gets: the fake chat model, no cooldown, a fast replay.
PROCESS_ENV = {
    "LLM_MODEL": "fake-chat-1",
    "LLM_MAX_RETRIES": "0",
    "DISCORD_TOKEN": "fake-token",
    "USER_COOLDOWN_SECONDS": "0",
    "SPOOL_REPLAY_SECONDS": "1",
    "ANONYMIZED_TELEMETRY": "False",
}


def build_template(folder: Path) -> Path:
    """Ingest the bundled sample once; every fault starts from a copy."""
    template = folder / "template"
    os.environ["PIDE_AYUDA_DATA_DIR"] = str(template)
    ingest(load_settings(), "sample", progress=False)
    return template


async def main_async(only: list[str]) -> None:
    """Run the chosen faults and print the table."""
    os.environ.update(PROCESS_ENV)
    with tempfile.TemporaryDirectory(prefix="faults-") as folder:
        template = await asyncio.to_thread(build_template, Path(folder))
        results = [
            await measure(fault, template)
            for fault in FAULTS
            if not only or any(word in fault.name for word in only)
        ]
    columns = list(results[0])
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for result in results:
        print("| " + " | ".join(result[c].replace("|", "\\|") for c in columns) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="run faults whose name has a word")
    asyncio.run(main_async(parser.parse_args().only))


if __name__ == "__main__":
    main()
