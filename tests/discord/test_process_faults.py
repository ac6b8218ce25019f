"""Faults met by the real `pide-ayuda run` process: nothing lost, nothing stuck, nothing untrue.

Each test starts the unchanged entry point against the fake Discord and the fake chat server,
injects a fault (a SIGKILL, a database another process locks, a read-only file, Discord refusing
edits or follow-ups) and waits on conditions: rows in the real SQLite file, messages in the fake.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import strings
from tests.discord.conftest import QUESTION, REPLY, finished, rows
from tests.discord.process import ENTRY_POINT, bot_process, process_env
from tests.fakes.chat_server import FakeChatServer
from tests.fakes.discord_server import FakeDiscord
from tests.waiting import eventually

ORIGINAL = r"/webhooks/\d+/tok-\d+/messages/@original"
FOLLOW_UP = r"/webhooks/\d+/tok-\d+$"


def _database(data_dir: Path) -> Path:
    return data_dir / "pide-ayuda.sqlite3"


def _buttons(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message.get("components") or [] for c in row["components"]]


def _shown_with_buttons(fake: FakeDiscord, token: str) -> bool:
    return finished(fake, token) and bool(_buttons(fake.originals[token]))


async def test_a_question_a_killed_process_left_unfinished_is_answered_after_the_restart(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, sample_data_dir: Path, tmp_path: Path
) -> None:
    bot_env.first_token_delay = 60  # the answer is still being generated when the process dies
    async with bot_process(fake_discord, tmp_path, "first") as bot:
        _, token = await fake_discord.slash("pregunta", {"texto": QUESTION})
        reply = "SELECT reply_message_id FROM qa_pairs WHERE reply_message_id IS NOT NULL"
        await eventually(lambda: rows(sample_data_dir, reply), within=60)
        bot.kill()
        await bot.process.wait()
    assert rows(sample_data_dir, "SELECT question, status FROM qa_pairs") == [
        (QUESTION, "in_progress")
    ]
    assert rows(sample_data_dir, reply) == [(int(fake_discord.originals[token]["id"]),)]
    (key,) = rows(sample_data_dir, "SELECT key FROM qa_pairs")

    bot_env.first_token_delay = 0
    async with bot_process(fake_discord, tmp_path, "second") as restarted:
        await fake_discord.wait_until(lambda: _shown_with_buttons(fake_discord, token), within=60)
        done = "SELECT key, status, delivery FROM qa_pairs WHERE status != 'interrupted'"
        await eventually(lambda: rows(sample_data_dir, done), within=60)
    shown = fake_discord.originals[token]["content"]
    assert shown.startswith(REPLY.split("[")[0]) and strings.SOURCES_HEADER in shown
    assert rows(sample_data_dir, done) == [(*key, "answered", "delivered")]  # the same row
    assert "resumed after a restart" in restarted.log()


async def test_a_cut_thread_follow_up_is_answered_after_the_restart_with_its_history(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, sample_data_dir: Path, tmp_path: Path
) -> None:
    follow_up = "¿Y quién lo explicó?"
    async with bot_process(fake_discord, tmp_path, "first") as bot:
        asked = await fake_discord.post_message(
            f"<@{fake_discord.app_id}> {QUESTION}", mention_bot=True
        )
        thread_id = asked["id"]
        answered = "SELECT 1 FROM qa_pairs WHERE status = 'answered'"
        await eventually(lambda: rows(sample_data_dir, answered), within=60)
        bot_env.first_token_delay = 60
        await fake_discord.post_message(follow_up, channel_id=thread_id)
        cut = "SELECT reply_message_id FROM qa_pairs WHERE surface = 'thread'"
        await eventually(lambda: rows(sample_data_dir, cut) not in ([], [(None,)]), within=60)
        bot.kill()
        await bot.process.wait()
    ((message_id,),) = rows(sample_data_dir, cut)

    bot_env.first_token_delay = 0
    bot_env.requests.clear()
    statuses = "SELECT surface, status FROM qa_pairs ORDER BY id"
    async with bot_process(fake_discord, tmp_path, "second"):
        both = [("mention", "answered"), ("thread", "answered")]
        await eventually(lambda: rows(sample_data_dir, statuses) == both, within=60)
    shown = fake_discord.messages[str(message_id)]["content"]
    assert shown.startswith(REPLY.split("[")[0]) and strings.SOURCES_HEADER in shown
    prompt = str(bot_env.requests[-1]["messages"][-1]["content"])
    assert f"<pregunta>\n{QUESTION}\n</pregunta>" in prompt.split("</historial>")[0]
    assert f"<pregunta>\n{follow_up}\n</pregunta>" in prompt.split("</historial>")[1]


@pytest.fixture
def exclusive_lock(sample_data_dir: Path) -> Iterator[sqlite3.Connection]:
    """Another process's connection, ready to take the database's write lock."""
    other = sqlite3.connect(_database(sample_data_dir), isolation_level=None, timeout=30)
    yield other
    other.close()


async def test_answers_reach_users_at_once_while_another_process_locks_the_database(
    bot_env: FakeChatServer,
    fake_discord: FakeDiscord,
    sample_data_dir: Path,
    tmp_path: Path,
    exclusive_lock: sqlite3.Connection,
) -> None:
    async with bot_process(fake_discord, tmp_path, SPOOL_REPLAY_SECONDS="1") as bot:
        exclusive_lock.execute("BEGIN EXCLUSIVE")
        try:
            tokens = [
                (await fake_discord.slash("pregunta", {"texto": QUESTION}, user_id=user))[1]
                for user in (1001, 1002, 1003)
            ]
            # Before the fix each answer waited for its record (3 tries x a 5 s busy timeout,
            # one write lock): the first reached its user after 15 s, the third after 45 s.
            await fake_discord.wait_until(
                lambda: all(_shown_with_buttons(fake_discord, t) for t in tokens), within=12
            )
            assert rows_while_locked(sample_data_dir) == []  # the lock really held
        finally:
            exclusive_lock.execute("ROLLBACK")
        done = "SELECT user_id FROM qa_pairs WHERE status = 'answered' AND delivery = 'delivered'"
        await eventually(lambda: len(rows(sample_data_dir, done)) == 3, within=60)
        assert not (sample_data_dir / "unlogged-pairs.jsonl").exists()

        message = fake_discord.originals[tokens[0]]
        clicked, _ = await fake_discord.click(_buttons(message)[0], message, user_id=2002)
        await fake_discord.wait_until(lambda: clicked in fake_discord.callbacks)
        assert fake_discord.callbacks[clicked][1]["data"]["content"] == strings.VOTE_THANKS
    assert "Traceback" not in bot.log()


def rows_while_locked(data_dir: Path) -> list[tuple[Any, ...]]:
    """Read the committed rows (a reader is never blocked by a writer in WAL mode)."""
    return rows(data_dir, "SELECT id FROM qa_pairs")


@pytest.fixture
def immutable_database(sample_data_dir: Path) -> Iterator[Path]:
    """The migrated SQLite file, made unwritable even for root (chattr +i) until released."""
    chattr = shutil.which("chattr")
    assert chattr, "chattr (e2fsprogs) is needed to make a file read-only for root"
    migrated = subprocess.run(
        [str(ENTRY_POINT), "db", "upgrade"], env=process_env(), capture_output=True, check=False
    )
    assert migrated.returncode == 0, migrated.stderr
    path = _database(sample_data_dir)
    subprocess.run([chattr, "+i", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run([chattr, "-i", str(path)], check=False)


async def test_a_database_made_writable_again_is_used_without_a_restart(
    bot_env: FakeChatServer,
    fake_discord: FakeDiscord,
    sample_data_dir: Path,
    tmp_path: Path,
    immutable_database: Path,
) -> None:
    async with bot_process(fake_discord, tmp_path, SPOOL_REPLAY_SECONDS="1") as bot:
        _, first = await fake_discord.slash("pregunta", {"texto": QUESTION}, user_id=1001)
        await fake_discord.wait_until(lambda: _shown_with_buttons(fake_discord, first), within=60)
        await eventually(lambda: "read-only" in bot.log(), within=30)
        release = ["chattr", "-i", str(immutable_database)]
        await asyncio.to_thread(subprocess.run, release, check=True)

        _, second = await fake_discord.slash("pregunta", {"texto": QUESTION}, user_id=1002)
        await fake_discord.wait_until(lambda: _shown_with_buttons(fake_discord, second))
        answered = "SELECT user_id FROM qa_pairs WHERE status = 'answered' ORDER BY user_id"
        await eventually(lambda: rows(sample_data_dir, answered) == [(1001,), (1002,)], within=60)


async def test_delivery_is_recorded_as_the_user_saw_it(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, sample_data_dir: Path, tmp_path: Path
) -> None:
    def outcome(user: int) -> list[tuple[Any, ...]]:
        return rows(
            sample_data_dir,
            f"SELECT status, delivery FROM qa_pairs WHERE user_id = {user} AND status != "
            "'in_progress'",
        )

    async with bot_process(fake_discord, tmp_path):
        fake_discord.rate_limit("PATCH", ORIGINAL, times=10_000, retry_after=0.01)
        await fake_discord.slash("pregunta", {"texto": QUESTION}, user_id=1001)
        await eventually(lambda: outcome(1001), within=60)
        assert outcome(1001) == [("answered", "not_delivered")]

        fake_discord.clear_faults()
        fake_discord.fail("PATCH", ORIGINAL, 404, 10015, "Unknown Webhook", times=10_000)
        await fake_discord.slash("pregunta", {"texto": QUESTION}, user_id=1002)
        await eventually(lambda: outcome(1002), within=60)
        assert outcome(1002) == [("answered", "not_delivered")]

        fake_discord.clear_faults()
        bot_env.reply = "".join(
            f"El punto {n} de la charla: la búsqueda semántica compara significados [1]. "
            for n in range(40)
        )
        fake_discord.fail("POST", FOLLOW_UP, 500, 0, "Internal Server Error", times=10_000)
        _, token = await fake_discord.slash("pregunta", {"texto": QUESTION}, user_id=1003)
        await eventually(lambda: outcome(1003), within=90)
        assert outcome(1003) == [("answered", "partly_delivered")]
        shown = fake_discord.originals[token]["content"]
        assert shown.startswith("El punto 0") and shown.endswith(strings.DELIVERY_CUT)
        assert _buttons(fake_discord.originals[token])  # votes still possible on what was seen


async def test_frames_a_user_shaped_or_garbage_never_end_the_process(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, sample_data_dir: Path, tmp_path: Path
) -> None:
    async with bot_process(fake_discord, tmp_path) as bot:
        # json.dumps escapes the lone surrogate as "\ud800", which orjson refuses to decode.
        _, token = await fake_discord.slash("pregunta", {"texto": f"{QUESTION} \ud800"})
        await fake_discord.wait_until(lambda: _shown_with_buttons(fake_discord, token), within=60)
        await fake_discord.send_raw("{not json")
        _, later = await fake_discord.slash("pregunta", {"texto": QUESTION}, user_id=1002)
        await fake_discord.wait_until(lambda: _shown_with_buttons(fake_discord, later), within=60)
        assert bot.process.returncode is None
        questions = "SELECT question FROM qa_pairs WHERE status = 'answered' ORDER BY id"
        await eventually(lambda: len(rows(sample_data_dir, questions)) == 2)
    assert rows(sample_data_dir, questions) == [(f"{QUESTION} \ufffd",), (QUESTION,)]
    log = bot.log()
    assert "orjson rejects" in log and "not JSON" in log and "Traceback" not in log
