"""Run the unchanged `pide-ayuda run` entry point as its own process against the fake Discord."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.fakes.discord_server import FakeDiscord

SITE = Path(__file__).parent / "site"
ENTRY_POINT = Path(sys.executable).parent / "pide-ayuda"


def process_env(**extra: str) -> dict[str, str]:
    """Return this test's environment plus `extra`, with the fake-Discord shim on PYTHONPATH."""
    env = {**os.environ, **extra}
    env["PYTHONPATH"] = os.pathsep.join([str(SITE), env.get("PYTHONPATH", "")])
    return env


async def pide_ayuda(*args: str, **env: str) -> tuple[int, str]:
    """Run one `pide-ayuda` command as its own process; return its exit code and output."""
    process = await asyncio.create_subprocess_exec(
        str(ENTRY_POINT),
        *args,
        env=process_env(**env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 120)
    return int(process.returncode or 0), out.decode()


@dataclass
class BotProcess:
    """A running `pide-ayuda run` and the file its log goes to."""

    process: asyncio.subprocess.Process
    log_path: Path

    def log(self) -> str:
        """Return what the process logged so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """SIGKILL the process: nothing of it runs any more (no shutdown, no flush)."""
        self.process.kill()


@asynccontextmanager
async def bot_process(
    fake: FakeDiscord,
    workdir: Path,
    name: str = "bot",
    options: str = "",
    **env: str,
) -> AsyncIterator[BotProcess]:
    """Start `pide-ayuda [options] run`; wait until it identified to the fake; SIGTERM at end.

    `options`: space-separated, e.g. "-v" (a string, so that `**env` mappings type-check).
    """
    fake.ready.clear()
    log_path = workdir / f"{name}.log"
    with log_path.open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            str(ENTRY_POINT),
            *options.split(),
            "run",
            env=process_env(PIDE_AYUDA_FAKE_DISCORD=fake.base_url, LOG_LEVEL="INFO", **env),
            stderr=log,
            cwd=workdir,
        )
    running = BotProcess(process, log_path)
    try:
        await asyncio.wait_for(fake.ready.wait(), 120)
        yield running
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()
