"""Storage faults met by the real `pide-ayuda run`: a lock held by another process, a full disk,
a poisoned spool entry. Answers keep reaching users and no question is lost.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.storage import outcome_of
from store.backlog import failures_path
from store.models import utcnow
from store.records import AskContext, QuestionRecord, new_key
from store.spool import SPOOL_FILE, Finished, encode
from tests.discord.conftest import QUESTION, finished, rows
from tests.discord.process import bot_process
from tests.discord.storage_faults import fill, small_filesystem, sqlite_locked_by_another_process
from tests.fakes.chat_server import FakeChatServer
from tests.fakes.discord_server import FakeDiscord
from tests.ports import free_port
from tests.store.conftest import make_answer
from tests.waiting import eventually

DATABASE = "pide-ayuda.sqlite3"
ANSWERED = "SELECT user_id FROM qa_pairs WHERE status = 'answered' ORDER BY user_id"


def _shown_with_buttons(fake: FakeDiscord, token: str) -> bool:
    message = fake.originals.get(token) or {}
    return finished(fake, token) and bool(message.get("components"))


async def _ask_and_see_the_answer(fake: FakeDiscord, user: int) -> None:
    _, token = await fake.slash("pregunta", {"texto": QUESTION}, user_id=user)
    await fake.wait_until(lambda: _shown_with_buttons(fake, token), 60)


async def test_every_answer_arrives_while_another_process_holds_the_database_locked(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, sample_data_dir: Path, tmp_path: Path
) -> None:
    users = range(1001, 1007)
    async with bot_process(fake_discord, tmp_path, SPOOL_REPLAY_SECONDS="1") as bot:
        await _ask_and_see_the_answer(fake_discord, 1000)
        await eventually(lambda: rows(sample_data_dir, ANSWERED) == [(1000,)], within=30)
        async with sqlite_locked_by_another_process(sample_data_dir / DATABASE, 30) as locker:
            for user in users:  # one after another, as a conversation goes
                await _ask_and_see_the_answer(fake_discord, user)
            assert locker.returncode is None  # every answer arrived while the lock was held
            assert rows(sample_data_dir, ANSWERED) == [(1000,)]  # none could be written yet
        everyone = [(1000,), *((user,) for user in users)]
        await eventually(lambda: rows(sample_data_dir, ANSWERED) == everyone, within=60)
        await eventually(lambda: not (sample_data_dir / SPOOL_FILE).exists(), within=30)
    assert "Traceback" not in bot.log()


def _replay_in_an_hour(data_dir: Path) -> dict[str, str]:
    """Return the environment of a bot on `data_dir` whose next spool replay is an hour away."""
    return {"PIDE_AYUDA_DATA_DIR": str(data_dir), "SPOOL_REPLAY_SECONDS": "3600"}


async def _answered_then_disk_full(fake: FakeDiscord, data_dir: Path) -> Path:
    """Ask once and see the row written, then fill `data_dir`'s disk; return the filler file."""
    await _ask_and_see_the_answer(fake, 1000)
    await eventually(lambda: rows(data_dir, ANSWERED) == [(1000,)], within=30)
    return fill(data_dir.parent)


async def test_questions_held_in_memory_are_written_when_the_process_stops(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, small_data_dir: Path, tmp_path: Path
) -> None:
    async with bot_process(fake_discord, tmp_path, **_replay_in_an_hour(small_data_dir)) as bot:
        filler = await _answered_then_disk_full(fake_discord, small_data_dir)
        for user in (1001, 1002):
            await _ask_and_see_the_answer(fake_discord, user)
        await eventually(lambda: bot.log().count("could not record finished") == 2, within=30)
        filler.unlink()  # space returns, and the next replay is an hour away: the bot stops first
    assert rows(small_data_dir, ANSWERED) == [(1000,), (1001,), (1002,)]
    assert "are lost" not in bot.log() and "Traceback" not in bot.log()


async def test_a_process_stopping_on_a_full_disk_logs_how_many_entries_are_lost(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, small_data_dir: Path, tmp_path: Path
) -> None:
    async with bot_process(fake_discord, tmp_path, **_replay_in_an_hour(small_data_dir)) as bot:
        await _answered_then_disk_full(fake_discord, small_data_dir)
        await _ask_and_see_the_answer(fake_discord, 1001)
        await eventually(lambda: "could not record finished" in bot.log(), within=30)
    lost = re.search(r"(\d+) entries held in memory are lost", bot.log())
    assert lost is not None and int(lost.group(1)) >= 2, bot.log()[-2000:]  # opened, finished
    assert rows(small_data_dir, ANSWERED) == [(1000,)]


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def _health(base: str) -> dict[str, Any]:
    return dict(json.loads((await _get(f"{base}/healthz"))[1]))


async def _held(base: str) -> float:
    """Read the held-in-memory gauge with Prometheus's own parser."""
    _, text = await _get(f"{base}/metrics")
    for family in text_string_to_metric_families(text):
        if family.name == "pide_ayuda_pairs_held_in_memory":
            return float(family.samples[0].value)
    raise AssertionError("pide_ayuda_pairs_held_in_memory is not in /metrics")


@pytest.fixture
def small_data_dir(sample_data_dir: Path, tmp_path: Path) -> Iterator[Path]:
    """The sample data directory on a 32 MB tmpfs, which the test can fill up.

    Mounting needs root with CAP_SYS_ADMIN: skipped without it, except under CI=true.
    """
    with contextlib.ExitStack() as stack:
        try:
            disk = stack.enter_context(small_filesystem(tmp_path / "disk", "32m"))
        except (OSError, subprocess.CalledProcessError) as error:
            if os.environ.get("CI") == "true":
                raise
            pytest.skip(f"cannot mount a size-limited tmpfs here: {error}")
        data_dir = disk / "data"
        shutil.copytree(sample_data_dir, data_dir)
        yield data_dir


async def test_questions_asked_on_a_full_disk_are_saved_once_space_returns(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, small_data_dir: Path, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"PIDE_AYUDA_DATA_DIR": str(small_data_dir), "METRICS_PORT": str(port)}
    async with bot_process(fake_discord, tmp_path, SPOOL_REPLAY_SECONDS="1", **env) as bot:
        await _ask_and_see_the_answer(fake_discord, 1000)
        await eventually(lambda: rows(small_data_dir, ANSWERED) == [(1000,)], within=30)
        assert (await _health(base))["database_writable"]

        filler = fill(small_data_dir.parent)
        assert not (await _health(base))["database_writable"]  # a real write fails now
        for user in (1001, 1002, 1003):
            await _ask_and_see_the_answer(fake_discord, user)
        await eventually(lambda: "held in memory" in bot.log(), within=30)
        assert await _held(base) > 0
        assert rows(small_data_dir, ANSWERED) == [(1000,)]

        filler.unlink()  # space returns
        everyone = [(1000,), (1001,), (1002,), (1003,)]
        await eventually(lambda: rows(small_data_dir, ANSWERED) == everyone, within=60)
        await eventually(lambda: (small_data_dir / SPOOL_FILE).exists() is False, within=30)
        assert await _held(base) == 0
        assert (await _health(base))["database_writable"]
    assert "Traceback" not in bot.log()


def _spooled(question: str, guild_id: int) -> str:
    record = QuestionRecord(new_key(), question, AskContext("slash", 7, guild_id), utcnow())
    return encode(Finished(record, outcome_of(make_answer(question), "delivered")))


async def test_a_poisoned_spool_entry_is_quarantined_and_the_rest_is_written(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, sample_data_dir: Path, tmp_path: Path
) -> None:
    poisoned = _spooled("¿Envenenada?", 2**70)  # no SQLite integer holds this id
    lines = [_spooled("¿Antes?", 1), poisoned, _spooled("¿Después?", 2)]
    (sample_data_dir / SPOOL_FILE).write_text("".join(f"{line}\n" for line in lines))
    async with bot_process(fake_discord, tmp_path, SPOOL_REPLAY_SECONDS="1") as bot:
        saved = "SELECT question FROM qa_pairs ORDER BY id"
        await eventually(lambda: rows(sample_data_dir, saved) == [("¿Antes?",), ("¿Después?",)])
        quarantine = sample_data_dir / "unlogged-pairs.quarantine.jsonl"
        await eventually(quarantine.exists, within=30)
        assert quarantine.read_text().splitlines() == [poisoned]
        await eventually(lambda: not (sample_data_dir / SPOOL_FILE).exists())
    assert "moved to" in bot.log()


async def test_a_poisoned_spool_entry_is_quarantined_even_when_each_try_is_a_new_process(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, sample_data_dir: Path, tmp_path: Path
) -> None:
    poisoned = _spooled("¿Envenenada?", 2**70)
    (sample_data_dir / SPOOL_FILE).write_text(f"{poisoned}\n")
    quarantine = sample_data_dir / "unlogged-pairs.quarantine.jsonl"
    for attempt in (1, 2):  # each process replays the spool once, at start
        async with bot_process(
            fake_discord, tmp_path, f"bot{attempt}", SPOOL_REPLAY_SECONDS="3600"
        ) as bot:
            await eventually(lambda: re.search(r"spooled finished \w+ failed", bot.log()))
        assert f"failed ({attempt}/3)" in bot.log()  # counted across restarts
        assert not quarantine.exists()
    async with bot_process(fake_discord, tmp_path, "bot3", SPOOL_REPLAY_SECONDS="3600"):
        await eventually(quarantine.exists)
    assert quarantine.read_text().splitlines() == [poisoned]
    assert not (sample_data_dir / SPOOL_FILE).exists()
    assert not failures_path(sample_data_dir / SPOOL_FILE).exists()  # nothing left to count
