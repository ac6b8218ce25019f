"""DATABASE_URL without an async driver: mapped to asyncpg / aiosqlite, or one error line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.answer.cli_process import run_command
from tests.ports import free_port


async def test_a_bare_sqlite_url_gets_aiosqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'log.sqlite3'}"
    code, out, err = await run_command("stats", env={"DATABASE_URL": url})
    assert code == 0, err
    code, out, err = await run_command("doctor", env={"DATABASE_URL": url})
    (line,) = [line for line in out.splitlines() if " database " in f" {line} "]
    assert line.startswith("ok") and "revision" in line, out
    assert (tmp_path / "log.sqlite3").exists()


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg2"])
async def test_a_postgresql_url_gets_one_line_never_a_traceback(scheme: str) -> None:
    url = f"{scheme}://pide:secreto@127.0.0.1:{free_port()}/pide"
    code, out, err = await run_command("stats", env={"DATABASE_URL": url})
    assert code == 2 and "Traceback" not in err
    (line,) = err.strip().splitlines()
    assert line.startswith("error: ") and "secreto" not in line
    # asyncpg is used for a bare scheme: it tried to connect; a sync driver is named instead
    assert ("connect" in line) if scheme != "postgresql+psycopg2" else ("asyncpg" in line)
    code, out, err = await run_command("doctor", env={"DATABASE_URL": url})
    assert "Traceback" not in out + err
    (line,) = [line for line in out.splitlines() if " database " in f" {line} "]
    assert line.startswith("fail")
