"""Run `python -m bot COMMAND ...` as its own process, as an operator would."""

from __future__ import annotations

import asyncio
import os
import sys


async def run_command(command: str, *args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """Run one pide-ayuda command; return its exit code, stdout and stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        command,
        *args,
        env={**os.environ, "OMP_NUM_THREADS": "1", **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()
