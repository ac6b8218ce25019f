"""The real bot (real Answerer, QALog, Index) against the fake Discord and the fake chat LLM."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
import pytest
import yarl

from bot.cli.run import open_services
from bot.config import load_settings
from bot.services import Services
from cogs.client import AssistantBot
from cogs.support.render import STREAMING_CURSOR
from tests.fakes.chat_server import FakeChatServer, fake_llm  # noqa: F401
from tests.fakes.discord_server import FakeDiscord
from tests.fixtures.corpus import built_sample_index, sample_data_dir  # noqa: F401
from tests.waiting import eventually

QUESTION = "¿Qué es la búsqueda semántica y cómo se relaciona con las bases de datos vectoriales?"
REPLY = (
    "La búsqueda semántica compara significados con vectores [1]. "
    "Las bases de datos vectoriales la sirven [1]."
)


@dataclass
class DiscordLogs:
    """discord.py log records at WARNING or above; tests declare the ones they expect."""

    records: list[logging.LogRecord] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)

    def expect(self, fragment: str) -> None:
        """Allow warnings whose message contains `fragment`."""
        self.expected.append(fragment)

    def unexpected(self) -> list[str]:
        """Return the messages of records nobody expected."""
        messages = [r.getMessage() for r in self.records]
        return [m for m in messages if not any(f in m for f in self.expected)]


class _Collector(logging.Handler):
    def __init__(self, logs: DiscordLogs) -> None:
        super().__init__(logging.WARNING)
        self.logs = logs

    def emit(self, record: logging.LogRecord) -> None:
        self.logs.records.append(record)


@pytest.fixture
def discord_logs() -> Iterator[DiscordLogs]:
    """Fail the test on any discord.py warning or error it did not declare."""
    logs = DiscordLogs()
    handler = _Collector(logs)
    logger = logging.getLogger("discord")
    logger.addHandler(handler)
    try:
        yield logs
    finally:
        logger.removeHandler(handler)
    assert not logs.unexpected(), f"discord.py logged: {logs.unexpected()}"


@pytest.fixture
async def fake_discord(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """Start the fake Discord and point discord.py at it."""
    fake = FakeDiscord(heartbeat_interval_ms=1000)
    await fake.start()
    monkeypatch.setattr(discord.http.Route, "BASE", fake.api_base)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url)
    )
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
def bot_env(
    monkeypatch: pytest.MonkeyPatch,
    sample_data_dir: Path,  # noqa: F811
    fake_llm: FakeChatServer,  # noqa: F811
    fake_discord: FakeDiscord,
) -> FakeChatServer:
    """Configure the bot through the environment, as an operator would."""
    fake_llm.reply = REPLY
    for name, value in {
        "LLM_BASE_URL": fake_llm.base_url,
        "LLM_MODEL": fake_llm.model,
        "LLM_MAX_RETRIES": "0",
        "DEV_GUILD_ID": fake_discord.guild_id,
        "MODERATOR_ROLE_ID": fake_discord.moderator_role_id,
        "USER_COOLDOWN_SECONDS": "0",
        "DISCORD_TOKEN": "fake-token",
    }.items():
        monkeypatch.setenv(name, value)
    return fake_llm


@dataclass
class Running:
    """A connected bot and what it runs on."""

    bot: AssistantBot
    services: Services
    fake: FakeDiscord
    llm: FakeChatServer


StartBot = Callable[..., AbstractAsyncContextManager[Running]]


@pytest.fixture
def start_bot(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, discord_logs: DiscordLogs
) -> StartBot:
    """Return a context manager that runs the bot until the block ends."""

    @asynccontextmanager
    async def running(**env: str) -> AsyncIterator[Running]:
        with pytest.MonkeyPatch.context() as patch:
            for name, value in env.items():
                patch.setenv(name, value)
            settings = load_settings()
        async with open_services(settings) as services:
            bot = AssistantBot(services, guild_ready_timeout=0.1)
            task = asyncio.create_task(bot.start("fake-token"))
            ready = asyncio.create_task(bot.wait_until_ready())
            done, _ = await asyncio.wait({task, ready}, timeout=30, return_when="FIRST_COMPLETED")
            if task in done:
                task.result()  # surface a crash in start-up
            assert ready in done, "the bot never became ready"
            try:
                yield Running(bot, services, fake_discord, bot_env)
            finally:
                await bot.close()
                await asyncio.wait_for(task, 10)

    return running


async def ask(fake: FakeDiscord, question: str = QUESTION, user_id: int = 1001) -> str:
    """Ask with /pregunta and wait for the final edit (the one that removes 'thinking')."""
    _, token = await fake.slash("pregunta", {"texto": question}, user_id=user_id)
    await fake.wait_until(lambda: finished(fake, token))
    await eventually(lambda: not unfinished_rows(load_settings().data_dir))  # written off-path
    return token


def finished(fake: FakeDiscord, token: str) -> bool:
    """Tell whether the response of `token` shows a final text (not thinking, not streaming)."""
    original = fake.originals.get(token)
    if original is None or not original["edited_timestamp"]:
        return False
    return not original["content"].endswith(STREAMING_CURSOR)


def unfinished_rows(data_dir: Path) -> list[tuple[Any, ...]]:
    """Return the keys of questions whose outcome is not written yet."""
    return rows(data_dir, "SELECT key FROM qa_pairs WHERE status = 'in_progress'")


def rows(data_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    """Run a query on the bot's SQLite database."""
    with sqlite3.connect(data_dir / "pide-ayuda.sqlite3") as db:
        return db.execute(sql).fetchall()
