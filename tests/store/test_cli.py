"""The store commands, run through `pide-ayuda` main() with real files and stdin."""

from __future__ import annotations

import asyncio
import io
import json
import os
import pty
import sqlite3
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from bot.cli import main
from bot.cli.review import edit_text
from bot.config import load_settings
from bot.storage import open_database
from store.db import alembic_config
from store.queries import Stats
from store.records import AskContext
from tests.store.conftest import QALog, make_answer, sqlite_path


def _seed(*questions: str) -> list[int]:
    async def work() -> list[int]:
        db = open_database(load_settings())
        await db.upgrade()
        qalog = QALog(db)
        ids = []
        for question in questions:
            pair_id = await qalog.record(
                make_answer(question=question), AskContext(surface="slash", user_id=9)
            )
            assert pair_id is not None
            ids.append(pair_id)
        await db.aclose()
        return ids

    return asyncio.run(work())


def _stats() -> Stats:
    async def work() -> Stats:
        db = open_database(load_settings())
        try:
            return await QALog(db).stats()
        finally:
            await db.aclose()

    return asyncio.run(work())


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_db_commands_upgrade_report_and_downgrade(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["db", "current"], capsys)[1].startswith("base")
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert _run(["db", "upgrade"], capsys) == (0, f"database at revision {head}\n", "")
    assert _run(["db", "current"], capsys)[1] == f"{head}\n"
    assert _run(["db", "downgrade", "base"], capsys)[0] == 0
    assert _run(["db", "current"], capsys)[1].startswith("base")


def test_review_walks_pending_pairs_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ids = _seed("uno", "dos", "tres", "cuatro", "cinco")
    script = "a\ne\nRespuesta corregida\nx\nr\ns\nq\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(script))
    code, out, _ = _run(["review", "--reviewer", "1234"], capsys)
    assert code == 0
    assert "Q: uno" in out and "Q: cuatro" in out and "Q: cinco" in out
    assert "choose a, e, r, s or q" in out
    assert "reviewed: approved 1, edited 1, rejected 1, skipped 1" in out
    stats = _stats()
    assert stats.by_review == {"approved": 1, "edited": 1, "rejected": 1, "pending": 2}

    folder = tmp_path / "curated"
    code, out, _ = _run(
        ["export", "--format", "jsonl", "--out", str(folder), "--status", "approved"], capsys
    )
    assert code == 0 and "messages: 2" in out and "preferences: 1" in out  # the edit
    data = (folder / "data" / "messages.jsonl").read_text()
    rows = {row["id"]: row for row in map(json.loads, data.splitlines())}
    assert rows.keys() == {ids[0], ids[1]}
    assert rows[ids[1]]["messages"][1]["content"] == "Respuesta corregida"


def test_review_stops_at_end_of_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed("uno")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, out, _ = _run(["review"], capsys)
    assert code == 0 and "reviewed: nothing" in out
    assert _stats().by_review == {"pending": 1}


def test_stats_prints_the_counts(capsys: pytest.CaptureFixture[str]) -> None:
    _seed("uno", "dos")
    code, out, _ = _run(["stats"], capsys)
    assert code == 0
    assert "pairs: 2" in out and "by status: answered 2" in out
    assert "2  Argilla y distilabel" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xlsx"], "unknown --format 'xlsx'"),
        (["--format", "csv", "--since", "ayer"], "--since 'ayer' is not a date"),
        (["--format", "csv", "--status", "bueno"], "unknown --status 'bueno'"),
        (["--format", "csv", "--surface", "web"], "unknown --surface 'web'"),
    ],
)
def test_export_rejects_bad_flags_in_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = _run(["export", "--out", str(tmp_path / "x"), *args], capsys)
    assert code == 2 and out == ""
    assert err.startswith(f"error: {message}") and err.count("\n") == 1


def test_export_refuses_an_existing_file_unless_forced(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _seed("uno")
    out = tmp_path / "pairs.csv"
    out.write_text("keep me", encoding="utf-8")
    code, _, err = _run(["export", "--format", "csv", "--out", str(out)], capsys)
    assert code == 2 and "already exists" in err and "--force" in err
    assert out.read_text(encoding="utf-8") == "keep me"
    code, _, _ = _run(["export", "--format", "csv", "--out", str(out), "--force"], capsys)
    assert code == 0 and out.read_text(encoding="utf-8").startswith("question,answer")


def test_store_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _seed("uno")
    with sqlite3.connect(sqlite_path(load_settings())) as other:
        other.execute("UPDATE alembic_version SET version_num = 'ffff_newer'")
    code, _, err = _run(["stats"], capsys)
    assert code == 2 and "newer version" in err and err.count("\n") == 1

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("PIDE_AYUDA_DATA_DIR", str(blocker / "data"))
    code, _, err = _run(["db", "upgrade"], capsys)
    assert code == 2 and "PIDE_AYUDA_DATA_DIR" in err and err.count("\n") == 1


def test_a_locked_database_is_one_line_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed("uno")
    other = sqlite3.connect(sqlite_path(load_settings()), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        monkeypatch.setattr("sys.stdin", io.StringIO("a\n"))
        code, _, err = _run(["review"], capsys)  # waits out the 5 s busy timeout
    finally:
        other.close()
    assert code == 2 and "locked by another process" in err and err.count("\n") == 1
    assert _stats().by_review == {"pending": 1}


def test_purge_honours_retention(capsys: pytest.CaptureFixture[str]) -> None:
    _seed("uno")
    assert _run(["db", "purge"], capsys)[1].startswith("retention is off")
    assert _run(["db", "purge", "--days", "1"], capsys)[1] == "purged 0 pairs older than 1 days\n"
    assert _stats().total == 1
    assert _run(["db", "purge", "--days", "-1"], capsys)[0] == 2


def test_edit_opens_the_editor_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "Respuesta editada\\n" > "$1"\n', encoding="utf-8")
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    leader, follower = pty.openpty()
    try:
        with os.fdopen(follower, "r") as terminal:
            monkeypatch.setattr("sys.stdin", terminal)
            assert edit_text("Respuesta vieja") == "Respuesta editada"
    finally:
        os.close(leader)
