"""Fixtures of the store tests: a real SQLite database in the test's data directory."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings, load_settings
from bot.rag.types import Answer, Source
from store.db import Database
from store.repository import QALog


@pytest.fixture
def settings() -> Settings:
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
