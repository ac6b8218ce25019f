"""Merge retrieved chunks that are neighbours in their talk into one passage.

Chunks overlap by about 150 characters, so a question whose answer sits at a chunk boundary, or
spreads over two or three chunks, brings several near-duplicates of one stretch of talk into the
top k: each takes a slot, and the one ranked first may hold only half of the answer. Walking the
ranking best first, a chunk next to one already kept (same talk, position ±1) joins it instead of
taking a slot, up to `max_chunks` a passage; the walk stops at the first chunk that would open a
(k+1)-th passage, so the freed slots go to the next candidates and nothing ranked lower is merged.
`bot.rag.index.MERGED_CHUNKS` was chosen with bench/neighbours.py (docs/retrieval.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """Where a chunk sits in its talk: the talk, its position and its character span."""

    talk_id: str
    position: int
    start: int
    end: int


def group_neighbours(
    ranked: Sequence[str], spans: Mapping[str, Span], k: int, max_chunks: int
) -> list[list[str]]:
    """Group the chunk ids of `ranked` (best first) into at most `k` passages of neighbours."""
    groups: list[list[str]] = []
    for chunk_id in ranked:
        span = spans[chunk_id]
        group = next((g for g in groups if _joins(g, span, spans, max_chunks)), None)
        if group is not None:
            group.append(chunk_id)
        elif len(groups) < k:
            groups.append([chunk_id])
        else:
            break
    return groups


def _joins(group: list[str], span: Span, spans: Mapping[str, Span], max_chunks: int) -> bool:
    """Return True when `span` is next to a chunk of `group` and the group has room."""
    return len(group) < max_chunks and any(
        spans[member].talk_id == span.talk_id and abs(spans[member].position - span.position) == 1
        for member in group
    )


def joined_text(parts: Sequence[tuple[Span, str]]) -> str:
    """Return the talk's text over the spans of `parts`, each overlap written once."""
    ordered = sorted(parts, key=lambda part: part[0].start)
    text, end = ordered[0][1], ordered[0][0].end
    for span, chunk_text in ordered[1:]:
        text += chunk_text[end - span.start :] if span.start < end else " " + chunk_text
        end = max(end, span.end)
    return text
