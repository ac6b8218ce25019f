"""Fixtures of the store tests: a real database, SQLite and PostgreSQL, for each test.

Tests that take `settings` (or `db`, `qalog`) run once per backend: SQLite in the test's data
directory, and a fresh database on a throwaway PostgreSQL server (tests/store/postgres.py).
Mark a test `sqlite_only` when it exercises SQLite itself (file locks, read-only files, WAL).
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import Settings, load_settings
from bot.rag.types import Answer, Source
from bot.storage import open_database, open_recorder, outcome_of
from store.db import Database
from store.models import QAPair
from store.privacy import PrivacyLog, purge_expired
from store.recording import PairRecorder
from store.records import AskContext, Delivery
from store.review import ReviewLog
from store.spool import SPOOL_FILE
from tests.store.postgres import postgres_server, postgres_url  # noqa: F401

BACKENDS = ("sqlite", "postgres")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: runs on SQLite only, not on PostgreSQL")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        sqlite_only = metafunc.definition.get_closest_marker("sqlite_only") is not None
        metafunc.parametrize("backend", BACKENDS[:1] if sqlite_only else BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(
    backend: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    if backend == "postgres":
        monkeypatch.setenv("DATABASE_URL", request.getfixturevalue("postgres_url"))
    return load_settings()


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = open_database(settings)
    await database.upgrade()
    yield database
    await database.aclose()


@pytest.fixture
async def recorder(db: Database, settings: Settings) -> AsyncIterator[PairRecorder]:
    recording = open_recorder(db, settings)
    yield recording
    await recording.aclose()


class QALog:
    """The store's real parts behind one object, so tests read like the questions they ask."""

    def __init__(self, db: Database, recorder: PairRecorder | None = None) -> None:
        self.db = db
        self.recorder = recorder or PairRecorder(db, Path(tempfile.mkdtemp()) / SPOOL_FILE)
        self.reviews = ReviewLog(db)
        self.privacy = PrivacyLog(db, self.recorder)
        self.vote = self.reviews.vote
        self.review = self.reviews.review
        self.next_pending = self.reviews.next_pending
        self.stats = self.reviews.stats
        self.is_opted_out = self.privacy.is_opted_out
        self.set_opt_out = self.privacy.set_opt_out
        self.delete_user_data = self.privacy.delete_user_data

    async def record(
        self, answer: Answer, context: AskContext, delivery: Delivery = "delivered"
    ) -> int | None:
        """Open, finish and write one pair; return its row id (None when it was not saved)."""
        question = await self.recorder.open(answer.question, context)
        self.recorder.finished(question, outcome_of(answer, delivery))
        await self.recorder.flush()
        return await self.pair_id(question.key)

    async def pair_id(self, key: str) -> int | None:
        try:
            async with self.db.sessions() as session:
                return await session.scalar(select(QAPair.id).where(QAPair.key == key))
        except Exception:
            return None

    async def purge_expired(self, days: int) -> int:
        return await purge_expired(self.db, days)


@pytest.fixture
def qalog(db: Database, recorder: PairRecorder) -> QALog:
    return QALog(db, recorder)


def sqlite_path(settings: Settings) -> Path:
    """Return the SQLite file behind the settings' database URL."""
    return Path(settings.sqlalchemy_url.split("///", 1)[1])


@pytest.fixture
def write_lock(db: Database, settings: Settings) -> Iterator[sqlite3.Connection]:
    """Hold the write lock from another connection, as a second process would."""
    other = sqlite3.connect(sqlite_path(settings), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield other
    other.close()


def make_answer(
    question: str = "¿Qué es Argilla?",
    text: str = "Argilla es una herramienta de anotación.",
    status: str = "answered",
    talks: tuple[str, ...] = ("Argilla y distilabel",),
    score: float = 0.8,
) -> Answer:
    """Build an Answer the way the answerer does, citing the given talks."""
    sources = [
        Source(
            title=title,
            author=f"Autora {i}",
            quote=f"cita {i}",
            talk_id=f"talk-{title}",
            chunk_id=f"talk-{title}-{i}",
            score=score,
        )
        for i, title in enumerate(talks)
    ]
    return Answer(
        question=question,
        text=text,
        mode="llm" if status != "refused" else "refused",
        status=status,  # type: ignore[arg-type]
        sources=sources,
        model="test-model",
        endpoint="http://127.0.0.1:8000/v1",
        error_cause="LLM timed out" if status == "error" else None,
        timings={"retrieval": 0.1, "total": 1.5},
    )
