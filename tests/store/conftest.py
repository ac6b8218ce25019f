"""Fixtures of the store tests: a real database, SQLite and PostgreSQL, for each test.

Tests that take `settings` (or `db`, `qalog`) run once per backend: SQLite in the test's data
directory, and a fresh database on a throwaway PostgreSQL server (tests/store/postgres.py).
Mark a test `sqlite_only` when it exercises SQLite itself (file locks, read-only files, WAL).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.rag.types import Answer, Source
from store.db import Database
from store.repository import QALog
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
    database = Database.from_settings(settings)
    await database.upgrade()
    yield database
    await database.aclose()


@pytest.fixture
def qalog(db: Database) -> QALog:
    return QALog(db)


def sqlite_path(settings: Settings) -> Path:
    """Return the SQLite file behind the settings' database URL."""
    return Path(settings.sqlalchemy_url.split("///", 1)[1])


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
