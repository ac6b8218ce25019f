"""`export_dataset` folders: a foreign folder is kept unless forced; a failure changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from huggingface_hub import DatasetCard

from store.db import Database
from store.errors import StoreError
from store.export_dataset import ExportError, export_dataset
from store.export_rows import ExportFilters
from store.records import AskContext
from tests.store.conftest import QALog, make_answer

SALT = b"a test salt"
CONTEXT = AskContext(surface="slash", user_id=381234567890123456)


def _card(folder: Path) -> tuple[dict[str, Any], str]:
    """Read the card as the Hub does: its YAML metadata and its Markdown body."""
    card = DatasetCard.load(folder / "README.md")
    return card.data.to_dict(), card.text


def _configs(folder: Path) -> dict[str, Any]:
    header, _ = _card(folder)
    return {c["config_name"]: c["data_files"] for c in header["configs"]}


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def _seed(qalog: QALog, count: int) -> None:
    for n in range(count):
        await qalog.record(make_answer(question=f"¿Pregunta {n}?"), CONTEXT)


async def test_a_readme_written_by_someone_else_is_kept_unless_forced(
    db: Database, qalog: QALog, tmp_path: Path
) -> None:
    await _seed(qalog, 1)
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "README.md").write_text("# Mis notas\n", encoding="utf-8")
    with pytest.raises(ExportError, match="did not write"):
        await export_dataset(db, folder, ExportFilters(), salt=SALT, fmt="jsonl")
    assert _names(folder) == ["README.md"]
    assert (folder / "README.md").read_text(encoding="utf-8") == "# Mis notas\n"
    await export_dataset(db, folder, ExportFilters(), salt=SALT, fmt="jsonl", overwrite=True)
    assert _configs(folder)["messages"] == [{"split": "train", "path": "data/messages.jsonl"}]


async def test_a_failed_export_leaves_the_folder_and_its_card_as_they_were(
    db: Database, qalog: QALog, tmp_path: Path
) -> None:
    await _seed(qalog, 2)
    folder = tmp_path / "exports" / "d"
    await export_dataset(db, folder, ExportFilters(), salt=SALT, fmt="jsonl")
    before = _tree(folder)
    await db.downgrade("base")
    with pytest.raises(StoreError):
        await export_dataset(db, folder, ExportFilters(), salt=SALT, fmt="parquet")
    assert _tree(folder) == before
    assert _names(folder.parent) == ["d"]  # no staged folder left beside it


async def test_the_card_never_shows_the_guild_id_of_a_filter(
    db: Database, qalog: QALog, tmp_path: Path
) -> None:
    guild = 991234567890123456
    await qalog.record(make_answer(), AskContext(surface="slash", user_id=5, guild_id=guild))
    folder = tmp_path / "d"
    await export_dataset(db, folder, ExportFilters(guild_id=guild), salt=SALT, fmt="jsonl")
    for path in folder.rglob("*"):
        assert path.is_dir() or str(guild).encode() not in path.read_bytes(), path.name
    assert "guild=one Discord server" in _card(folder)[1]
