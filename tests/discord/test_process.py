"""`pide-ayuda run` as its own process: start-up, an answer, SIGTERM while answering."""

import asyncio
import re
import signal
from pathlib import Path

import pytest

from bot import strings
from tests.discord.conftest import QUESTION, rows
from tests.discord.process import ENTRY_POINT, process_env
from tests.fakes.chat_server import FakeChatServer
from tests.fakes.discord_server import FakeDiscord
from tests.ports import free_port

_env = process_env


async def test_run_without_token_says_what_to_set(tmp_path: Path):
    process = await asyncio.create_subprocess_exec(
        str(ENTRY_POINT), "run", env=_env(), stderr=asyncio.subprocess.PIPE, cwd=tmp_path
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    lines = stderr.decode().strip().splitlines()
    assert process.returncode == 2
    assert len(lines) == 1 and "DISCORD_TOKEN" in lines[0]


async def _run_failing(fake_discord: FakeDiscord, tmp_path: Path) -> list[str]:
    """Run `pide-ayuda run` against the fake; assert exit code 2 and return its stderr lines."""
    process = await asyncio.create_subprocess_exec(
        str(ENTRY_POINT),
        "run",
        env=_env(PIDE_AYUDA_FAKE_DISCORD=fake_discord.base_url, LOG_LEVEL="ERROR"),
        stderr=asyncio.subprocess.PIPE,
        cwd=tmp_path,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 120)
    lines = stderr.decode().strip().splitlines()
    assert process.returncode == 2, lines
    return lines


@pytest.mark.parametrize(
    ("knob", "hint"),
    [("reject_token", "Reset Token"), ("close_on_identify", "Message Content intent")],
)
async def test_run_explains_a_rejected_token_or_a_missing_intent_in_one_line(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, tmp_path: Path, knob: str, hint: str
):
    setattr(fake_discord, knob, 4014 if knob == "close_on_identify" else True)
    lines = await _run_failing(fake_discord, tmp_path)
    assert len(lines) == 1 and lines[0].startswith("error: ") and hint in lines[0], lines


async def test_run_explains_a_dev_guild_the_bot_cannot_register_commands_in(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, tmp_path: Path
):
    fake_discord.forbid("PUT", r"/guilds/\d+/commands$")  # DEV_GUILD_ID: bot not in that server
    lines = await _run_failing(fake_discord, tmp_path)
    assert len(lines) == 1 and lines[0].startswith("error: ") and "DEV_GUILD_ID" in lines[0], lines


async def test_run_process_answers_then_sigterm_cancels_and_marks_the_pair(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, sample_data_dir: Path, tmp_path: Path
):
    log_path = tmp_path / "bot.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            str(ENTRY_POINT),
            "run",
            env=_env(PIDE_AYUDA_FAKE_DISCORD=fake_discord.base_url, LOG_LEVEL="INFO"),
            stderr=log,
            cwd=tmp_path,
        )
        try:
            await asyncio.wait_for(fake_discord.ready.wait(), 120)
            _, token = await fake_discord.slash("pregunta", {"texto": QUESTION})
            await fake_discord.wait_until(
                lambda: bool(fake_discord.originals.get(token, {}).get("components"))
            )

            bot_env.first_token_delay = 60  # the next answer is still running at SIGTERM
            _, stuck = await fake_discord.slash("pregunta", {"texto": QUESTION}, user_id=1002)
            await fake_discord.wait_until(lambda: len(bot_env.requests) == 2)
            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), 30)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    output = log_path.read_text()
    assert code == 0, output
    assert "stopped cleanly" in output
    discord_problems = re.findall(r"(?:WARNING|ERROR) discord\.\S+ .*", output)
    assert not discord_problems, discord_problems  # no voice-library warning either
    assert fake_discord.originals[stuck]["content"] == strings.CANCELLED
    assert rows(
        sample_data_dir, "SELECT user_id, status, error_cause FROM qa_pairs ORDER BY id"
    ) == [
        (1001, "answered", None),
        (1002, "cancelled", "cancelled: the bot shut down before the answer finished"),
    ]
    assert not fake_discord._sockets, "the gateway connection was not closed"


async def test_run_explains_that_discord_cannot_be_reached_in_one_line(
    bot_env: FakeChatServer, tmp_path: Path
):
    closed = f"http://127.0.0.1:{free_port()}"  # a loopback port nobody listens on
    process = await asyncio.create_subprocess_exec(
        str(ENTRY_POINT),
        "run",
        env=_env(PIDE_AYUDA_FAKE_DISCORD=closed, LOG_LEVEL="ERROR"),
        stderr=asyncio.subprocess.PIPE,
        cwd=tmp_path,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 120)
    lines = stderr.decode().strip().splitlines()
    assert process.returncode == 2, lines
    assert len(lines) == 1 and "cannot reach Discord" in lines[0], lines
