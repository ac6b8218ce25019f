"""Speaker matching, late scoring and the relevance gate: pure functions plus the sample index."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.rag.gate import (
    COVERAGE_WEIGHT,
    OTHER_TOPIC_FLOOR,
    OTHER_TOPIC_WEIGHT,
    THRESHOLD,
    judge,
)
from bot.rag.index import Index
from bot.rag.lexical import LexicalIndex
from bot.rag.rerank import Candidate, coverage, query_terms, rerank, row_coverage
from bot.rag.speakers import SpeakerDirectory, name_words

TALKS = [("t1", "Elena González-Blanco"), ("t2", "Manu Romero"), ("t3", "Gabriel @Argilla")]


def test_speakers_match_accents_nicknames_and_typos_but_not_handles() -> None:
    directory = SpeakerDirectory(TALKS)
    assert directory.match("¿Qué dijo elena sobre los tokens?").talk_ids == {"t1"}
    assert directory.match("en la charla de Gonzalez Blanco").talk_ids == {"t1"}
    assert directory.match("¿Qué recomienda Manuel?").talk_ids == {"t2"}
    assert directory.match("lo que explicó Romeros del fine tuning").talk_ids == {"t2"}
    assert directory.match("¿Qué es Argilla?").talk_ids == frozenset()
    assert directory.match("¿Qué dijo Gabi?").words == {"gabi"}
    assert name_words("Gabriel @Argilla") == ["gabriel"]


def test_coverage_prefers_the_window_holding_all_the_terms() -> None:
    texts = ["el seseo es comun en andalucia " + "relleno " * 40, "seseo " + "relleno " * 40]
    lexical = LexicalIndex(texts)
    terms = query_terms(lexical, "¿Dónde es común el seseo, en Andalucía?", frozenset())
    assert coverage(lexical, terms, texts[0]) == 1.0
    assert 0.0 < coverage(lexical, terms, texts[1]) < 1.0
    assert coverage(lexical, [], texts[0]) == 0.0
    named_terms = query_terms(lexical, "¿Qué dijo Elena del seseo?", frozenset({"elena"}))
    assert "sese" in named_terms and "elen" not in named_terms


def test_rerank_lifts_the_covering_near_duplicate_and_the_named_talk() -> None:
    first = Candidate("a", "t1", dense=0.86, fused=0.033, coverage=0.2, named=False)
    second = Candidate("b", "t1", dense=0.86, fused=0.032, coverage=0.9, named=False)
    named = Candidate("c", "t2", dense=0.85, fused=0.030, coverage=0.9, named=True)
    order = [c.chunk_id for c, _ in rerank([first, second, named])]
    assert order == ["c", "b", "a"]


ELSEWHERE = OTHER_TOPIC_FLOOR - 0.01  # no closer to another subject than a question on the talks


def test_gate_needs_more_than_a_cosine() -> None:
    cosine = THRESHOLD - 0.005  # e.g. an emoji string's 0.845 or an injection's 0.850
    assert not judge([cosine, cosine - 0.01], [0.0, 0.0], ELSEWHERE).relevant
    assert judge([cosine, cosine - 0.01], [0.9, 0.2], ELSEWHERE).relevant
    assert judge([0.5], [0.0], ELSEWHERE, threshold=0.0).relevant  # RETRIEVAL_MIN_SCORE=0
    assert not judge([], [], ELSEWHERE).relevant
    assert "coverage" in judge([cosine], [0.5], ELSEWHERE).describe()


def test_closeness_to_another_subject_lowers_relevance_only_above_its_floor() -> None:
    cosine, coverage = THRESHOLD, 0.1  # answered by its cosine and coverage alone
    assert judge([cosine], [coverage], OTHER_TOPIC_FLOOR).relevant
    close = OTHER_TOPIC_FLOOR + 2 * COVERAGE_WEIGHT * coverage / OTHER_TOPIC_WEIGHT
    refused = judge([cosine], [coverage], close)
    assert not refused.relevant and refused.other_topic == close
    assert f"other topic {close:.3f}" in refused.describe()


def test_naming_the_speaker_brings_that_talk_first(built_sample_index: Path) -> None:
    index = Index.open(Settings.model_validate({"PIDE_AYUDA_DATA_DIR": str(built_sample_index)}))
    try:
        found = index.candidates("¿Qué cuenta Manuel de los datos de calidad?")
        assert len({c.talk_id for c in found if c.named}) == 1
        ranked = [c for c, _ in rerank(found)]
        assert ranked[0].named
        authors = {talk_id: author for talk_id, _, author in index._snapshot.talks}
        assert authors[ranked[0].talk_id] == "Manu Romero"
    finally:
        index.close()


def test_row_coverage_equals_text_coverage_with_several_unseen_terms() -> None:
    texts = ["el seseo es comun en andalucia " + "relleno " * 40]
    lexical = LexicalIndex(texts)
    terms = query_terms(lexical, "¿Seseo en Andalucía, paella, gazpacho o tortilla?", frozenset())
    assert row_coverage(lexical, terms, 0) == coverage(lexical, terms, texts[0]) < 0.5
