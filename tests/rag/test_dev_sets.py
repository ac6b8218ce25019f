"""The retrieval dev sets are well formed: every evidence phrase occurs verbatim in its talk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.rag.corpus import load_talks

DATA = Path(__file__).parents[2] / "bench" / "data"
IN_SCOPE = (
    "dev_questions.jsonl",
    "questions_tune.jsonl",
    "questions_test.jsonl",
    "questions_probe_tune.jsonl",
    "questions_probe_test.jsonl",
    "questions_probe2_tune.jsonl",
    "questions_probe2_test.jsonl",
    "questions_probe4_test.jsonl",
)
PROBE_KINDS = ("speaker", "jargon", "value", "why")
OFFTOPIC_PROBE2_KINDS = ("recipe", "sport", "weather", "injection", "tiny", "task")


def _rows(name: str) -> list[dict[str, object]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _squash(text: str) -> str:
    return " ".join(text.lower().split())


@pytest.mark.parametrize("name", IN_SCOPE)
def test_every_evidence_phrase_occurs_in_the_named_talk(name: str) -> None:
    talks = {(talk.title, talk.author): _squash(talk.text) for talk in load_talks("sample", "")}
    for row in _rows(name):
        text = talks[(str(row["title"]), str(row["author"]))]
        evidence = row["evidence"]
        assert isinstance(evidence, list) and evidence, row["question"]
        for phrase in evidence:
            assert _squash(str(phrase)) in text, (row["question"], phrase)


def test_tuning_and_test_splits_do_not_overlap_and_hold_120_questions() -> None:
    tune = {str(row["question"]) for row in _rows("questions_tune.jsonl")}
    test = {str(row["question"]) for row in _rows("questions_test.jsonl")}
    assert not tune & test
    assert len(tune) + len(test) >= 120


def test_offtopic_splits_hold_60_questions_without_evidence() -> None:
    splits = _rows("offtopic_tune.jsonl") + _rows("offtopic_test.jsonl")
    assert len(splits) >= 60
    rows = splits + _rows("offtopic_everyday.jsonl")
    assert len({str(row["question"]) for row in rows}) == len(rows)
    assert all("evidence" not in row and row["kind"] for row in rows)


@pytest.mark.parametrize("probe", ["probe", "probe2"])
def test_probe_set_is_blind_to_the_other_sets_and_holds_ten_questions_per_kind(probe: str) -> None:
    names = (f"questions_{probe}_tune.jsonl", f"questions_{probe}_test.jsonl")
    rows = _rows(names[0]) + _rows(names[1])
    others = {str(row["question"]) for name in IN_SCOPE if name not in names for row in _rows(name)}
    assert not {str(row["question"]) for row in rows} & others
    kinds = [str(row["kind"]) for row in rows]
    assert all(kinds.count(kind) >= 10 for kind in PROBE_KINDS) and set(kinds) == set(PROBE_KINDS)


def test_offtopic_probe_is_disjoint_from_the_other_offtopic_sets() -> None:
    probe = _rows("offtopic_probe_tune.jsonl") + _rows("offtopic_probe_test.jsonl")
    names = ("offtopic_tune.jsonl", "offtopic_test.jsonl", "offtopic_everyday.jsonl")
    others = {str(row["question"]) for name in names for row in _rows(name)}
    assert not {str(row["question"]) for row in probe} & others
    assert all("evidence" not in row and row["kind"] for row in probe)


def test_offtopic_probe2_holds_two_messages_of_each_kind_per_half() -> None:
    for half in ("tune", "test"):
        kinds = [str(row["kind"]) for row in _rows(f"offtopic_probe2_{half}.jsonl")]
        assert sorted(set(kinds)) == sorted(OFFTOPIC_PROBE2_KINDS)
        assert all(kinds.count(kind) == 2 for kind in OFFTOPIC_PROBE2_KINDS)


def test_offtopic_tasks_are_requests_of_many_subkinds_without_evidence() -> None:
    rows = _rows("offtopic_tasks_tune.jsonl")
    assert len(rows) == 28 and all(row["kind"] == "task" and "evidence" not in row for row in rows)
    assert len({str(row["subkind"]) for row in rows}) >= 8


def test_probe4_holds_six_questions_per_kind_and_every_offtopic_kind() -> None:
    questions = [str(row["kind"]) for row in _rows("questions_probe4_test.jsonl")]
    assert all(questions.count(kind) == 6 for kind in PROBE_KINDS) and len(questions) == 24
    offtopic = [str(row["kind"]) for row in _rows("offtopic_probe4_test.jsonl")]
    assert sorted(set(offtopic)) == sorted(OFFTOPIC_PROBE2_KINDS) and len(offtopic) == 21
