"""Split a talk into overlapping chunks that suit long, mostly unpunctuated Whisper text."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.rag.types import Chunk, Talk

# Bump when the chunking rules change: ingest then re-chunks every talk.
CHUNKER_VERSION = "sent-win-1"
TARGET_CHARS = 700
OVERLAP_CHARS = 150

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def chunk_talk(
    talk: Talk, target_chars: int = TARGET_CHARS, overlap_chars: int = OVERLAP_CHARS
) -> list[Chunk]:
    """Cut a talk into chunks near `target_chars`, overlapping by about `overlap_chars`."""
    units = list(_units(talk.text, max(overlap_chars // 2, 40)))
    chunks: list[Chunk] = []
    first = 0
    while first < len(units):
        last = first
        while last + 1 < len(units) and units[last + 1][1] - units[first][0] <= target_chars:
            last += 1
        start, end = units[first][0], units[last][1]
        chunks.append(
            Chunk(
                chunk_id=f"{talk.talk_id}:{len(chunks):04d}",
                talk_id=talk.talk_id,
                title=talk.title,
                author=talk.author,
                position=len(chunks),
                start=start,
                end=end,
                text=talk.text[start:end],
            )
        )
        if last + 1 >= len(units):
            break
        first = _next_first(units, first, last, overlap_chars)
    return chunks


def _next_first(units: list[tuple[int, int]], first: int, last: int, overlap: int) -> int:
    """Start the next chunk at the earliest unit that keeps about `overlap` chars of context."""
    nxt = last + 1
    while nxt - 1 > first and units[last][1] - units[nxt - 1][0] <= overlap:
        nxt -= 1
    return nxt


def _units(text: str, window: int) -> Iterator[tuple[int, int]]:
    """Yield (start, end) spans: sentences, with sentences over `window` chars cut at words."""
    for start, end in _sentences(text):
        if end - start <= window:
            yield start, end
        else:
            yield from _word_windows(text, start, end, window)


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for match in _SENTENCE_END.finditer(text):
        yield start, match.start()
        start = match.end()
    if start < len(text):
        yield start, len(text)


def _word_windows(text: str, start: int, end: int, window: int) -> Iterator[tuple[int, int]]:
    """Cut text[start:end] at word boundaries into spans of at most about `window` chars."""
    span_start = start
    for match in re.finditer(r"\S+", text[start:end]):
        word_end = start + match.end()
        if word_end - span_start > window and start + match.start() > span_start:
            yield span_start, _rstrip(text, span_start, start + match.start())
            span_start = start + match.start()
    yield span_start, word_end if span_start < end else end


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end
