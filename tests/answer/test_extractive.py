"""Extractive answers quote the sentences that carry the question's weighty terms."""

from __future__ import annotations

from collections.abc import Sequence

from bot.rag.extractive import extractive_text
from bot.rag.types import Passage


def _passage(number: int, text: str) -> Passage:
    return Passage(f"c{number}", f"t{number}", f"Charla {number}", "Ana", 0, text, score=1.0)


def _words(text: str) -> Sequence[str]:
    return [word.strip(".,¿?").lower() for word in text.split()]


WEIGHTS = {"seseo": 5.0, "canarias": 3.0, "da": 1.0}
PASSAGES = [
    _passage(1, "Hola a todos. El seseo se oye en Canarias. Gracias por venir."),
    _passage(2, "Otra charla sin nada que ver. Se da el caso."),
    _passage(3, "El seseo también existe en América."),
]


def test_the_weightiest_sentences_are_quoted_best_first_with_their_passage() -> None:
    text = extractive_text("¿Dónde se da el seseo?", PASSAGES, WEIGHTS, _words)
    assert text.splitlines() == [
        "> «El seseo se oye en Canarias.» [1]",
        "> «El seseo también existe en América.» [3]",
    ]  # "Se da el caso." holds 1/9 of the weight: under the floor; greetings hold nothing


def test_without_any_term_the_top_passage_closest_sentence_is_quoted_alone() -> None:
    text = extractive_text("¿Dónde se oye?", PASSAGES, {"inexistente": 4.0}, _words)
    assert text == "> «Hola a todos.» [1]"


def test_at_most_three_quotes_and_nothing_without_passages() -> None:
    many = [_passage(1, " ".join(f"El seseo número {i}." for i in range(6)))]
    assert len(extractive_text("seseo", many, WEIGHTS, _words).splitlines()) == 3
    assert extractive_text("seseo", [], WEIGHTS, _words) == ""
