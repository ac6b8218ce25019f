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
