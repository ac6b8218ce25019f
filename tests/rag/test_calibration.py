"""The gate fits itself to the index and embedder: saved beside the index, checked when opened,
and still separating on-topic from off-topic questions through an embedder on another scale."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_settings
from bot.rag.answer import Answerer
from bot.rag.calibrate import calibrate_index
from bot.rag.calibration import calibration_path, load, save
from bot.rag.calibration_fit import CalibrationError
from bot.rag.calibration_rule import Anchors, Rule
from bot.rag.corpus import load_talks
from bot.rag.gate import E5_SMALL, OperatingPoint
from bot.rag.index import Index
from tests.ports import free_port
from tests.rag.conftest import _serve, write_jsonl

DATA = Path(__file__).parents[2] / "bench" / "data"
SHIFTED_MODEL = "e5-small-shifted"
# Two of the four sample talks: enough to calibrate on, and half the embedding time.
TALKS = ("María Grandury", "Manu Romero")


def _lines(name: str) -> list[dict[str, str]]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_rule_places_the_point_with_the_anchors() -> None:
    anchors = Anchors(passage_in=0.87, passage_low=0.78, query_near=0.85, query_low=0.78)
    rule = Rule.from_point(E5_SMALL, 0.92, anchors)
    assert rule.point(anchors) == E5_SMALL
    assert rule.curated_threshold(anchors) == pytest.approx(0.92, abs=1e-4)
    # Cosines squeezed into the upper half of the scale: the point moves with them.
    squeezed = Anchors(*(0.5 + value / 2 for value in (0.87, 0.78, 0.85, 0.78)))
    moved = rule.point(squeezed)
    assert moved.threshold == pytest.approx(0.5 + E5_SMALL.threshold / 2, abs=1e-3)
    assert moved.other_topic_floor == pytest.approx(0.5 + E5_SMALL.other_topic_floor / 2, abs=1e-3)
    assert moved.coverage_weight == pytest.approx(E5_SMALL.coverage_weight / 2, abs=1e-3)


def test_ingest_saves_the_fit_and_the_index_uses_it(sample_data_dir: Path) -> None:
    settings = load_settings()
    saved = load(calibration_path(settings.data_dir, settings.chroma_collection))
    assert saved is not None and saved.pseudo_questions >= 100
    index = Index.open(settings)
    try:
        assert index.calibration_problem is None
        assert index.operating_point == saved.point
        assert index.curated_threshold == saved.curated_threshold
        assert saved.embedder == index.embedder.name
    finally:
        index.close()


def test_a_calibration_for_another_corpus_or_model_is_reported(sample_data_dir: Path) -> None:
    settings = load_settings()
    path = calibration_path(settings.data_dir, settings.chroma_collection)
    saved = load(path)
    assert saved is not None
    other_corpus = replace(saved, collection_id="x", corpus_digest="y")
    save(other_corpus, path)
    index = Index.open(settings)
    assert index.calibration_problem and "corpus y" in index.calibration_problem
    index.close()
    other_model = replace(saved, embedder="bge-m3")
    save(other_model, path)
    index = Index.open(settings)
    assert index.calibration_problem and "'bge-m3'" in index.calibration_problem
    assert index.operating_point == E5_SMALL  # not another model's point
    index.close()


def test_doctor_warns_about_a_missing_calibration(
    sample_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings()
    calibration_path(settings.data_dir, settings.chroma_collection).unlink()
    main(["doctor"])
    line = next(x for x in capsys.readouterr().out.splitlines() if "gate calibration" in x)
    assert line.startswith("warn") and "pide-ayuda calibrate" in line
    assert main(["calibrate"]) == 0
    main(["doctor"])
    line = next(x for x in capsys.readouterr().out.splitlines() if "gate calibration" in x)
    assert line.startswith("ok") and "fitted for" in line


def test_a_corpus_too_small_is_not_calibrated(tiny_corpus: Path) -> None:
    write_jsonl(tiny_corpus, [{"Nombre": "Una", "Autor": "A", "Transcripción": "Hola a todos."}])
    assert main(["ingest", "--source", str(tiny_corpus), "--no-progress"]) == 0
    with pytest.raises(CalibrationError, match="too small"):
        calibrate_index(load_settings(), save_fit=False)


@pytest.fixture(scope="module")
def shifted_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start tests/fakes/embeddings_server.py (e5-small, cosines shifted up) on 127.0.0.1."""
    port = free_port()
    command = [sys.executable, "-m", "tests.fakes.embeddings_server", "--port", str(port)]
    command += ["--model", SHIFTED_MODEL]
    log = tmp_path_factory.mktemp("shifted") / "server.log"
    with _serve(command, f"http://127.0.0.1:{port}/health", log):
        yield f"http://127.0.0.1:{port}/v1"


async def test_the_gate_still_separates_through_an_embedder_on_another_scale(
    shifted_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        {"Nombre": talk.title, "Autor": talk.author, "Transcripción": talk.text}
        for talk in load_talks("sample", "")
        if talk.author in TALKS
    ]
    corpus = write_jsonl(tmp_path / "two_talks.jsonl", rows)
    monkeypatch.setenv("EMBEDDINGS_BASE_URL", shifted_server)
    monkeypatch.setenv("EMBEDDINGS_MODEL", SHIFTED_MODEL)
    assert main(["ingest", "--source", str(corpus), "--no-progress"]) == 0  # nothing else set
    inside = [q["question"] for q in _lines("questions_test.jsonl") if q["author"] in TALKS]
    outside = [q["question"] for q in _lines("offtopic_everyday.jsonl")]
    index = Index.open(load_settings())
    try:
        assert index.calibration_problem is None
        fitted = index.operating_point
        assert fitted.threshold > E5_SMALL.threshold + 0.02  # the scale moved, and the fit too
        judged = [await index.search_judged(q) for q in (*inside, *outside)]
    finally:
        index.close()
    evidence = [(v.cosine, v.coverage, v.other_topic) for _, v in judged]

    def answered(point: OperatingPoint) -> tuple[int, int]:
        decisions = [point.relevance(*e) >= point.threshold for e in evidence]
        return sum(decisions[: len(inside)]), sum(decisions[len(inside) :])

    in_fitted, out_fitted = answered(fitted)
    assert in_fitted >= len(inside) - 1, f"{in_fitted}/{len(inside)} in-scope answered"
    assert out_fitted <= 2, f"{out_fitted}/{len(outside)} off-topic answered"
    # The bundled model's constants misplace the gate on this scale: with the e5 point of issue 19's
    # report they stopped refusing; with today's they refuse questions the talks answer.
    in_uncalibrated, out_uncalibrated = answered(E5_SMALL)
    errors_fitted = len(inside) - in_fitted + out_fitted
    assert len(inside) - in_uncalibrated + out_uncalibrated >= errors_fitted + 2


async def test_the_answerer_reuses_curated_answers_at_the_fitted_threshold(
    sample_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings()
    path = calibration_path(settings.data_dir, settings.chroma_collection)
    saved = load(path)
    assert saved is not None
    save(replace(saved, curated_threshold=0.9876), path)
    answerer = Answerer(settings)
    try:
        await answerer.index()
        assert answerer.curated_min_score == 0.9876
        monkeypatch.setenv("CURATED_MIN_SCORE", "0.5")  # the operator's setting still wins
        answerer.settings = load_settings()
        assert answerer.curated_min_score == 0.5
    finally:
        await answerer.aclose()
