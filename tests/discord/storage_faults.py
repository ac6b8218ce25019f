"""Storage faults for process tests and benches: a lock held by another process, a full disk."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

# Another process takes SQLite's write lock, says so, keeps it `seconds`, then lets it go.
_LOCKER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
connection.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("ROLLBACK")
"""


@contextlib.asynccontextmanager
async def sqlite_locked_by_another_process(
    database: Path, seconds: float
) -> AsyncIterator[asyncio.subprocess.Process]:
    """Hold the database's write lock from another process for `seconds` (or until the block ends).

    Yield that process: while it runs (`returncode is None`), the lock is held.
    """
    locker = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _LOCKER, str(database), str(seconds), stdout=subprocess.PIPE
    )
    try:
        assert locker.stdout is not None
        assert (await locker.stdout.readline()).strip() == b"locked"
        yield locker
    finally:
        if locker.returncode is None:
            locker.kill()
        await locker.wait()


@contextlib.contextmanager
def small_filesystem(mount_point: Path, size: str) -> Iterator[Path]:
    """Mount a tmpfs of `size` (e.g. "64m") on `mount_point`: a disk that really fills up."""
    mount_point.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(mount_point)],
        check=True,
        capture_output=True,
    )
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(filesystem: Path) -> Path:
    """Write a file until the filesystem refuses with ENOSPC; return that file."""
    filler = filesystem / "filler"
    block = b"\0" * (1 << 16)
    with filler.open("wb", buffering=0) as file:
        for size in (len(block), 4096, 512, 1):
            with contextlib.suppress(OSError):
                while True:
                    file.write(block[:size])
    probe = filesystem / "probe"
    try:
        probe.write_bytes(b"x" * 4096)
    except OSError as error:
        assert error.errno == errno.ENOSPC, error
    else:
        raise AssertionError(f"{filesystem} still takes writes")
    finally:
        probe.unlink(missing_ok=True)
    return filler
