"""PostgreSQL only: the real server, time zones, streaming, concurrency and its failure modes.

The dialect-neutral store tests run on PostgreSQL too (see conftest.py); these cover what only
a server brings: a server time zone, concurrent writers without SQLite's lock, NUL characters,
and a server that is down or refuses the URL's database.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, timedelta, timezone
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from bot.cli import main
from bot.config import load_settings
from bot.storage import open_database
from store.db import Database
from store.errors import DatabaseUnavailableError
from store.export_dataset import export_dataset
from store.export_rows import ExportFilters, iter_batches
from store.models import Feedback, PairSource, QAPair, utcnow
from store.records import AskContext
from tests.ports import free_port
from tests.store.conftest import QALog, make_answer
from tests.store.postgres import SERVER_TIMEZONE, PostgresServer

SALT = b"a test salt"

CTX = AskContext(surface="slash", user_id=381234567890123456, guild_id=991234567890123456)


@pytest.fixture
async def pg(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Database]:
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    database = open_database(load_settings())
    await database.upgrade()
    yield database
    await database.aclose()


async def test_the_backend_is_a_real_postgresql_server(pg: Database) -> None:
    async with pg.engine.connect() as connection:
        version = await connection.scalar(sa.text("SELECT version()"))
        zone = await connection.scalar(sa.text("SHOW timezone"))
        columns = await connection.execute(
            sa.text(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = 'qa_pairs'"
            )
        )
        kinds: dict[str, str] = {str(name): str(kind) for name, kind in columns}
    assert str(version).startswith("PostgreSQL ")
    assert (pg.engine.dialect.name, pg.engine.dialect.driver) == ("postgresql", "asyncpg")
    assert zone == SERVER_TIMEZONE
    assert (kinds["user_id"], kinds["timings"]) == ("bigint", "json")
    assert kinds["created_at"] == "timestamp without time zone"


async def test_timestamps_are_utc_whatever_the_server_time_zone(
    pg: Database, tmp_path: Path
) -> None:
    before = utcnow()
    pair_id = await QALog(pg).record(make_answer(), CTX)
    after = utcnow()
    assert pair_id is not None
    async with pg.sessions() as session:
        pair = await session.get(QAPair, pair_id)
        stored = await session.scalar(sa.text("SELECT created_at FROM qa_pairs"))
        # The server's own clock, in UTC: a value written in its local zone would be 14 h off.
        skew = await session.scalar(
            sa.text(
                "SELECT abs(extract(epoch FROM created_at - (now() AT TIME ZONE 'UTC'))) "
                "FROM qa_pairs"
            )
        )
    assert pair is not None and before <= pair.created_at <= after
    assert pair.created_at.tzinfo is UTC and stored == pair.created_at.replace(tzinfo=None)
    assert float(skew) < 3600
    kiritimati = timezone(timedelta(hours=14))
    since = before.astimezone(kiritimati)  # the same instant, written in another zone
    out = tmp_path / "pairs"
    report = await export_dataset(pg, out, ExportFilters(since=since), salt=SALT, fmt="jsonl")
    assert report.rows["messages"] == 1
    report = await export_dataset(pg, out, ExportFilters(until=since), salt=SALT, fmt="jsonl")
    assert report.rows["messages"] == 0


async def test_export_streams_in_keyset_batches_and_sees_new_pairs(
    pg: Database, tmp_path: Path
) -> None:
    qalog = QALog(pg)
    ids = [await qalog.record(make_answer(question=f"q{i}"), CTX) for i in range(5)]
    await qalog.record(make_answer(status="error"), CTX)  # left out by the default filters
    batches = []
    async for rows in iter_batches(pg, ExportFilters(), SALT, batch_size=2):
        batches.append([row["id"] for row in rows])
        if len(batches) == 1:  # a pair logged while the export runs lands in a later batch
            ids.append(await qalog.record(make_answer(question="late"), CTX))
    assert [len(batch) for batch in batches] == [2, 2, 2]
    assert [i for batch in batches for i in batch] == ids
    for fmt in ("jsonl", "parquet"):
        folder = tmp_path / fmt
        await export_dataset(pg, folder, ExportFilters(), salt=SALT, fmt=fmt)
        out = folder / "data" / f"messages.{fmt}"
        if fmt == "parquet":
            rows = pq.read_table(out).to_pylist()
        else:
            rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert [row["id"] for row in rows] == ids
        assert {row["asker"] for row in rows} != {None}
        for path in (p for p in folder.rglob("*") if p.is_file()):
            assert str(CTX.user_id).encode() not in path.read_bytes(), path.name
        assert rows[0]["messages"][0]["content"] == "q0"


async def test_concurrent_records_and_votes_keep_one_vote_per_user(pg: Database) -> None:
    qalog = QALog(pg)
    ids = await asyncio.gather(*(qalog.record(make_answer(), CTX) for _ in range(20)))
    assert None not in ids and len(set(ids)) == 20
    target = ids[0]
    assert target is not None
    flips = [qalog.vote(target, 7, 1 if i % 2 else -1) for i in range(20)]
    others = [qalog.vote(target, 100 + i, 1) for i in range(10)]
    await asyncio.gather(*flips, *others)
    async with pg.sessions() as session:
        votes = (await session.execute(sa.select(Feedback.user_id, Feedback.value))).all()
        sources = await session.scalar(sa.select(sa.func.count()).select_from(PairSource))
    assert sorted(user for user, _ in votes) == [7, *range(100, 110)]
    assert sources == 20
    stats = await qalog.stats()
    assert stats.total == 20 and stats.voted_pairs == 1
    assert stats.votes_up + stats.votes_down == 11


async def test_nul_characters_are_dropped_and_the_pair_kept(pg: Database) -> None:
    qalog = QALog(pg)
    answer = make_answer(question="¿ho\x00la?", text="res\x00puesta", status="error")
    answer.error_cause = "LLM\x00 timed out"
    answer.sources = [dataclasses.replace(answer.sources[0], quote="ci\x00ta")]
    pair_id = await qalog.record(answer, CTX)
    assert pair_id is not None
    await qalog.review(pair_id, "edited", 1, edited_answer="corre\x00gida")
    async with pg.sessions() as session:
        pair = await session.get(QAPair, pair_id)
        quote = await session.scalar(sa.select(PairSource.quote))
    assert pair is not None
    assert (pair.question, pair.answer, pair.edited_answer) == ("¿hola?", "respuesta", "corregida")
    assert pair.error_cause == "LLM timed out"
    assert quote == "cita"


async def test_a_server_that_is_down_raises_store_errors(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql+asyncpg://pide@127.0.0.1:{free_port()}/x")
    db = open_database(load_settings())
    qalog = QALog(db)
    try:
        with caplog.at_level(logging.WARNING, logger="store.recording"):
            assert await qalog.record(make_answer(), CTX) is None
        assert caplog.text.count("could not record opened") == 1  # spooled, not retried at once
        assert qalog.recorder.pending() == 2  # the question and its outcome wait on disk
        calls = [
            db.upgrade(),
            db.current(),
            qalog.stats(),
            qalog.is_opted_out(1),
            qalog.set_opt_out(1, True),
            qalog.vote(1, 1, 1),
            qalog.next_pending(),
            qalog.review(1, "approved", 1),
            qalog.delete_user_data(1),
            qalog.purge_expired(days=1),
            export_dataset(db, tmp_path / "out" / "pairs", ExportFilters(), salt=SALT),
        ]
        for call in calls:
            with pytest.raises(DatabaseUnavailableError, match="server is reachable"):
                await call
        assert list((tmp_path / "out").iterdir()) == []
    finally:
        await db.aclose()


async def test_a_missing_database_or_role_is_named(
    postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing_db = postgres_server.url("no_such_db")
    missing_role = missing_db.replace("pide@", "nobody@")
    for url, cause in ((missing_db, "does not exist"), (missing_role, "nobody")):
        monkeypatch.setenv("DATABASE_URL", url)
        db = open_database(load_settings())
        try:
            with pytest.raises(DatabaseUnavailableError, match="user, password and database"):
                await db.upgrade()
            with pytest.raises(DatabaseUnavailableError, match=cause):
                await QALog(db).stats()
        finally:
            await db.aclose()


def test_the_cli_works_on_postgresql(
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "current"]) == 0
    out = tmp_path / "dataset"
    assert main(["export", "--format", "parquet", "--out", str(out)]) == 0
    assert "messages: 0" in capsys.readouterr().out and (out / "README.md").exists()
    assert main(["db", "downgrade", "base"]) == 0
    down = f"postgresql+asyncpg://pide@127.0.0.1:{free_port()}/x"
    monkeypatch.setenv("DATABASE_URL", down)
    capsys.readouterr()
    assert main(["db", "current"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
