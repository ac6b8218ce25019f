"""Writes neither the database nor the disk took: held in memory, bounded, written later."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.backlog import Backlog
from store.models import utcnow
from store.records import AskContext, QuestionRecord, new_key
from store.spool import Entry, Opened


def _opened(text: str) -> Opened:
    return Opened(QuestionRecord(new_key(), text, AskContext("cli"), utcnow()))


async def test_entries_the_disk_refuses_are_held_up_to_the_bound_then_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")  # the spool's folder cannot be created: every append fails
    backlog = Backlog(blocked / "unlogged-pairs.jsonl", held_limit=2)
    entries = [_opened(f"¿{n}?") for n in range(3)]
    for entry in entries:
        await backlog.keep(entry, "the database refused")
    assert backlog.held() == 2 and "this one is lost" in caplog.text

    written: list[Entry] = []

    async def refuse(entry: Entry) -> None:
        raise OSError(28, "No space left on device")

    async def accept(entry: Entry) -> None:
        written.append(entry)

    async def nothing(failure: object) -> None:
        return None

    assert await backlog.replay(refuse, nothing) == 0 and backlog.held() == 2
    assert await backlog.replay(accept, nothing) == 2
    assert written == entries[:2] and backlog.held() == 0 and not backlog


async def test_held_entries_go_to_the_spool_once_the_disk_takes_them_with_one_database_try(
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "data"
    blocked.write_text("")
    backlog = Backlog(blocked / "unlogged-pairs.jsonl")
    entries = [_opened(f"¿{n}?") for n in range(3)]
    for entry in entries:
        await backlog.keep(entry, "the database refused")
    blocked.unlink()  # space returns on the disk; the database still refuses
    tries: list[Entry] = []

    async def refuse(entry: Entry) -> None:
        tries.append(entry)
        raise OSError(28, "database or disk is full")

    async def nothing(failure: object) -> None:
        return None

    assert await backlog.replay(refuse, nothing) == 0
    assert backlog.held() == 0 and backlog.spool.read() == entries
    assert len(tries) == 2  # the first held entry, then the spool's first line: no wait per entry
