"""`pide-ayuda ingest` and `pide-ayuda search`: output contracts and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_search_prints_ranked_passages(
    sample_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(["search", "¿Qué es el seseo y dónde se da?", "-k", "2"], capsys)
    assert code == 0
    assert out.startswith("Q: ¿Qué es el seseo y dónde se da?")
    assert "1. La importancia de la diversidad lingüística" in out and "— María Grandury" in out
    assert "2. " in out and "3. " not in out and "(score 0." in out


def test_search_json_shape_is_stable(
    sample_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(["search", "¿Qué es UltraFeedback?", "-k", "3", "--json"], capsys)
    assert code == 0
    (line,) = out.splitlines()
    result = json.loads(line)
    assert list(result) == ["question", "hits"]
    assert result["question"] == "¿Qué es UltraFeedback?"
    assert len(result["hits"]) == 3
    for hit in result["hits"]:
        assert list(hit) == ["text", "title", "author", "score"]
        assert isinstance(hit["score"], float)
    assert "ultra feedback" in " ".join(h["text"] for h in result["hits"]).lower()


def test_search_questions_file_prints_one_line_each(
    sample_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = ["¿Qué es Phi-2?", "¿Qué modelo Gemma se usó?"]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps({"question": q, "x": 1}) for q in questions) + "\n\n")
    code, out, _ = _run(["search", "--questions", str(path), "--json", "-k", "1"], capsys)
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["question"] for line in lines] == questions
    assert all(len(line["hits"]) == 1 for line in lines)
    assert all(line["hits"][0]["author"] == "Manu Romero" for line in lines)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["search", "   "], "question is empty"),
        (["search", "a" * 10_000], "10000 characters"),
        (["search"], "give either a question or --questions"),
        (["search", "hola", "-k", "0"], "-k must be between"),
        (["search", "--questions", "missing.jsonl"], "cannot read missing.jsonl"),
        (["search", "--questions", "blank.jsonl"], "blank.jsonl:2: the question is empty"),
        (["search", "hola"], "no index at"),
        (["ingest", "--source", "nowhere.csv"], "no such file"),
        (["ingest"], "--source sample"),  # the Hub is unreachable in tests
    ],
)
def test_user_errors_are_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], isolated_settings: Path
) -> None:
    Path("blank.jsonl").write_text('{"question": "hola"}\n{"question": " "}\n', encoding="utf-8")
    code, out, err = _run(argv, capsys)
    progress = "Fetching " if argv == ["ingest"] else ""  # the one line said before the Hub's wait
    assert code == 2 and out.startswith(progress) and out.count("\n") == bool(progress)
    assert err.startswith("error: ") and message in err
    assert err.count("\n") == 1
    assert not (isolated_settings / "chroma").exists()


def test_ingest_prints_a_summary_then_skips_unchanged_talks(
    tiny_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(["ingest", "--source", str(tiny_corpus)], capsys)
    assert code == 0
    *_, summary, gate = out.splitlines()  # after the progress lines (stdout is not a terminal)
    assert summary.startswith(
        "Indexed 3 talks (3 added, 0 replaced, 0 unchanged, 0 removed): 3 chunks"
    )
    assert gate.startswith(("Relevance gate: threshold", "warning: relevance gate not calibrated"))
    assert "Embedding: 3/3 chunks" in out
    code, out, _ = _run(["ingest", "--source", str(tiny_corpus), "--no-progress"], capsys)
    assert "(0 added, 0 replaced, 3 unchanged, 0 removed)" in out and "0 embedded" in out


def test_unreachable_chroma_server_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHROMA_URL", "http://127.0.0.1:1")
    code, _, err = _run(["search", "¿Qué es Argilla?"], capsys)
    assert code == 2 and err.startswith("error: cannot reach the Chroma server")
    assert err.count("\n") == 1
