"""Two `pide-ayuda run` processes (shards 0 and 1 of 2) on one PostgreSQL and one Chroma server."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot import strings
from bot.config import load_settings
from bot.rag.ingest import ingest
from tests.discord.conftest import QUESTION, finished
from tests.discord.process import ENTRY_POINT
from tests.discord.process import process_env as _env
from tests.fakes.chat_server import FakeChatServer
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.discord_shards import FakeGuild, shard_of
from tests.rag.conftest import TINY_TALKS, chroma_server, tiny_corpus  # noqa: F401
from tests.store.postgres import postgres_server, postgres_url  # noqa: F401

SESEO = "¿Dónde se da el seseo?"


@asynccontextmanager
async def shard_process(
    fake: FakeDiscord, shard: int, workdir: Path, **env: str
) -> AsyncIterator[Path]:
    """Run `pide-ayuda run` for one shard of two, with its own data directory; yield its log."""
    await asyncio.to_thread(workdir.mkdir)
    log_path = workdir / "bot.log"
    settings = {
        "PIDE_AYUDA_FAKE_DISCORD": fake.base_url,
        "PIDE_AYUDA_DATA_DIR": str(workdir / "data"),
        "SHARD_COUNT": "2",
        "SHARD_IDS": str(shard),
        "DEV_GUILD_ID": "",  # global commands: the servers are many
        "LOG_LEVEL": "INFO",
        **env,
    }
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            str(ENTRY_POINT), "run", env=_env(**settings), stderr=log, cwd=workdir
        )
        try:
            yield log_path
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), 60) == 0, f"see {log_path}"
        except BaseException:
            tail = (await asyncio.to_thread(log_path.read_text))[-4000:]
            print(f"--- shard {shard} log (exit {process.returncode}) ---\n{tail}")
            raise
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()


async def ask_in(fake: FakeDiscord, guild: FakeGuild, question: str, user_id: int) -> str:
    """Ask with /pregunta in `guild`, wait for the final answer; return the interaction id."""
    interaction_id, token = await fake.slash_in(
        guild, "pregunta", {"texto": question}, user_id=user_id
    )
    await fake.wait_until(lambda: finished(fake, token), within=120)
    return interaction_id


async def query(url: str, sql: str) -> list[Any]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(text(sql))).all())
    finally:
        await engine.dispose()


@pytest.mark.timeout(900)  # two bot processes, and /reindexar embeds the whole sample
async def test_two_shard_processes_share_one_database_and_one_index(
    bot_env: FakeChatServer,
    fake_discord: FakeDiscord,
    chroma_server: str,  # noqa: F811
    postgres_url: str,  # noqa: F811
    tiny_corpus: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("CHROMA_URL", chroma_server)
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    await asyncio.to_thread(ingest, load_settings(), str(tiny_corpus), progress=False)
    fake_discord.shard_count = 2
    first, second = fake_discord.add_guild(shard=0), fake_discord.add_guild(shard=1)
    assert (shard_of(first.id, 2), shard_of(second.id, 2)) == (0, 1)

    async with AsyncExitStack() as stack:
        for shard in (0, 1):
            await stack.enter_async_context(
                shard_process(fake_discord, shard, tmp_path / f"shard{shard}")
            )
        await fake_discord.wait_until(lambda: fake_discord.ready_shards == {0, 1}, within=180)
        await fake_discord.wait_until(lambda: len(fake_discord.find("PUT", "/commands$")) == 2)
        assert fake_discord.shard_problems == []
        assert sorted(i["shard"] for i in fake_discord.identifies) == [[0, 2], [1, 2]]

        asked = [
            await ask_in(fake_discord, g, SESEO, 4000 + n) for n, g in enumerate((first, second))
        ]
        for interaction_id in asked:  # each question reached one process and was answered once
            assert len(fake_discord.find("POST", rf"/interactions/{interaction_id}/")) == 1
        assert len(bot_env.requests) == 2
        # Outcomes are written after delivery, off the reply path: wait for both.
        answered = [(int(first.id), "answered"), (int(second.id), "answered")]
        statuses = "SELECT guild_id, status FROM qa_pairs ORDER BY id"
        async with asyncio.timeout(30):
            # Another process writes the rows: there is nothing to await but time.
            while await query(postgres_url, statuses) != answered:  # noqa: ASYNC110
                await asyncio.sleep(0.1)

        interaction_id, token = await fake_discord.slash_in(
            first, "reindexar", {"fuente": "sample"}, moderator=True
        )
        done = strings.REINDEX_DONE.split("{", 1)[0]
        await fake_discord.wait_until(
            lambda: fake_discord.originals.get(token, {}).get("content", "").startswith(done),
            within=600,
        )
        await ask_in(fake_discord, second, QUESTION, 4002)  # the other process, after the swap
        sources = (
            "SELECT s.title FROM pair_sources s JOIN qa_pairs q ON q.id = s.pair_id"
            " WHERE q.user_id = 4002"
        )
        async with asyncio.timeout(30):  # its row is written after delivery, as above
            # Another process writes the row: there is nothing to await but time.
            while not (titles := await query(postgres_url, sources)):  # noqa: ASYNC110
                await asyncio.sleep(0.1)
        tiny_titles = {talk["Nombre"] for talk in TINY_TALKS}
        assert titles and not {title for (title,) in titles} & tiny_titles, titles
