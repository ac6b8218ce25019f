"""Credentials in LLM_BASE_URL, through the real `pide-ayuda -v run`: in no log, row or file."""

from __future__ import annotations

import base64
from pathlib import Path

from tests.discord.conftest import QUESTION, finished, rows
from tests.discord.process import bot_process
from tests.fakes.chat_server import FakeChatServer, server_error
from tests.fakes.discord_server import FakeDiscord
from tests.waiting import eventually

SECRET = "pw-7731-secreto"
BASIC_TOKEN = base64.b64encode(f"ana:{SECRET}".encode()).decode()


def _leaks(data: bytes) -> bool:
    return SECRET.encode() in data or BASIC_TOKEN.encode() in data


async def test_userinfo_credentials_reach_no_log_stored_row_or_file(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, sample_data_dir: Path, tmp_path: Path
) -> None:
    url = bot_env.base_url.replace("http://", f"http://ana:{SECRET}@")
    async with bot_process(fake_discord, tmp_path, options="-v", LLM_BASE_URL=url) as bot:
        _, token = await fake_discord.slash("pregunta", {"texto": QUESTION}, user_id=1001)
        await fake_discord.wait_until(lambda: finished(fake_discord, token), within=60)
        assert bot_env.request_headers[-1]["Authorization"] == f"Basic {BASIC_TOKEN}"

        bot_env.fail_with, bot_env.echo_headers_in_errors = server_error(), True
        _, token = await fake_discord.slash("pregunta", {"texto": QUESTION}, user_id=1002)
        await fake_discord.wait_until(lambda: finished(fake_discord, token), within=60)
        # A 5xx before the first token is answered from the passages (status fallback); the
        # upstream's error body is still kept, as the row's error_cause.
        failed = "SELECT error_cause FROM qa_pairs WHERE status = 'fallback'"
        await eventually(lambda: rows(sample_data_dir, failed), within=60)
    ((cause,),) = rows(sample_data_dir, failed)
    assert "[redacted]" in cause and "while handling" in cause  # the echo was stored, cleaned
    log = bot.log()
    assert "DEBUG" in log and "HTTP Request" in log  # -v really logged the requests
    assert not _leaks(log.encode())
    every_value = rows(sample_data_dir, "SELECT * FROM qa_pairs")
    assert every_value and not _leaks(repr(every_value).encode())
    assert _leaking_files(sample_data_dir) == []


def _leaking_files(folder: Path) -> list[str]:
    """Return the files under `folder` that hold the secret, plain or base64."""
    return [str(p) for p in folder.rglob("*") if p.is_file() and _leaks(p.read_bytes())]
