"""A throwaway PostgreSQL cluster on 127.0.0.1 for the store tests, started by the tests.

The server binaries (initdb, pg_ctl, postgres, psql) come from the machine: PATH, then the
Debian layout /usr/lib/postgresql/<major>/bin. PostgreSQL refuses to run as root, so when the
tests run as root the server runs as the `postgres` system user. Without binaries the tier is
skipped, except under CI=true, where it must run and a missing server is a failure.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from tests.ports import free_port

HOST = "127.0.0.1"
USER = "pide"
SERVER_USER = "postgres"
# A server time zone far from UTC, so timestamps that depend on it cannot pass by accident.
SERVER_TIMEZONE = "Pacific/Kiritimati"
SERVER_CONFIG = f"""
listen_addresses = '{HOST}'
port = {{port}}
unix_socket_directories = '{{sockets}}'
timezone = '{SERVER_TIMEZONE}'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
"""
START_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class PostgresServer:
    """A running cluster: where it listens and the binaries that manage it."""

    bindir: Path
    port: int

    def url(self, database: str) -> str:
        """Return the SQLAlchemy async URL of a database on this server."""
        return f"postgresql+asyncpg://{USER}@{HOST}:{self.port}/{database}"

    def sql(self, statement: str) -> None:
        """Run one statement on the maintenance database with psql (as any OS user)."""
        command = [str(self.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1"]
        command += ["-h", HOST, "-p", str(self.port), "-U", USER, "-d", "postgres"]
        _run([*command, "-c", statement], as_server=False)


def unavailable(reason: str) -> NoReturn:
    """Skip the PostgreSQL tier locally; fail it under CI=true, where it must run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the PostgreSQL tier must run)", pytrace=False)
    pytest.skip(reason)


def find_bindir() -> Path | None:
    """Return the folder holding initdb, pg_ctl and psql of one PostgreSQL version, if any."""
    candidates = []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(versions)
    for folder in candidates:
        if all((folder / name).is_file() for name in ("initdb", "pg_ctl", "psql")):
            return folder
    return None


def _run_as_prefix() -> list[str]:
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        unavailable("running as root without `runuser` to start PostgreSQL as another user")
    return [runuser, "-u", SERVER_USER, "--"]


def _run(command: list[str], as_server: bool = True) -> str:
    prefix = _run_as_prefix() if as_server else []
    env = {**os.environ, "LC_ALL": "C", "PGCONNECT_TIMEOUT": "10"}
    done = subprocess.run(
        [*prefix, *command], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{Path(command[0]).name} failed: {done.stderr.strip() or done.stdout}")
    return done.stdout


def _make_base() -> Path:
    """Create a temp folder the server's OS user owns (outside pytest's root-only tmp)."""
    base = Path(tempfile.mkdtemp(prefix="pide-ayuda-pg-"))
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam(SERVER_USER)
        except KeyError:
            shutil.rmtree(base)
            unavailable(f"running as root and no {SERVER_USER!r} user to run PostgreSQL as")
        os.chown(base, account.pw_uid, account.pw_gid)
    return base


def _start(bindir: Path, base: Path) -> int:
    data = base / "data"
    initdb = [str(bindir / "initdb"), "-D", str(data), "-U", USER, "-A", "trust", "-E", "UTF8"]
    _run([*initdb, "--no-locale", "--no-sync", "--no-instructions"])
    log = base / "server.log"
    failure = ""
    for _ in range(START_ATTEMPTS):  # the probed port can be taken before the server binds it
        port = free_port()
        (data / "postgresql.auto.conf").write_text(
            SERVER_CONFIG.format(port=port, sockets=base), encoding="utf-8"
        )
        try:
            _run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "start"])
            return port
        except RuntimeError as error:
            failure = str(error)
    details = log.read_text(encoding="utf-8") if log.exists() else "no server log"
    raise RuntimeError(f"PostgreSQL did not start ({failure}):\n{details}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """Start a throwaway cluster on 127.0.0.1 (random free port); stop and remove it at the end."""
    bindir = find_bindir()
    if bindir is None:
        unavailable("no PostgreSQL server binaries (initdb, pg_ctl); apt-get install postgresql")
    if importlib.util.find_spec("asyncpg") is None:
        unavailable("asyncpg is not installed; pip install -e '.[test]'")
    base = _make_base()
    try:
        port = _start(bindir, base)
        try:
            yield PostgresServer(bindir=bindir, port=port)
        finally:
            _run([str(bindir / "pg_ctl"), "-D", str(base / "data"), "-m", "fast", "-w", "stop"])
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """Create a fresh empty database for one test and drop it afterwards."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    postgres_server.sql(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_server.url(name)
    finally:
        with contextlib.suppress(RuntimeError):
            postgres_server.sql(f'DROP DATABASE "{name}" WITH (FORCE)')
