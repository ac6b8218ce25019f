"""Measure the memory of a real `pide-ayuda run` process: at start and after answering questions.

Usage (from the repository root, with an ingested data dir):
    python -m bench.run_memory --data-dir DIR [--questions 30]

The process is the unchanged entry point, pointed at the fake Discord by
tests/discord/site/sitecustomize.py; the chat LLM is the fake server (so the figure is the bot's
own footprint: embedded Chroma, the multilingual-e5-small embedder, SQLite, discord.py).
Reports VmRSS after start-up, VmRSS after the questions and VmHWM (peak), in MB, from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import signal
import sys
from pathlib import Path

from tests.fakes.chat_server import FakeChatServer
from tests.fakes.discord_server import FakeDiscord

SITE = Path(__file__).resolve().parent.parent / "tests" / "discord" / "site"
QUESTION = "¿Qué es la búsqueda semántica y cómo se relaciona con las bases de datos vectoriales?"


def answered(fake: FakeDiscord, token: str) -> bool:
    return bool(fake.originals.get(token, {}).get("components"))


def memory_mb(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return fields


async def measure(data_dir: Path, questions: int) -> dict[str, object]:
    fake, llm = FakeDiscord(), FakeChatServer()
    await fake.start()
    await llm.start()
    llm.reply = "La búsqueda semántica compara significados con vectores [1]."
    env = {
        **os.environ,
        "PYTHONPATH": str(SITE),
        "PIDE_AYUDA_FAKE_DISCORD": fake.base_url,
        "PIDE_AYUDA_DATA_DIR": str(data_dir),
        "DISCORD_TOKEN": "bench-token",
        "DEV_GUILD_ID": fake.guild_id,
        "LLM_BASE_URL": llm.base_url,
        "LLM_MODEL": llm.model,
        "USER_COOLDOWN_SECONDS": "0",
        "HF_HUB_OFFLINE": "1",
    }
    entry = Path(sys.executable).parent / "pide-ayuda"
    process = await asyncio.create_subprocess_exec(str(entry), "run", env=env)
    try:
        await asyncio.wait_for(fake.ready.wait(), 120)
        started = memory_mb(process.pid)
        for number in range(questions):
            _, token = await fake.slash("pregunta", {"texto": QUESTION}, user_id=100 + number)
            await fake.wait_until(functools.partial(answered, fake, token))
        after = memory_mb(process.pid)
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
    finally:
        if process.returncode is None:
            process.kill()
        await llm.stop()
        await fake.stop()
    return {
        "rss_after_start_mb": started["VmRSS"],
        "rss_after_questions_mb": after["VmRSS"],
        "peak_mb": after["VmHWM"],
        "questions": questions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--questions", type=int, default=30)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.data_dir.resolve(), args.questions))))


if __name__ == "__main__":
    main()
