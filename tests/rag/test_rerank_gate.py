"""Speaker matching, late scoring and the relevance gate: pure functions plus the sample index."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.rag.gate import THRESHOLD, judge
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


def test_gate_needs_more_than_a_cosine() -> None:
    assert not judge([0.86, 0.85], [0.0, 0.0]).relevant  # a cosine like an injection's
    assert judge([0.86, 0.85], [0.9, 0.2]).relevant
    assert judge([0.5], [0.0], threshold=0.0).relevant  # RETRIEVAL_MIN_SCORE=0 answers all
    assert not judge([], []).relevant
    assert "coverage" in judge([0.86], [0.5]).describe() and THRESHOLD > 0.86


def test_naming_the_speaker_brings_that_talk_first(built_sample_index: Path) -> None:
    index = Index.open(Settings.model_validate({"PIDE_AYUDA_DATA_DIR": str(built_sample_index)}))
    try:
        found = index.candidates("¿Qué cuenta Manuel de los datos de calidad?")
        assert len({c.talk_id for c in found if c.named}) == 1
        ranked = [c for c, _ in rerank(found)]
        assert ranked[0].named
        assert index._snapshot.metadatas[index._snapshot.rows[ranked[0].chunk_id]]["author"] == (
            "Manu Romero"
        )
    finally:
        index.close()


def test_row_coverage_equals_text_coverage_with_several_unseen_terms() -> None:
    texts = ["el seseo es comun en andalucia " + "relleno " * 40]
    lexical = LexicalIndex(texts)
    terms = query_terms(lexical, "¿Seseo en Andalucía, paella, gazpacho o tortilla?", frozenset())
    assert row_coverage(lexical, terms, 0) == coverage(lexical, terms, texts[0]) < 0.5
