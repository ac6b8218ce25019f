"""The command-line entry point behaves like a well-mannered Unix tool."""

from __future__ import annotations

import os
import subprocess
import sys


def test_closed_stdout_exits_without_a_traceback() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "stats"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1


def test_every_subcommand_is_registered() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for command in ("ingest", "search", "ask", "run", "review", "export", "stats", "db"):
        assert command in result.stdout


def test_an_invalid_setting_is_one_line_naming_the_variable() -> None:
    env = {**os.environ, "RETRIEVAL_K": "not-a-number-7f3a"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "search", "hola"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: invalid setting RETRIEVAL_K:")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "not-a-number-7f3a" not in result.stderr  # values (maybe secrets) are never echoed


def test_an_unknown_log_level_is_refused_by_the_settings_in_one_line() -> None:
    env = {**os.environ, "LOG_LEVEL": "verbose", "DISCORD_TOKEN": "fake-token"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: invalid setting LOG_LEVEL:")
    assert len(result.stderr.strip().splitlines()) == 1
