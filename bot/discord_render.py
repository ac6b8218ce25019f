"""Turn an Answer into Discord messages: notice, answer, sources, 2,000-character pieces, no pings.

A message reads: the notice (extractive, partial or fallback note; display only), the answer text,
the cited sources, and, when the answer cites nothing, the talks whose passages the model was given
("Charlas consultadas"), kept apart from sources. `answer_body` undoes this for thread history.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from discord import AllowedMentions
from discord.utils import escape_markdown, escape_mentions

from bot import strings
from bot.rag.types import Answer, Passage, Source

MESSAGE_LIMIT = 2000
STREAMING_CURSOR = " ▌"  # marks a message still being written
NO_PINGS = AllowedMentions.none()
# Notices that may open a rendered answer.
DECORATIONS = (
    strings.EXTRACTIVE_LABEL,
    strings.PARTIAL_ANSWER_NOTE,
    strings.FALLBACK_NOTICE,
    strings.LLM_DOWN_NOTICE,
    strings.CANCELLED,
)

_CITATION = re.compile(r"\[[^\[\]\n]{1,40}\]")
_FENCE_LINE = re.compile(r"^ {0,3}(```+|~~~+)(.*)$", re.MULTILINE)
_CLOSE_RESERVE = 12  # room kept for a closing fence
_MAX_OPENER = 40  # a fence and a language tag; a longer opener is carried as a bare fence
# Cut classes, best first: paragraph, line outside code, line inside code, sentence, word.
_PARAGRAPH = re.compile(r"\n\s*\n")
_LINE = re.compile(r"\n")
_SENTENCE = re.compile(r"(?<=[.!?:;])\s+")
_WORD = re.compile(r"\s+")


def sources_footer(sources: Iterable[Source]) -> str:
    """Return the numbered sources block (talk title + speaker), or '' when there are none."""
    lines = [
        f"{number}. *{escape_markdown(source.title)}* — {escape_markdown(source.author)}"
        for number, source in enumerate(sources, start=1)
    ]
    return "\n".join([strings.SOURCES_HEADER, *lines]) if lines else ""


def consulted_footer(passages: Iterable[Passage]) -> str:
    """Return the block of talks consulted (one line per talk), or '' when there are none."""
    talks = dict.fromkeys((p.title, p.author) for p in passages)
    lines = [f"- *{escape_markdown(title)}* — {escape_markdown(author)}" for title, author in talks]
    return "\n".join([strings.CONSULTED_HEADER, *lines]) if lines else ""


def render_answer(answer: Answer) -> list[str]:
    """Return the final messages: notice, answer, sources or talks consulted, split to fit."""
    body = escape_mentions(answer.text.strip())
    footer = sources_footer(answer.sources)
    if not footer and answer.status in ("answered", "partial"):
        footer = consulted_footer(answer.passages)
    blocks = [block for block in (answer.notice, body, footer) if block]
    if not body and not answer.notice:
        blocks = [strings.UNEXPECTED_ERROR]
    return split_message("\n\n".join(blocks))


def answer_body(content: str) -> str:
    """Return the answer part of a rendered message: no notice, no sources or talks consulted."""
    for header in (strings.SOURCES_HEADER, strings.CONSULTED_HEADER):
        content = content.split(header, 1)[0]
    content = content.strip()
    for notice in DECORATIONS:
        content = content.removeprefix(notice).strip()
    return content


def preview(text_so_far: str) -> str:
    """Return the in-progress text for a streaming edit: one message, ending in a cursor."""
    text = escape_mentions(text_so_far.strip())
    room = MESSAGE_LIMIT - len(STREAMING_CURSOR) - 1
    if len(text) > room:
        text = text[:room] + "…"
    return text + STREAMING_CURSOR


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split text into pieces of at most `limit` characters, keeping citations and code intact.

    Cuts prefer paragraph breaks, then line breaks, then sentence ends, then spaces; never inside a
    `[n]` citation nor just before one. A code block that must be cut is closed at the end of one
    piece and reopened (same fence and language) at the start of the next.
    """
    fences = _fence_spans(text)
    citations = [(m.start(), m.end()) for m in _CITATION.finditer(text)]
    pieces: list[str] = []
    start, carry = 0, ""
    while start < len(text):
        prefix = carry + "\n" if carry else ""
        if len(prefix) + len(text) - start <= limit:
            pieces.append(prefix + text[start:])
            break
        end = start + limit - len(prefix) - _CLOSE_RESERVE
        cut = _choose_cut(text, start, end, fences, citations)
        opener = _open_fence_at(cut, fences)
        piece = prefix + text[start:cut].rstrip("\n" if opener else None)
        pieces.append(piece + _closing(opener) if opener else piece)
        carry = opener
        start = cut
        while start < len(text) and text[start] == "\n":
            start += 1
    return [piece for piece in pieces if piece.strip()]


Span = tuple[int, int, str]


def _fence_spans(text: str) -> list[Span]:
    """Return (content start, content end, opener line) for each fenced code block."""
    spans: list[Span] = []
    opener: re.Match[str] | None = None
    for match in _FENCE_LINE.finditer(text):
        if opener is None:
            opener = match
        elif match.group(1).startswith(opener.group(1)[0]) and not match.group(2).strip():
            spans.append((opener.end() + 1, match.start(), _carried(opener)))
            opener = None
    if opener is not None:
        spans.append((opener.end() + 1, len(text), _carried(opener)))
    return spans


def _carried(opener: re.Match[str]) -> str:
    """Return the line that reopens a cut code block; bounded, so every piece fits the limit."""
    line, fence = opener.group(0).strip(), opener.group(1)
    if len(line) <= _MAX_OPENER and len(fence) < _CLOSE_RESERVE:
        return line
    return fence[0] * 3


def _closing(opener: str) -> str:
    """Return the line that closes a code block opened by `opener`."""
    return "\n" + opener[: len(opener) - len(opener.lstrip("`~"))]


def _open_fence_at(position: int, fences: list[Span]) -> str:
    """Return the opener of the code block a cut at `position` falls inside, or ''."""
    for content_start, content_end, opener in fences:
        if content_start <= position <= content_end:
            return opener
    return ""


def _choose_cut(
    text: str, start: int, end: int, fences: list[Span], citations: list[tuple[int, int]]
) -> int:
    """Pick the best cut position in (start, end]."""

    def outside(pos: int) -> bool:
        return not _open_fence_at(pos, fences)

    def in_code(pos: int) -> bool:
        return any(s < pos < e for s, e, _ in fences)

    def clean(pos: int) -> bool:
        inside_citation = any(s < pos < e for s, e in citations)
        return not inside_citation and not text.startswith("[", pos) and start < pos <= end

    classes: list[tuple[re.Pattern[str], Callable[[int], bool]]] = [
        (_PARAGRAPH, outside),
        (_LINE, outside),
        (_LINE, in_code),
        (_SENTENCE, outside),
        (_WORD, lambda pos: True),
    ]
    fallback = 0
    for pattern, allowed in classes:
        ends = [m.end() for m in pattern.finditer(text, start, end + 1)]
        candidates = [pos for pos in ends if clean(pos) and allowed(pos)]
        if candidates and candidates[-1] - start >= (end - start) // 3:
            return candidates[-1]
        fallback = max([fallback, *candidates])
    if fallback:
        return fallback
    return _hard_cut(start, end, citations)


def _hard_cut(start: int, end: int, citations: list[tuple[int, int]]) -> int:
    """Cut at `end`, moved before a citation it would split."""
    for s, e in citations:
        if s < end < e and s > start:
            return s
    return end
