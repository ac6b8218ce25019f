"""Talks named by their title: the title words, the talk noun they need, and the search boost."""

from __future__ import annotations

import pytest

from bot.rag.index import Index
from bot.rag.lexical import LexicalIndex
from bot.rag.titles import TitleDirectory

TALKS = [
    ("t1", "IA y Modelos del Lenguaje, retos y oportunidades con Elena @Microsoft"),
    ("t2", "Taller: Entrenamiento de LLMs con datos de calidad"),
    ("t3", "Taller: Argilla y distilabel, herramientas para crear datos de calidad"),
]


@pytest.mark.parametrize(
    ("question", "talks"),
    [
        ("¿Qué ejemplo aparece en el taller de distilabel?", {"t3"}),
        ("en la charla sobre los retos de la IA", {"t1"}),  # "retos" meets the title's stem
        ("¿Qué se dijo en la ponencia de Microsoft?", {"t1"}),
        ("¿Qué es distilabel?", set()),  # the tool, not the workshop: no talk noun
        ("en el taller de datos de calidad", set()),  # words two titles share name no talk
        ("la charla que vi ayer por la tarde sobre retos", set()),  # too far from the noun
    ],
)
def test_a_title_word_after_a_talk_noun_names_its_talk(question: str, talks: set[str]) -> None:
    assert TitleDirectory(TALKS, LexicalIndex([]).terms).match(question) == talks


@pytest.mark.parametrize(
    ("question", "talk_prefix"),
    [
        ("¿Qué se dice de la calidad de los datos en el taller de distilabel?", "taller-argilla"),
        ("¿Qué se dice de la calidad de los datos en el taller de entrenamiento?", "taller-entren"),
    ],
)
async def test_naming_a_talk_lifts_its_passages(
    index: Index, question: str, talk_prefix: str
) -> None:
    (best,) = await index.search(question, k=1)
    assert best.talk_id.startswith(talk_prefix)
