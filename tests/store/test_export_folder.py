"""`export_pairs` (single files, as `/exportar` sends them): one README.md card per folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from huggingface_hub import DatasetCard

from store.db import Database
from store.errors import StoreError
from store.export import ExportError, ExportFilters, export_pairs
from store.export_folder import MANIFEST_NAME
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


async def _seed(qalog: QALog, count: int) -> None:
    for n in range(count):
        await qalog.record(make_answer(question=f"¿Pregunta {n}?"), CONTEXT)


async def test_a_later_export_adds_its_file_and_a_repeated_one_replaces_its_entry(
    db: Database, qalog: QALog, tmp_path: Path
) -> None:
    await _seed(qalog, 2)
    folder = tmp_path / "d"
    await export_pairs(db, "jsonl", folder / "qa.jsonl", ExportFilters(), salt=SALT)
    await export_pairs(db, "csv", folder / "qa.csv", ExportFilters(), salt=SALT)
    await _seed(qalog, 3)
    report = await export_pairs(
        db, "jsonl", folder / "qa.jsonl", ExportFilters(), salt=SALT, overwrite=True
    )

    assert report.files_in_card == 2
    assert _configs(folder) == {"qa-csv": "qa.csv", "qa-jsonl": "qa.jsonl"}
    _, body = _card(folder)
    assert body.count("### `qa.jsonl`") == 1 and body.count("### `qa.csv`") == 1
    assert "| `qa.jsonl` | jsonl | 5 |" in body and "| `qa.csv` | csv | 2 |" in body
    manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert [(f["name"], f["rows"]) for f in manifest["files"]] == [("qa.csv", 2), ("qa.jsonl", 5)]


async def test_a_data_file_removed_by_hand_leaves_the_card(
    db: Database, qalog: QALog, tmp_path: Path
) -> None:
    await _seed(qalog, 1)
    folder = tmp_path / "d"
    await export_pairs(db, "jsonl", folder / "old.jsonl", ExportFilters(), salt=SALT)
    (folder / "old.jsonl").unlink()
    await export_pairs(db, "parquet", folder / "qa.parquet", ExportFilters(), salt=SALT)
    assert _configs(folder) == {"qa-parquet": "qa.parquet"}


async def test_a_readme_written_by_someone_else_is_kept_unless_forced(
    db: Database, qalog: QALog, tmp_path: Path
) -> None:
    await _seed(qalog, 1)
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "README.md").write_text("# Mis notas\n", encoding="utf-8")
    with pytest.raises(ExportError, match="not written by pide-ayuda export"):
        await export_pairs(db, "jsonl", folder / "qa.jsonl", ExportFilters(), salt=SALT)
    assert sorted(p.name for p in folder.iterdir()) == ["README.md"]
    assert (folder / "README.md").read_text(encoding="utf-8") == "# Mis notas\n"
    await export_pairs(db, "jsonl", folder / "qa.jsonl", ExportFilters(), salt=SALT, overwrite=True)
    assert _configs(folder) == {"qa-jsonl": "qa.jsonl"}


async def test_a_failed_export_leaves_the_folder_and_its_card_as_they_were(
    db: Database, qalog: QALog, tmp_path: Path
) -> None:
    await _seed(qalog, 2)
    folder = tmp_path / "d"
    await export_pairs(db, "jsonl", folder / "qa.jsonl", ExportFilters(), salt=SALT)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    await db.downgrade("base")
    with pytest.raises(StoreError):
        await export_pairs(db, "parquet", folder / "qa.parquet", ExportFilters(), salt=SALT)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


async def test_the_card_never_shows_the_guild_id_of_a_filter(
    db: Database, qalog: QALog, tmp_path: Path
) -> None:
    guild = 991234567890123456
    await qalog.record(make_answer(), AskContext(surface="slash", user_id=5, guild_id=guild))
    folder = tmp_path / "d"
    await export_pairs(db, "jsonl", folder / "qa.jsonl", ExportFilters(guild_id=guild), salt=SALT)
    for path in folder.iterdir():
        assert str(guild).encode() not in path.read_bytes(), path.name
    assert "guild=one Discord server" in _card(folder)[1]
