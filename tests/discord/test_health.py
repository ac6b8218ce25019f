"""/healthz, /metrics and JSON logs of a real `pide-ayuda run` process against the fake Discord."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from tests.discord.conftest import QUESTION, finished
from tests.discord.process import ENTRY_POINT
from tests.discord.process import process_env as _env
from tests.fakes.chat_server import FakeChatServer, server_error
from tests.fakes.discord_server import FakeDiscord
from tests.ports import free_port


@asynccontextmanager
async def running(fake: FakeDiscord, log_path: Path, **env: str) -> AsyncIterator[str]:
    """Run `pide-ayuda run` with the health server on; yield its base URL; SIGTERM at the end."""
    port = free_port()
    settings = {"PIDE_AYUDA_FAKE_DISCORD": fake.base_url, "METRICS_PORT": str(port), **env}
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            str(ENTRY_POINT), "run", env=_env(**settings), stderr=log, cwd=log_path.parent
        )
        try:
            await asyncio.wait_for(fake.ready.wait(), 120)
            yield f"http://127.0.0.1:{port}"
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), 30) == 0, "see the bot's log"
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def health_until(base: str, status: int, within: float = 60) -> dict[str, Any]:
    """Poll /healthz until it answers `status`; return its JSON."""
    async with asyncio.timeout(within):
        while True:
            try:
                code, body = await get(f"{base}/healthz")
                if code == status:
                    return dict(json.loads(body))
            except aiohttp.ClientConnectionError:
                pass  # not serving yet
            await asyncio.sleep(0.1)


def sample(metrics_text: str, name: str, **labels: str) -> float | None:
    """Return the value of one sample of the Prometheus text, or None when absent."""
    for family in text_string_to_metric_families(metrics_text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return float(found.value)
    return None


async def test_healthz_and_metrics_follow_the_process(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, sample_data_dir: Path, tmp_path: Path
):
    async with running(fake_discord, tmp_path / "bot.log", LOG_LEVEL="INFO") as base:
        report = await health_until(base, 200)
        assert report["gateway_connected"] and report["database_writable"]
        assert report["index_loaded"] and report["spool_pending"] == 0
        assert report["llm_configured"] and report["llm_last_success"] is None

        _, token = await fake_discord.slash("pregunta", {"texto": QUESTION})
        await fake_discord.wait_until(lambda: finished(fake_discord, token))
        bot_env.fail_with, bot_env.fail_times = server_error(), 1
        _, failed = await fake_discord.slash("pregunta", {"texto": QUESTION}, user_id=1002)
        await fake_discord.wait_until(lambda: finished(fake_discord, failed))

        assert (await health_until(base, 200))["llm_last_success"] is not None
        code, text = await get(f"{base}/metrics")
        assert code == 200
        assert sample(text, "pide_ayuda_questions_total", surface="slash", status="answered") == 1
        assert sample(text, "pide_ayuda_questions_total", surface="slash", status="fallback") == 1
        assert sample(text, "pide_ayuda_llm_errors_total", cause="server_error") == 1
        for stage in ("retrieval", "first_token", "total"):
            assert sample(text, "pide_ayuda_answer_seconds_count", stage=stage), stage
        assert sample(text, "pide_ayuda_answers_in_flight") == 0
        assert sample(text, "pide_ayuda_spool_pending") == 0
        await fake_discord.wait_until(lambda: len(fake_discord.heartbeats) >= 2)
        _, text = await get(f"{base}/metrics")
        assert sample(text, "pide_ayuda_gateway_latency_seconds", shard="0") is not None

        # Discord unreachable: 503 until the bot is connected again
        fake_discord.refuse_gateway = True
        await fake_discord.drop_gateway()
        down = await health_until(base, 503)
        assert not down["gateway_connected"] and down["database_writable"]
        fake_discord.refuse_gateway = False
        await health_until(base, 200)

        # the database cannot be written while another writer holds it
        holder = sqlite3.connect(sample_data_dir / "pide-ayuda.sqlite3")
        try:
            holder.execute("BEGIN EXCLUSIVE")
            locked = await health_until(base, 503)
            assert locked["gateway_connected"] and not locked["database_writable"]
        finally:
            holder.rollback()
            holder.close()
        await health_until(base, 200)


async def test_json_logs_carry_one_question_id_along_the_question_path(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, sample_data_dir: Path, tmp_path: Path
):
    log_path = tmp_path / "bot.log"
    async with running(fake_discord, log_path, LOG_LEVEL="INFO", LOG_FORMAT="json") as base:
        await health_until(base, 200)
        _, token = await fake_discord.slash("pregunta", {"texto": QUESTION})
        await fake_discord.wait_until(lambda: finished(fake_discord, token))
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    path = [entry for entry in lines if "question_id" in entry]
    assert {entry["question_id"] for entry in path} == {path[0]["question_id"]}
    messages = " | ".join(entry["message"] for entry in path)
    assert "saved" in messages and "answered, delivered" in messages, messages
    assert any(entry["message"] == "stopped cleanly" for entry in lines)
