"""`pide-ayuda export --out DIR`: a dataset folder read back with the real `datasets` library."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from huggingface_hub import DatasetCard

from bot.cli import main
from bot.config import load_settings
from bot.rag.types import Answer, Source
from bot.storage import open_database
from store.curated import CuratedLog
from store.export_card import CONFIGS, TRANSCRIPTS
from store.export_dataset import export_dataset
from store.export_rows import ExportFilters
from store.records import AskContext
from tests.store.conftest import QALog, make_answer

datasets = pytest.importorskip("datasets")

PASSAGE = "Notus es un modelo afinado con DPO sobre UltraFeedback, explicó la charla entera."


@pytest.fixture(autouse=True)
def offline_datasets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep `datasets` on this machine: offline, with its cache in the test's folder."""
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf" / "datasets"))


def _answer(question: str, text: str, mode: str = "llm") -> Answer:
    answer = make_answer(question=question, text=text)
    answer.mode = mode  # type: ignore[assignment]
    answer.sources = [
        Source(
            title="Notus y DPO",
            author="Daniel Vila",
            quote="afinado con DPO",
            talk_id="talk-notus",
            chunk_id="talk-notus:0003",
            score=0.8,
            text=PASSAGE,
        )
    ]
    return answer


def _seed() -> dict[str, int]:
    """Log a bot pair, an edited pair, an extractive pair and a mentor-answered question."""

    async def work() -> dict[str, int]:
        db = open_database(load_settings())
        await db.upgrade()
        qalog = QALog(db)
        ids: dict[str, int] = {}
        slash = AskContext(surface="slash", user_id=11)
        for name, answer in {
            "bot": _answer("¿Qué es Notus?", "Notus es un modelo afinado con DPO [1]."),
            "edited": _answer("¿Qué es DPO?", "DPO es un método [1]."),
            "extractive": _answer("¿Quién habló?", "«afinado con DPO»", mode="extractive"),
            "handed": _answer("¿Qué es UltraFeedback?", "No estoy seguro [1]."),
        }.items():
            pair_id = await qalog.record(answer, slash)
            assert pair_id is not None
            ids[name] = pair_id
        edit = "DPO (Direct Preference Optimization) optimiza preferencias [1]."
        await qalog.review(ids["edited"], "edited", reviewer_id=5, edited_answer=edit)
        moderator = await CuratedLog(db).add_moderator_pair(
            "¿Qué es UltraFeedback?", "Un conjunto de preferencias de Argilla y OpenBMB.", 5
        )
        ids["moderator"] = moderator.pair_id
        await db.aclose()
        return ids

    return asyncio.run(work())


def _export(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(["export", *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def _card_header(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = DatasetCard.load(folder / "README.md").data.to_dict()
    return data


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_every_config_in_the_card_loads_in_datasets(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = _seed()
    folder = tmp_path / "dataset"
    _export(capsys, "--format", fmt, "--out", str(folder) + "/")
    names = [c["config_name"] for c in _card_header(folder)["configs"]]
    assert names == ["messages", "alpaca", "preferences"]
    loaded = {name: datasets.load_dataset(str(folder), name)["train"] for name in names}
    default = datasets.load_dataset(str(folder))["train"]

    messages = loaded["messages"]
    assert default.num_rows == messages.num_rows == loaded["alpaca"].num_rows
    by_id = {row["id"]: row for row in messages}
    assert ids["extractive"] not in by_id  # quoted fragments are not instruction answers
    assert set(by_id) == {ids["bot"], ids["edited"], ids["handed"], ids["moderator"]}
    edited = by_id[ids["edited"]]
    assert edited["messages"][1]["content"].startswith("DPO (Direct Preference")
    assert edited["provenance"] == "edited"
    (source,) = edited["sources"]
    assert (source["title"], source["speaker"], source["text"]) == (
        "Notus y DPO",
        "Daniel Vila",
        PASSAGE,
    )

    prefs = {row["id"]: row for row in loaded["preferences"]}
    from_edit = prefs[ids["edited"]]
    assert from_edit["chosen"] == [
        {"role": "assistant", "content": edited["messages"][1]["content"]}
    ]
    assert from_edit["rejected"][0]["content"] == "DPO es un método [1]."
    assert from_edit["prompt"] == [{"role": "user", "content": "¿Qué es DPO?"}]
    from_moderator = prefs[ids["moderator"]]
    assert from_moderator["rejected_id"] == ids["handed"]
    assert from_moderator["chosen_provenance"] == "moderator"
    assert from_moderator["rejected"][0]["content"] == "No estoy seguro [1]."
    assert len(prefs) == 2
    assert not list(folder.parent.glob(".dataset.*"))  # nothing left beside it


def test_options_strip_citations_and_keep_extractive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = _seed()
    folder = tmp_path / "sft"
    _export(
        capsys,
        "--out", str(folder), "--format", "jsonl", "--citations", "strip", "--include-extractive",
    )  # fmt: skip
    messages = datasets.load_dataset(str(folder), "alpaca")["train"]
    outputs = {row["id"]: row["output"] for row in messages}
    assert ids["extractive"] in outputs
    assert outputs[ids["bot"]] == "Notus es un modelo afinado con DPO."
    assert not any("[1]" in text for text in outputs.values())


def test_reexport_replaces_the_folder_and_force_guards_foreign_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed()
    folder = tmp_path / "ds"
    _export(capsys, "--out", str(folder))
    first = (folder / "README.md").read_text(encoding="utf-8")
    _export(capsys, "--out", str(folder), "--format", "jsonl", "--status", "edited")
    assert not (folder / "data" / "messages.parquet").exists()  # one data format per folder
    assert datasets.load_dataset(str(folder), "messages")["train"].num_rows == 1
    assert (folder / "README.md").read_text(encoding="utf-8") != first

    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["export", "--out", str(foreign)]) == 2
    assert "did not write" in capsys.readouterr().err
    assert (foreign / "notes.txt").exists()
    _export(capsys, "--out", str(foreign), "--force")
    assert not (foreign / "notes.txt").exists()


def test_the_published_folder_is_readable_as_any_new_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed()
    folder = tmp_path / "ds"
    previous = os.umask(0o022)
    try:
        _export(capsys, "--out", str(folder))
    finally:
        os.umask(previous)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755  # not mkdtemp's private 0700


def test_empty_config_is_not_declared(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    async def one() -> None:
        db = open_database(load_settings())
        await db.upgrade()
        await QALog(db).record(make_answer(), AskContext(surface="slash", user_id=3))
        await db.aclose()

    asyncio.run(one())
    folder = tmp_path / "ds"
    _export(capsys, "--out", str(folder), "--format", "jsonl")
    names = [c["config_name"] for c in _card_header(folder)["configs"]]
    assert names == ["messages", "alpaca"]
    for name in names:
        assert datasets.load_dataset(str(folder), name)["train"].num_rows == 1
    assert "No rows in this export" in (folder / "README.md").read_text(encoding="utf-8")


def test_the_card_is_valid_hub_metadata_and_counts_what_the_folder_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed()
    folder = tmp_path / "ds"
    _export(capsys, "--out", str(folder))
    card = DatasetCard.load(folder / "README.md")
    header = card.data.to_dict()
    assert header["language"] == ["es"] and header["license"] == "apache-2.0"
    assert [c.get("default", False) for c in header["configs"]] == [True, False, False]
    # Features per config in the Hub metadata; datasets casts to them, so every load checks them.
    info = {i["config_name"]: [f["name"] for f in i["features"]] for i in header["dataset_info"]}
    assert info["preferences"][:3] == ["prompt", "chosen", "rejected"]
    assert set(info) == set(CONFIGS)
    body = card.text
    rows = {n: datasets.load_dataset(str(folder), n)["train"].num_rows for n in CONFIGS}
    assert rows == {"messages": 4, "alpaca": 4, "preferences": 2}
    assert (
        "`data/messages.parquet`, 4 rows" in body and "`data/preferences.parquet`, 2 rows" in body
    )
    # 3 pairs asked on Discord by one person, 1 written by a moderator from the command line
    assert "; 1 distinct askers (pseudonymous); 1 pairs written from the command line" in body
    assert "Extractive answers left out of `messages` and `alpaca`: 1." in body
    assert "| `text` |" not in body  # features are listed per config, sources as one struct
    assert "speaker: string, text: string" in body
    assert 'load_dataset("path/to/this/folder", "preferences")' in body
    assert TRANSCRIPTS in body and "`review_state`" in body and "secure_delete" in body


async def test_preferences_on_both_backends(qalog: QALog, tmp_path: Path) -> None:
    slash = AskContext(surface="slash", user_id=11)
    bot_pair = await qalog.record(_answer("¿Qué es Notus?", "No lo sé [1]."), slash)
    edited = await qalog.record(_answer("¿Qué es DPO?", "Un método [1]."), slash)
    assert bot_pair is not None and edited is not None
    await qalog.review(edited, "edited", 5, "Direct Preference Optimization [1].")
    human = await CuratedLog(qalog.db).add_moderator_pair("¿Qué es Notus?", "Un modelo DPO.", 5)
    folder = tmp_path / "both"
    report = await export_dataset(qalog.db, folder, ExportFilters(), salt=b"s", fmt="jsonl")
    assert report.rows == {"messages": 3, "alpaca": 3, "preferences": 2}
    prefs = datasets.load_dataset(str(folder), "preferences")["train"]
    pairs = {(row["id"], row["rejected_id"]) for row in prefs}
    assert pairs == {(edited, edited), (human.pair_id, bot_pair)}


def test_csv_stays_one_formula_safe_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def one() -> None:
        db = open_database(load_settings())
        await db.upgrade()
        formula = make_answer(question='=HYPERLINK("http://x")', text="+1 respuesta [1].")
        await QALog(db).record(formula, AskContext(surface="slash", user_id=3))
        await db.aclose()

    asyncio.run(one())
    out = tmp_path / "pairs.csv"
    assert "csv: 1" in _export(capsys, "--format", "csv", "--out", str(out), "--citations", "strip")
    with out.open(encoding="utf-8", newline="") as handle:
        (row,) = csv.DictReader(handle)
    assert row["question"].startswith("'=") and row["answer"] == "'+1 respuesta."
    assert json.loads(row["sources"])[0]["speaker"] == "Autora 0"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("pairs")) == ["pairs.csv"]
    assert main(["export", "--out", str(out)]) == 2  # a file is not a dataset folder
    assert "is a file" in capsys.readouterr().err
