"""A person forgotten by another process: their question in flight, or spooled, is not written back.

Each `_process` below stands for a process of its own (the bot, another shard, `pide-ayuda
privacy forget`): its own engine on the same database and its own spool, sharing nothing in
memory. Real SQLite and PostgreSQL; on PostgreSQL (no file lock), a forgetting also waits for a
write of its person that has already checked.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from bot.config import Settings
from bot.storage import outcome_of
from store.backlog import quarantine_path
from store.db import MIGRATION_LOCK_KEY as LOCK_KEY
from store.db import Database
from store.erasures import ERASURE_KEEP, hold_person, was_forgotten
from store.export_dataset import export_dataset
from store.export_rows import ExportFilters
from store.models import ErasureRequest, QAPair, utcnow
from store.pair_writes import apply_finish
from store.privacy import PrivacyLog, prune_erasure_records
from store.recording import PairRecorder
from store.records import AskContext, QuestionRecord, new_key
from store.spool import SPOOL_FILE, Entry, Replied, Spool
from tests.ports import free_port
from tests.store.conftest import make_answer

MARKER = "mirlo-41c2"
QUESTION = f"¿Cómo cito la charla {MARKER} en mi proyecto?"
LATER = "¿Dónde están las grabaciones de las charlas?"
ASKER, OTHER = 3001, 3002


def _unreachable() -> str:
    """Return the URL of a PostgreSQL server that is down: nothing listens on its port."""
    return f"postgresql+asyncpg://pide@127.0.0.1:{free_port()}/gone"


@asynccontextmanager
async def _process(url: str, spool_dir: Path) -> AsyncIterator[tuple[PairRecorder, PrivacyLog]]:
    """Yield the recorder and privacy log of a process of its own on the database at `url`."""
    db = Database(url)
    recorder = PairRecorder(db, spool_dir / SPOOL_FILE, replay_seconds=3600)
    try:
        yield recorder, PrivacyLog(db, recorder)
    finally:
        await recorder.aclose()
        await db.aclose()


async def _questions(db: Database, user_id: int) -> list[str]:
    async with db.sessions() as session:
        query = select(QAPair.question).where(QAPair.user_id == user_id).order_by(QAPair.id)
        return list((await session.scalars(query)).all())


def _text_of(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file())


async def _exported(db: Database, out: Path) -> str:
    await export_dataset(db, out, ExportFilters(), salt=b"s" * 32, fmt="jsonl")
    return _text_of(out)


async def test_a_question_in_flight_when_another_process_forgets_its_asker_is_not_written_back(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    url = settings.sqlalchemy_url
    async with (
        _process(url, tmp_path / "bot") as (bot, _),
        _process(url, tmp_path / "cli") as (_, privacy),
    ):
        asked = await bot.open(QUESTION, AskContext("slash", ASKER))
        assert await _questions(db, ASKER) == [QUESTION]  # saved in progress from arrival

        await privacy.delete_user_data(ASKER)
        assert await _questions(db, ASKER) == []

        bot.finished(asked, outcome_of(make_answer(question=QUESTION), "delivered"))
        await bot.flush()
        assert await _questions(db, ASKER) == []
        assert bot.pending() == 0  # dropped, not left waiting in the spool

        later = await bot.open(LATER, AskContext("slash", ASKER))  # asked after the forgetting
        bot.finished(later, outcome_of(make_answer(question=LATER), "delivered"))
        await bot.flush()
        assert await _questions(db, ASKER) == [LATER]
    exported = await _exported(db, tmp_path / "export")
    assert LATER in exported and MARKER not in exported


async def test_a_question_spooled_before_its_asker_was_forgotten_is_not_replayed(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    spooling = tmp_path / "shard"
    async with _process(_unreachable(), spooling) as (cut_off, _):  # its database is down
        asked = await cut_off.open(QUESTION, AskContext("slash", ASKER))
        cut_off.finished(asked, outcome_of(make_answer(question=QUESTION), "delivered"))
        kept = await cut_off.open(LATER, AskContext("slash", OTHER))
        cut_off.finished(kept, outcome_of(make_answer(question=LATER), "delivered"))
        await cut_off.flush()
        assert cut_off.pending() == 4  # both arrivals and both outcomes

    async with _process(settings.sqlalchemy_url, tmp_path / "cli") as (_, privacy):
        await privacy.delete_user_data(ASKER)  # another process: the shard's spool is not its own

    async with _process(settings.sqlalchemy_url, spooling) as (restarted, _):
        assert await restarted.replay() == 4
        assert restarted.pending() == 0
    assert await _questions(db, ASKER) == []
    assert await _questions(db, OTHER) == [LATER]
    exported = await _exported(db, tmp_path / "export")
    assert LATER in exported and MARKER not in exported


async def _blocked_or_done(db: Database, task: asyncio.Task[object]) -> None:
    """Return once `task` is done or waits for an advisory lock (PostgreSQL)."""
    waiting = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
    async with asyncio.timeout(15), db.engine.connect() as connection:
        # The lock is another connection's state: there is nothing to await but time.
        while not task.done() and not await connection.scalar(waiting):  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def test_on_postgresql_a_forgetting_waits_for_a_write_that_already_checked(
    postgres_url: str, tmp_path: Path
) -> None:
    """Without SQLite's file lock, the advisory lock keeps the check and the write together."""
    db = Database(postgres_url)
    await db.upgrade()
    question = QuestionRecord(new_key(), QUESTION, AskContext("slash", ASKER), utcnow())
    outcome = outcome_of(make_answer(question=QUESTION), "delivered")
    try:
        async with _process(postgres_url, tmp_path / "cli") as (_, privacy):
            async with db.writing() as session:  # the steps of PairRecorder._apply, in order
                await hold_person(session, ASKER, forgetting=False)
                assert not await was_forgotten(session, question)
                forgetting = asyncio.create_task(privacy.delete_user_data(ASKER))
                await _blocked_or_done(db, forgetting)
                await apply_finish(session, question, outcome)
            await forgetting
        assert await _questions(db, ASKER) == []
    finally:
        await db.aclose()


async def test_on_postgresql_forgetting_never_waits_for_the_migration_lock(
    postgres_url: str, tmp_path: Path
) -> None:
    """A person whose id equals the migration lock's key is forgotten while a migration runs."""
    db = Database(postgres_url)
    await db.upgrade()
    try:
        async with db.engine.connect() as migrating, _process(postgres_url, tmp_path) as (_, log):
            await migrating.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
            forgotten = await asyncio.wait_for(log.delete_user_data(LOCK_KEY), 15)
            await migrating.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
        assert forgotten.rows == 0
    finally:
        await db.aclose()


async def test_a_question_spooled_longer_than_the_erasure_records_is_set_aside_not_written(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    spooling = tmp_path / "shard"
    async with _process(_unreachable(), spooling) as (cut_off, _):  # down for over a month
        asked = await cut_off.open(QUESTION, AskContext("slash", ASKER))
        cut_off.finished(asked, outcome_of(make_answer(question=QUESTION), "delivered"))
        await cut_off.flush()
    spool = Spool(spooling / SPOOL_FILE)
    month_ago = utcnow() - ERASURE_KEEP - timedelta(days=1)
    aged = [_arrived_at(entry, month_ago) for entry in spool.read()]
    spool.path.unlink()
    for entry in aged:
        spool.append(entry)

    async with _process(settings.sqlalchemy_url, tmp_path / "cli") as (_, privacy):
        await privacy.delete_user_data(ASKER)
    async with db.writing() as session:  # a month ago, so its record has been pruned since
        await session.execute(update(ErasureRequest).values(forgotten_at=month_ago))
    assert await prune_erasure_records(db) == 1

    async with _process(settings.sqlalchemy_url, spooling) as (restarted, _):
        assert await restarted.replay() == 0
        assert restarted.pending() == 0
    assert await _questions(db, ASKER) == []
    assert MARKER not in await _exported(db, tmp_path / "export")
    assert MARKER in quarantine_path(spool.path).read_text(encoding="utf-8")  # for a human


async def test_a_question_too_old_to_check_is_set_aside_on_the_live_path_too(
    db: Database, settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    month_ago = utcnow() - ERASURE_KEEP - timedelta(days=1)
    held = QuestionRecord(new_key(), QUESTION, AskContext("slash", ASKER), month_ago)
    async with _process(settings.sqlalchemy_url, tmp_path) as (recorder, _):
        recorder.finished(held, outcome_of(make_answer(question=QUESTION), "delivered"))
        await recorder.flush()
        assert recorder.pending() == 0  # not spooled for a replay that could only refuse it
    assert MARKER in quarantine_path(tmp_path / SPOOL_FILE).read_text(encoding="utf-8")
    assert "database error" not in caplog.text and "not written" in caplog.text


def _arrived_at(entry: Entry, when: datetime) -> Entry:
    """Return the spool entry as if its question had arrived at `when`."""
    if isinstance(entry, Replied):
        return entry
    return dataclasses.replace(entry, question=dataclasses.replace(entry.question, created_at=when))


async def test_an_erasure_record_keeps_the_user_id_only_for_its_retention(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    async with _process(settings.sqlalchemy_url, tmp_path / "cli") as (_, privacy):
        await privacy.delete_user_data(ASKER)
        await privacy.delete_user_data(OTHER)
    async with db.writing() as session:
        aged = utcnow() - ERASURE_KEEP - timedelta(minutes=1)
        await session.execute(
            update(ErasureRequest).where(ErasureRequest.user_id == ASKER).values(forgotten_at=aged)
        )
    assert await prune_erasure_records(db) == 1
    assert await prune_erasure_records(db) == 0
    async with db.sessions() as session:
        kept = (await session.scalars(select(ErasureRequest.user_id))).all()
    assert kept == [OTHER]
