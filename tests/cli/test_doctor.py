"""`pide-ayuda doctor` run as a separate process, as an operator would."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.discord.process import process_env
from tests.fakes.chat_server import FakeChatServer
from tests.fakes.discord_server import FakeDiscord
from tests.ports import free_port


async def cli(*args: str, **env: str) -> tuple[int, str]:
    """Run `pide-ayuda ARGS` as a process; return its exit code and stdout (stderr empty)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env={**os.environ, "LLM_MAX_RETRIES": "0", "LLM_TIMEOUT": "5", **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert not err.strip(), err.decode()
    assert process.returncode is not None
    return process.returncode, out.decode()


async def doctor(**env: str) -> tuple[int, dict[str, tuple[str, str]]]:
    """Run the doctor; return its exit code and {check name: (level, detail)}."""
    code, out = await cli("doctor", **env)
    checks = {}
    for line in out.splitlines():
        level, rest = line.split(maxsplit=1)
        name = next(
            n
            for n in (
                "data directory",
                "database",
                "index",
                "gate calibration",
                "chat LLM",
                "LLM credential",
                "Discord",
            )
            if rest.startswith(n)
        )
        checks[name] = (level, rest[len(name) :].strip())
    return code, checks


async def test_a_ready_installation_passes_every_check(
    sample_data_dir: Path, fake_llm: FakeChatServer, fake_discord: FakeDiscord
) -> None:
    assert (await cli("db", "upgrade"))[0] == 0
    code, checks = await doctor(
        LLM_BASE_URL=fake_llm.base_url.replace("http://", "http://user:hunter2@"),
        LLM_MODEL=fake_llm.model,
        DISCORD_TOKEN="token-that-must-not-be-printed",
        DEV_GUILD_ID="42",
        CHROMA_URL="",
        **fake_discord_env(fake_discord),
    )
    assert code == 0
    assert {name: level for name, (level, _) in checks.items()} == dict.fromkeys(checks, "ok")
    assert "4 talks" in checks["index"][1]
    assert fake_llm.model in checks["chat LLM"][1]
    assert "Basic" in checks["LLM credential"][1]  # the URL's user:password, as sent
    assert "guild 42" in checks["Discord"][1]
    assert "token-that-must-not-be-printed" not in str(checks)
    assert "hunter2" not in str(checks)
    assert "token valid for bot pide-ayuda" in checks["Discord"][1]
    assert [r.path for r in fake_discord.find("GET", r"/users/@me")] == ["/users/@me"]


async def test_a_rejected_token_fails_and_an_unreachable_discord_warns(
    sample_data_dir: Path, fake_discord: FakeDiscord
) -> None:
    fake_discord.reject_token = True
    code, checks = await doctor(DISCORD_TOKEN="wrong", **fake_discord_env(fake_discord))
    assert code == 1 and checks["Discord"][0] == "fail" and "Reset Token" in checks["Discord"][1]
    closed = {
        **fake_discord_env(fake_discord),
        "PIDE_AYUDA_FAKE_DISCORD": f"http://127.0.0.1:{free_port()}",
    }
    code, checks = await doctor(DISCORD_TOKEN="any", **closed)
    assert checks["Discord"][0] == "warn" and "not checked" in checks["Discord"][1]


def fake_discord_env(fake: FakeDiscord) -> dict[str, str]:
    """Point a child process at the fake Discord (tests/discord/site/sitecustomize.py)."""
    return process_env(PIDE_AYUDA_FAKE_DISCORD=fake.base_url)


async def test_a_fresh_machine_says_what_to_fix(isolated_settings: Path) -> None:
    code, checks = await doctor(LLM_BASE_URL=f"http://127.0.0.1:{free_port()}/v1")
    assert code == 1
    assert checks["data directory"][0] == "ok"
    assert checks["database"][0] == "ok"  # `run` migrates at start: nothing to fix
    assert "migrates it to" in checks["database"][1]
    assert checks["index"][0] == "fail"
    assert "pide-ayuda ingest" in checks["index"][1]
    assert checks["chat LLM"][0] == "fail"
    assert checks["Discord"] == ("warn", "DISCORD_TOKEN not set: `pide-ayuda run` needs it")


async def test_extractive_mode_is_not_a_failure(sample_data_dir: Path) -> None:
    code, checks = await doctor()
    assert code == 0
    assert checks["chat LLM"][0] == "ok"
    assert "extractive" in checks["chat LLM"][1]


async def test_an_invalid_database_url_is_a_failed_check_not_a_traceback(
    isolated_settings: Path,
) -> None:
    code, checks = await doctor(DATABASE_URL="not a url")
    assert code == 1
    assert checks["database"][0] == "fail"
    assert "DATABASE_URL is not a valid SQLAlchemy URL" in checks["database"][1]
