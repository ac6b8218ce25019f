"""Arrival times while another process holds the SQLite database locked.

Usage:
    python -m bench.lock_arrivals [--questions 6] [--hold 30] [--together]

Starts the real `pide-ayuda run` against the fake Discord and the fake chat server, lets another
process take the database's write lock for `--hold` seconds, and asks `--questions` /pregunta,
one after another (each once the previous answer is shown) or all at once with `--together`.
Prints the seconds from each question to its final answer on Discord, and whether the lock was
still held when the last answer arrived.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from bench.faults import PROCESS_ENV, build_template, fresh_run
from tests.discord.conftest import QUESTION, finished
from tests.discord.process import bot_process
from tests.discord.storage_faults import sqlite_locked_by_another_process
from tests.fakes.discord_server import FakeDiscord


async def _answer_seconds(discord: FakeDiscord, user: int) -> float:
    started = time.perf_counter()
    _, token = await discord.slash("pregunta", {"texto": QUESTION}, user_id=user)
    await discord.wait_until(lambda: finished(discord, token), within=120)
    return time.perf_counter() - started


async def measure(template: Path, questions: int, hold: float, together: bool) -> None:
    """Run the bot on a copy of `template`, lock the database, time the answers."""
    async with fresh_run(template, "lock-") as run:
        discord = run.discord
        async with bot_process(discord, run.workdir):
            await _answer_seconds(discord, 1000)  # warm: index loaded, model known
            database = run.data_dir / "pide-ayuda.sqlite3"
            async with sqlite_locked_by_another_process(database, hold) as locker:
                users = range(1001, 1001 + questions)
                if together:
                    times = await asyncio.gather(*(_answer_seconds(discord, u) for u in users))
                else:
                    times = [await _answer_seconds(discord, user) for user in users]
                held = locker.returncode is None
    print("answer seconds:", " ".join(f"{seconds:.2f}" for seconds in times))
    print(f"max {max(times):.2f} s; lock still held at the last answer: {held}")


async def main_async(questions: int, hold: float, together: bool) -> None:
    """Build the sample index once, then measure."""
    os.environ.update(PROCESS_ENV)
    with tempfile.TemporaryDirectory(prefix="locks-") as folder:
        template = await asyncio.to_thread(build_template, Path(folder))
        await measure(template, questions, hold, together)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=6)
    parser.add_argument("--hold", type=float, default=30.0, help="seconds the lock is held")
    parser.add_argument("--together", action="store_true", help="ask all questions at once")
    args = parser.parse_args()
    asyncio.run(main_async(args.questions, args.hold, args.together))


if __name__ == "__main__":
    main()
