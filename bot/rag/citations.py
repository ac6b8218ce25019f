"""Citations: renumber [n] markers to sources in citation order and pick short quotes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.rag.glossary import fold
from bot.rag.types import Passage, Source

# One citation marker: [1], [2, 3], [1; 4].
MARKER = re.compile(r"\[\s*\d{1,3}(?:\s*[,;]\s*\d{1,3})*\s*\]")
_CITATION = re.compile(rf"(\s*)((?:{MARKER.pattern})+)")
_INCOMPLETE = re.compile(r"\s*\[[\d,;\s]*$")  # a citation still arriving at the end of a stream
_SENTENCE = re.compile(r"(?<=[.!?…])\s+")
_WORD = re.compile(r"\w{4,}")
QUOTE_CHARS = 200


@dataclass(frozen=True, slots=True)
class Cited:
    """Answer text with citations renumbered, and the cited passage per source number."""

    text: str
    passages: list[Passage]


def renumber(text: str, passages: Sequence[Passage], final: bool = True) -> Cited:
    """Renumber citations by first use, one source per talk; drop numbers without a passage.

    With `final=False` (text still streaming) a trailing, incomplete `[..` is held back so each
    rewrite is a prefix of the next.
    """
    number_of_talk: dict[str, int] = {}
    cited: list[Passage] = []

    def rewrite(match: re.Match[str]) -> str:
        numbers: list[int] = []
        for raw in re.findall(r"\d+", match.group(2)):
            index = int(raw) - 1
            if not 0 <= index < len(passages):
                continue
            passage = passages[index]
            if passage.talk_id not in number_of_talk:
                cited.append(passage)
                number_of_talk[passage.talk_id] = len(cited)
            number = number_of_talk[passage.talk_id]
            if number not in numbers:
                numbers.append(number)
        marks = "".join(f"[{n}]" for n in numbers)
        return f"{match.group(1)}{marks}" if marks else ""

    rewritten = _CITATION.sub(rewrite, text)
    if not final:
        rewritten = _INCOMPLETE.sub("", rewritten)
    return Cited(rewritten, cited)


def keywords(text: str) -> set[str]:
    """Return the folded words of four letters or more."""
    return set(_WORD.findall(fold(text)))


def sentences(text: str, wanted: Iterable[str], max_chars: int) -> list[str]:
    """Split `text` into sentences; one over `max_chars` becomes its best window on `wanted`."""
    words = set(wanted)
    return [s if len(s) <= max_chars else _window(s, words, max_chars) for s in _split(text)]


def best_snippet(text: str, wanted: Iterable[str], max_chars: int = QUOTE_CHARS) -> str:
    """Return the sentence of `text` sharing most words with `wanted`, cut to `max_chars`."""
    words = set(wanted)
    best = max(_split(text), key=lambda s: len(keywords(s) & words))
    if len(best) > max_chars:
        best = _window(best, words, max_chars)
    return best


def _split(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()] or [text.strip()]


def _window(sentence: str, words: set[str], max_chars: int) -> str:
    """Cut a long sentence (Whisper text often has no stops) to its best word window."""
    tokens = sentence.split()
    size = max(8, max_chars * len(tokens) // (len(sentence) + 1))
    hits = [len(keywords(" ".join(tokens[i : i + size])) & words) for i in range(len(tokens))]
    best = [i for i, hit in enumerate(hits) if hit == max(hits)]
    start = best[len(best) // 2]  # among equal windows, the one that centres the matches
    snippet = " ".join(tokens[start : start + size])[:max_chars].rstrip()
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + size < len(tokens) else ""
    return f"{prefix}{snippet}{suffix}"


def sources_for(cited: Sequence[Passage], answer_text: str) -> list[Source]:
    """Turn cited passages into sources, each with a short quote close to the answer."""
    wanted = keywords(answer_text)
    return [
        Source(
            title=p.title,
            author=p.author,
            quote=best_snippet(p.text, wanted),
            talk_id=p.talk_id,
            chunk_id=p.chunk_id,
            score=p.score,
            text=p.text,
        )
        for p in cited
    ]
