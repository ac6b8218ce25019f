from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bot.rag.corpus import load_talks
from bot.rag.errors import CorpusError
from tests.rag.conftest import TINY_TALKS, write_jsonl

DATASET = "Danielbrdz/Barcenas-Hackathon-2024-Somos-NLP-Transcripcion"


def test_sample_loads_four_normalised_talks() -> None:
    talks = load_talks("sample", DATASET)
    assert len(talks) == 4
    assert all("\n" not in t.text and "  " not in t.text for t in talks)
    assert {t.author for t in talks} >= {"Manu Romero", "María Grandury"}
    assert len({t.talk_id for t in talks}) == 4


def test_jsonl_csv_and_parquet_give_the_same_talks(tmp_path: Path) -> None:
    jsonl = write_jsonl(tmp_path / "t.jsonl", TINY_TALKS)
    with (tmp_path / "t.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["Nombre", "Transcripción", "Autor"])
        writer.writeheader()
        writer.writerows(TINY_TALKS)
    pq.write_table(pa.Table.from_pylist(TINY_TALKS), tmp_path / "t.parquet")
    loaded = [load_talks(str(tmp_path / name), DATASET) for name in ("t.csv", "t.parquet")]
    assert loaded[0] == loaded[1] == load_talks(str(jsonl), DATASET)


def test_one_word_a_line_is_joined_and_ids_are_stable(tiny_corpus: Path) -> None:
    first = load_talks(str(tiny_corpus), DATASET)
    assert first[0].text.startswith("hola a todos hoy vamos")
    assert [t.talk_id for t in first] == [t.talk_id for t in load_talks(str(tiny_corpus), DATASET)]


def test_empty_rows_are_skipped(tmp_path: Path) -> None:
    rows = [*TINY_TALKS, {"Nombre": "Vacía", "Autor": "X", "Transcripción": " \n "}]
    rows.append({"Nombre": "", "Autor": "Y", "Transcripción": "texto sin título"})
    talks = load_talks(str(write_jsonl(tmp_path / "t.jsonl", rows)), DATASET)
    assert [t.author for t in talks] == ["Ana", "Beatriz", "Carlos"]


def test_a_missing_column_names_it(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [{"Nombre": "Charla", "Texto": "hola"}])
    with pytest.raises(CorpusError, match="Transcripción, Autor"):
        load_talks(str(path), DATASET)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("all_empty.jsonl", json.dumps({"Nombre": "", "Autor": "", "Transcripción": ""}), "no row"),
        ("broken.jsonl", "{not json", "cannot read"),
        ("notes.txt", "hola", "unsupported file type"),
    ],
)
def test_unusable_files_fail_with_one_line(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError, match=message) as caught:
        load_talks(str(tmp_path / name), DATASET)
    assert "\n" not in str(caught.value)


def test_missing_file_says_what_to_pass(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no such file"):
        load_talks(str(tmp_path / "nope.parquet"), DATASET)


def test_unreachable_hub_suggests_the_sample() -> None:
    # The suite's network guard and HF_HUB_OFFLINE make the Hub unreachable, as on an offline VPS.
    with pytest.raises(CorpusError, match="--source sample") as caught:
        load_talks(None, DATASET)
    assert "\n" not in str(caught.value)
