"""Fixtures of the answers area: the fake chat server, the sample index opened once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.rag.index import Index
from tests.fakes.chat_server import FakeChatServer, fake_llm  # noqa: F401
from tests.fixtures.corpus import built_sample_index, sample_data_dir  # noqa: F401


@pytest.fixture(scope="session")
def sample_index(built_sample_index: Path) -> Iterator[Index]:  # noqa: F811
    """Open the built sample index once per session (read-only, shared by answerers)."""
    index = Index.open(Settings.model_validate({"PIDE_AYUDA_DATA_DIR": str(built_sample_index)}))
    yield index
    index.close()


def llm_settings(server: FakeChatServer, **overrides: Any) -> Settings:
    """Return settings pointing at the fake chat server, without retries unless asked."""
    values: dict[str, Any] = {
        "llm_base_url": server.base_url,
        "llm_model": server.model,
        "llm_max_retries": 0,
        "llm_timeout": 5.0,
    }
    values.update(overrides)
    return Settings(**values)
