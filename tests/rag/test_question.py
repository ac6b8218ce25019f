from __future__ import annotations

import pytest

from bot import strings
from bot.rag.errors import QuestionError, RagError
from bot.rag.question import validate_question


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_question_is_refused_in_spanish(text: str) -> None:
    with pytest.raises(QuestionError) as caught:
        validate_question(text, 1500)
    assert caught.value.user_message == strings.EMPTY_QUESTION
    assert "empty" in str(caught.value)
    assert isinstance(caught.value, RagError)


def test_ten_thousand_characters_are_refused_with_the_limit() -> None:
    with pytest.raises(QuestionError) as caught:
        validate_question("¿" + "a" * 9_998 + "?", 1500)
    assert "10000" in caught.value.user_message and "1500" in caught.value.user_message
    assert "shorten" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_valid_question_comes_back_stripped() -> None:
    assert validate_question("  ¿Qué es Argilla?\n", 1500) == "¿Qué es Argilla?"
    assert validate_question("x" * 1500, 1500) == "x" * 1500
