"""Neighbouring chunks of one talk are shown as one passage, each overlap written once."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from bot.config import load_settings
from bot.rag.chroma import open_client
from bot.rag.chunking import chunk_talk
from bot.rag.corpus import make_talk
from bot.rag.index import Index
from bot.rag.neighbours import Span, group_neighbours, joined_text

DEV_QUESTIONS = Path(__file__).parents[2] / "bench" / "data" / "dev_questions.jsonl"


def _spans(*chunks: tuple[str, str, int]) -> dict[str, Span]:
    return {cid: Span(talk, pos, pos * 100, pos * 100 + 120) for cid, talk, pos in chunks}


def test_a_neighbour_joins_the_passage_and_frees_its_slot() -> None:
    spans = _spans(("a5", "a", 5), ("b1", "b", 1), ("a6", "a", 6), ("c0", "c", 0), ("b9", "b", 9))
    groups = group_neighbours(["a5", "b1", "a6", "c0", "b9"], spans, k=3, max_chunks=3)
    assert groups == [["a5", "a6"], ["b1"], ["c0"]]


def test_the_walk_stops_at_the_first_chunk_that_would_open_one_passage_too_many() -> None:
    spans = _spans(("a5", "a", 5), ("b1", "b", 1), ("c9", "c", 9), ("a4", "a", 4))
    stopped = group_neighbours(["a5", "b1", "c9", "a4"], spans, k=2, max_chunks=3)
    assert stopped == [["a5"], ["b1"]]
    merged = group_neighbours(["a5", "b1", "a4", "c9"], spans, k=2, max_chunks=3)
    assert merged == [["a5", "a4"], ["b1"]]


def test_same_position_in_another_talk_is_not_a_neighbour() -> None:
    spans = _spans(("a5", "a", 5), ("b6", "b", 6))
    assert group_neighbours(["a5", "b6"], spans, k=5, max_chunks=3) == [["a5"], ["b6"]]


def test_a_passage_holds_at_most_max_chunks_and_grows_both_ways() -> None:
    spans = _spans(*((f"a{i}", "a", i) for i in range(3, 8)))
    ranked = ["a5", "a4", "a6", "a3", "a7"]
    groups = group_neighbours(ranked, spans, k=5, max_chunks=3)
    assert groups == [["a5", "a4", "a6"], ["a3"], ["a7"]]


def test_joined_text_is_the_talk_text_over_the_spans() -> None:
    sentences = [f"La frase número {i} de la charla habla de datos." for i in range(80)]
    talk = make_talk("Título", "Autora", " ".join(sentences))
    assert talk is not None
    chunks = chunk_talk(talk, target_chars=300, overlap_chars=80)
    middle = chunks[3:6]
    assert all(after.start < before.end for before, after in itertools.pairwise(middle))
    parts = [(Span(c.talk_id, c.position, c.start, c.end), c.text) for c in reversed(middle)]
    assert joined_text(parts) == talk.text[middle[0].start : middle[-1].end]


async def test_search_merges_neighbours_on_the_real_index(index: Index) -> None:
    settings = load_settings()
    client = open_client(settings)
    collection = client.get_collection(settings.chroma_collection, embedding_function=None)
    questions = [json.loads(line)["question"] for line in DEV_QUESTIONS.read_text().splitlines()]
    merged = 0
    for question in questions:
        passages = await index.search(question, k=5)
        assert len(passages) == 5
        ids = [chunk_id for p in passages for chunk_id in p.chunk_ids]
        assert len(ids) == len(set(ids))
        for passage in passages:
            stored = collection.get(ids=list(passage.chunk_ids), include=["metadatas", "documents"])
            rows = sorted(
                zip(stored["metadatas"], stored["documents"], strict=True),
                key=lambda row: int(row[0]["start"]),
            )
            positions = [int(meta["position"]) for meta, _ in rows]
            assert positions == list(range(passage.position, passage.position + len(rows)))
            assert passage.text.startswith(rows[0][1]) and passage.text.endswith(rows[-1][1])
            assert len(passage.text) == int(rows[-1][0]["end"]) - int(rows[0][0]["start"])
            merged += len(rows) > 1
    client.close()
    assert merged  # the dev questions do bring neighbouring chunks together
