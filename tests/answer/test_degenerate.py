"""Degenerate-output detection on real strings: good answers never flagged, bad ones always."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.rag.degenerate import Degeneracy, Verdict, check_text, is_mixed

DATA = Path(__file__).parent / "data"


def load(name: str) -> list[dict[str, str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def streamed(text: str) -> Verdict | None:
    """Feed the text as a stream of word deltas, as the answerer does, then check the end."""
    degeneracy, so_far = Degeneracy(), ""
    for piece in re.findall(r"\s*\S+", text):
        so_far += piece
        verdict = degeneracy.check(so_far)
        if verdict is not None:
            return verdict
    return degeneracy.check(so_far, final=True)


GOOD = load("answers_good.jsonl")
DEGENERATE = load("answers_degenerate.jsonl")


@pytest.mark.parametrize("sample", GOOD, ids=lambda s: s["text"][:30])
def test_good_answers_are_never_flagged(sample: dict[str, str]) -> None:
    assert streamed(sample["text"]) is None
    assert check_text(sample["text"]) is None


@pytest.mark.parametrize("sample", DEGENERATE, ids=lambda s: s["text"][:30])
def test_degenerate_answers_are_flagged_for_their_reason(sample: dict[str, str]) -> None:
    verdict = streamed(sample["text"])
    assert verdict is not None and verdict.reason == sample["reason"]


def test_a_loop_is_caught_while_streaming_long_before_the_end() -> None:
    loop = "La búsqueda semántica es " + "la páраl de " * 200
    degeneracy, so_far, words = Degeneracy(), "", 0
    for piece in re.findall(r"\s*\S+", loop):
        so_far, words = so_far + piece, words + 1
        if degeneracy.check(so_far) is not None:
            break
    assert words < 40


def test_mixed_script_words() -> None:
    assert is_mixed("páраl")  # Latin p, á, l with Cyrillic р, а
    assert not is_mixed("páral") and not is_mixed("Δx") and not is_mixed("λ")
    assert not is_mixed("Поиск")  # a whole word in another script is not "mixed"
