"""Measure the bot under 50 simultaneous `/pregunta`: defer latency and event-loop stalls.

Usage (from the repository root):
    python -m bench.discord_load [--users 50] [--rounds 3] [--answer-seconds 1] [--data-dir DIR]

The real bot (AssistantBot, Answerer, QALog, Index on the bundled sample) runs against the fake
Discord and a fake chat server that takes `--answer-seconds` before its first token, all on
127.0.0.1 in one event loop. Per round, `--users` distinct users send `/pregunta` at once.
Reported: time from INTERACTION_CREATE leaving the fake gateway to the defer callback reaching the
fake REST API (p50/p99/max), the worst event-loop stall (a 10 ms ticker's lateness), the longest gap
between gateway heartbeats (interval 1 s), and the time until every answer was final. The fakes
share the loop with the bot, so the figures are an upper bound for the bot alone.
Targets (issue 5): defer p99 < 250 ms, no stall > 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import tempfile
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

import discord
import yarl

from bot.cli.run import open_services
from bot.config import load_settings
from bot.rag.ingest import ingest
from cogs.client import AssistantBot
from tests.fakes.chat_server import FakeChatServer
from tests.fakes.discord_server import FakeDiscord

QUESTION = "¿Qué es la búsqueda semántica y cómo se relaciona con las bases de datos vectoriales?"
REPLY = "La búsqueda semántica compara significados con vectores [1]."


class StallMeter:
    """Record how late a 10 ms ticker wakes up: the event loop's worst stall."""

    def __init__(self, tick: float = 0.01) -> None:
        self.tick = tick
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(self.tick)
            self.worst = max(self.worst, time.perf_counter() - start - self.tick)

    def start(self) -> None:
        self.worst = 0.0
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> float:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        return self.worst


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def one_round(fake: FakeDiscord, users: int, offset: int) -> dict[str, float]:
    meter = StallMeter()
    beats_before = len(fake.heartbeats)
    meter.start()
    started = time.perf_counter()
    sent = await asyncio.gather(
        *(
            fake.slash("pregunta", {"texto": f"{QUESTION} ({n})"}, user_id=offset + n)
            for n in range(users)
        )
    )
    tokens = [token for _, token in sent]
    await fake.wait_until(
        lambda: all(fake.originals.get(t, {}).get("components") for t in tokens), within=300
    )
    total = time.perf_counter() - started
    stall = await meter.stop()
    defers = [(fake.callbacks[i][0] - fake.interactions_sent[i]) * 1000 for i, _ in sent]
    beats = fake.heartbeats[beats_before:]
    gaps = [later - earlier for earlier, later in pairwise(beats)] or [0.0]
    return {
        "defer_p50_ms": round(statistics.median(defers), 1),
        "defer_p99_ms": round(percentile(defers, 0.99), 1),
        "defer_max_ms": round(max(defers), 1),
        "worst_stall_ms": round(stall * 1000, 1),
        "max_heartbeat_gap_s": round(max(gaps), 2),
        "all_answered_s": round(total, 1),
    }


async def bench(args: argparse.Namespace, data_dir: Path) -> list[dict[str, float]]:
    fake, llm = FakeDiscord(heartbeat_interval_ms=1000), FakeChatServer()
    await fake.start()
    await llm.start()
    llm.reply, llm.first_token_delay = REPLY, args.answer_seconds
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    os.environ.update(
        PIDE_AYUDA_DATA_DIR=str(data_dir),
        LLM_BASE_URL=llm.base_url,
        LLM_MODEL=llm.model,
        DEV_GUILD_ID=fake.guild_id,
        USER_COOLDOWN_SECONDS="0",
    )
    results = []
    try:
        async with (
            open_services(load_settings()) as services,
            AssistantBot(services, guild_ready_timeout=0.1) as bot,
        ):
            runner = asyncio.create_task(bot.start("bench-token"))
            await bot.wait_until_ready()
            for number in range(args.rounds):
                results.append(await one_round(fake, args.users, 10_000 * (number + 1)))
                print(json.dumps({"round": number + 1, **results[-1]}), flush=True)
            await bot.close()
            await runner
    finally:
        await llm.stop()
        await fake.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--answer-seconds", type=float, default=1.0)
    parser.add_argument("--data-dir", type=Path, help="a data dir with an index (default: build)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    with tempfile.TemporaryDirectory(prefix="discord-load-") as tmp:
        data_dir = args.data_dir or Path(tmp)
        if args.data_dir is None:
            os.environ["PIDE_AYUDA_DATA_DIR"] = str(data_dir)
            ingest(load_settings(), "sample", progress=False)
        results = asyncio.run(bench(args, data_dir))
    worst: dict[str, Any] = {key: max(r[key] for r in results) for key in results[0]}
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(json.dumps({"worst_of_rounds": worst, "users": args.users, "machine": machine}))


if __name__ == "__main__":
    main()
