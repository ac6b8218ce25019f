"""A `pide-ayuda ask` killed mid-answer leaves a row the next process marks `interrupted`."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import sys
from pathlib import Path

from tests.answer.cli_process import run_command
from tests.fakes.chat_server import FakeChatServer
from tests.waiting import eventually

QUESTION = "¿Qué es la búsqueda semántica?"


def _rows(data_dir: Path) -> list[tuple[object, ...]]:
    """Return the rows, or none while the process has not created the table yet."""
    path = data_dir / "pide-ayuda.sqlite3"
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            return db.execute("SELECT question, status, owner FROM qa_pairs ORDER BY id").fetchall()
    except sqlite3.OperationalError:  # no file or no table yet
        return []


async def _slow_ask(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "ask",
        QUESTION,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def test_the_next_cli_marks_a_killed_ask_interrupted_and_spares_a_live_one(
    fake_llm: FakeChatServer, sample_data_dir: Path
) -> None:
    env = {"LLM_BASE_URL": fake_llm.base_url, "LLM_MODEL": fake_llm.model}
    fake_llm.first_token_delay = 120  # each ask below is still answering when it is looked at
    killed = await _slow_ask(env)
    await eventually(lambda: _rows(sample_data_dir), within=60)
    killed.kill()
    await killed.wait()
    live = await _slow_ask(env)
    try:
        await eventually(lambda: len(_rows(sample_data_dir)) == 2, within=60)
        (_, _, owner), _ = _rows(sample_data_dir)
        assert str(owner).split(":")[1] == str(killed.pid)  # host:pid:token

        code, _, err = await run_command("ask", QUESTION, env={})  # extractive: no wait
        assert code == 0, err
        statuses = [status for _, status, _ in _rows(sample_data_dir)]
        assert statuses == ["interrupted", "in_progress", "answered"]  # the live ask is spared
    finally:
        if live.returncode is None:
            live.kill()
        await live.wait()
