from __future__ import annotations

import itertools
import re

from bot.rag.chunking import chunk_talk
from bot.rag.corpus import make_talk
from bot.rag.types import Talk


def _talk(text: str) -> Talk:
    talk = make_talk("Título", "Autora", text)
    assert talk is not None
    return talk


def test_unpunctuated_text_is_cut_into_overlapping_word_windows() -> None:
    words = [f"palabra{i}" for i in range(600)]
    talk = _talk(" ".join(words))
    chunks = chunk_talk(talk, target_chars=400, overlap_chars=100)
    assert len(chunks) > 5
    for chunk in chunks:
        assert chunk.text == talk.text[chunk.start : chunk.end]
        assert len(chunk.text) <= 400
        assert re.fullmatch(r"palabra\d+( palabra\d+)*", chunk.text)  # never cuts a word
    for before, after in itertools.pairwise(chunks):
        assert after.start < before.end  # overlap
        assert after.start > before.start  # progress
    covered = " ".join(c.text for c in chunks)
    assert all(word in covered.split() for word in words)
    assert [c.position for c in chunks] == list(range(len(chunks)))


def test_sentence_ends_are_preferred_boundaries() -> None:
    sentences = [f"Esta es la frase número {i} de la charla." for i in range(40)]
    talk = _talk(" ".join(sentences))
    for chunk in chunk_talk(talk, target_chars=300, overlap_chars=60):
        assert chunk.text.endswith(".")
        assert chunk.text.startswith("Esta es la frase")


def test_chunks_keep_their_talk() -> None:
    talk = _talk("hola mundo")
    (chunk,) = chunk_talk(talk)
    assert (chunk.talk_id, chunk.title, chunk.author) == (talk.talk_id, "Título", "Autora")
    assert (chunk.start, chunk.end, chunk.text) == (0, 10, "hola mundo")
