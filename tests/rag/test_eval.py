"""`pide-ayuda eval` on the real sample index: retrieval figures, gate refusals, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main

IN_SCOPE: list[dict[str, object]] = [
    {
        "question": "¿Qué es el seseo y dónde se da?",
        "author": "María Grandury",
        "evidence": ["Andalucía"],
    },
    {
        "question": "¿Qué es UltraFeedback y para qué se usa?",
        "author": "Gabriel @Argilla",
        "evidence": ["una frase que no aparece en ninguna charla"],
    },
]
OFF_TOPIC: list[dict[str, object]] = [
    {"question": "🤖🤖🤖", "kind": "emoji"},
    {"question": "¿Cuántos Grand Slam ha ganado Rafa Nadal?", "kind": "sport"},
    {"question": "¿Qué es el seseo y dónde se da?", "kind": "sport"},  # covered: must be counted
]


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_eval_json_counts_hits_misses_and_refusals(
    sample_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inside, outside = (
        _write(tmp_path / "in.jsonl", IN_SCOPE),
        _write(tmp_path / "off.jsonl", OFF_TOPIC),
    )
    argv = ["eval", "--questions", str(inside), "--offtopic", str(outside), "--json"]
    code, out, _ = _run(argv, capsys)
    assert code == 0
    report = json.loads(out)
    found = report["in_scope"]
    assert found["questions"] == 2
    # The second question's evidence occurs nowhere, so it must be a miss: the metric can fail.
    assert found["recall@k"] == 1 and found["misses@k"] == [IN_SCOPE[1]["question"]]
    assert found["recall@1"] <= 1 and 0 < found["mrr"] <= 0.5
    assert found["right_talk@1"] == 2
    assert 300 < found["mean_passage_chars"] < 2200  # chunks of ~700, up to three merged
    assert found["gate_answered"] == 2 and found["wrongly_refused"] == []
    assert report["off_topic"] == {
        "questions": 3,
        "refused": 2,
        "not_questions": 1,
        "wrongly_answered": [OFF_TOPIC[2]["question"]],
        "by_kind": {
            "emoji": {"refused": 1, "questions": 1},
            "sport": {"refused": 1, "questions": 2},
        },
    }
    assert "cores" in report["machine"] and report["k"] == 5


def test_eval_markdown_report_has_the_table_and_the_misses(
    sample_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inside = _write(tmp_path / "in.jsonl", IN_SCOPE)
    code, out, _ = _run(["eval", "--questions", str(inside), "-k", "3"], capsys)
    assert code == 0
    assert out.startswith("# pide-ayuda eval")
    assert "| recall@3 | 1/2 |" in out and "| right talk @1 | 2/2 |" in out
    assert "**Missed at k** (1)" in out and str(IN_SCOPE[1]["question"]) in out
    assert "off-topic" not in out
    outside = _write(tmp_path / "off.jsonl", OFF_TOPIC)
    code, out, _ = _run(["eval", "--questions", str(inside), "--offtopic", str(outside)], capsys)
    assert code == 0
    assert "| off-topic refused by the gate | 2/3 |" in out
    assert "| of which not questions (small talk, orders, no words) | 1 |" in out
    assert "| off-topic refused: sport | 1/2 |" in out


def test_eval_user_errors_are_one_line_and_exit_2(
    sample_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"question": "bien"}\nno es json\n', "utf-8")
    cases = [
        ["eval", "--questions", str(broken)],
        ["eval", "--questions", str(tmp_path / "missing.jsonl")],
        ["eval", "--questions", str(broken), "--answers"],
        ["eval", "--questions", str(broken), "-k", "0"],
    ]
    for argv in cases:
        code, out, err = _run(argv, capsys)
        assert code == 2 and out == "", argv
        assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "broken.jsonl:2" in _run(cases[0], capsys)[2]
    assert "LLM_BASE_URL" in _run(cases[2], capsys)[2]
