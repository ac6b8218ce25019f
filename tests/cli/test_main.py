"""The command-line entry point behaves like a well-mannered Unix tool."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


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


@pytest.mark.parametrize(
    ("argv", "variable", "value"),
    [
        (["search", "hola"], "RETRIEVAL_K", "not-a-number-7f3a"),
        (["run"], "LOG_LEVEL", "verbose-7f3a"),  # accepted once, rejected later with a traceback
    ],
)
def test_an_invalid_setting_is_one_line_naming_the_variable(
    argv: list[str], variable: str, value: str
) -> None:
    env = {**os.environ, variable: value, "DISCORD_TOKEN": "fake-token"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: invalid setting {variable}:")
    assert len(result.stderr.strip().splitlines()) == 1
    assert value not in result.stderr  # values (maybe secrets) are never echoed
