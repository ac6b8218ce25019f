"""Which process answers a question: `host:pid:token`, and whether that process is gone."""

from __future__ import annotations

import os
import socket
import uuid


def new_owner() -> str:
    """Return a fresh owner for this process's recorder.

    The token tells it from an earlier process that had the same pid (pid 1 in a restarted
    container, an earlier recorder of this process).
    """
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def abandoned(owner: str | None, serves_guild: bool, me: str) -> bool:
    """Tell whether a question left `in_progress` by `owner` will never be finished.

    A process on this host is asked directly: its pid no longer runs, or it is this process's
    pid under another token. Without an owner (rows from before owners were kept) or on another
    host, `serves_guild` decides: the caller answers for that server's questions.
    """
    host, _, rest = (owner or "").partition(":")
    pid_text = rest.partition(":")[0]
    if not owner or host != socket.gethostname() or not pid_text.isdigit():
        return serves_guild
    if owner == me:
        return False
    return int(pid_text) == os.getpid() or not _running(int(pid_text))


def _running(pid: int) -> bool:
    """Tell whether a process with this pid runs on this host (a zombie counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return True  # no /proc (not Linux): the signal check is all there is
