"""Extractive answers: the sentences of the best passages that carry the question's terms.

Used when no LLM is configured and as the fallback for degenerate model output. Each sentence of
the top passages is scored by the IDF weight of the question's terms it holds (stemmed, folded,
glossary-normalised, without the words naming a speaker: `Index.term_weights`). The best sentence
is quoted, then up to two more, best first, that score at least `RELATIVE_SCORE` of the best and
hold at least `MIN_SHARE` of the question's whole weight, so a passage with nothing on the
question adds no quote. When no sentence holds any term (a paraphrase in other words), the top
passage's closest sentence is quoted alone. Constants chosen on bench/data/questions_tune.jsonl
with bench/extractive.py (docs/answers.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.rag.citations import best_snippet, keywords, sentences
from bot.rag.types import Passage

EXTRACT_PASSAGES = 3
EXTRACT_CHARS = 300
MAX_QUOTES = 3
RELATIVE_SCORE = 0.3
MIN_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class _Quote:
    score: float
    number: int
    order: int
    text: str


def extractive_text(
    question: str,
    passages: Sequence[Passage],
    weights: Mapping[str, float],
    terms: Callable[[str], Sequence[str]],
) -> str:
    """Quote the sentences of the top passages that weigh most for the question."""
    if not passages:
        return ""
    wanted = keywords(question)
    quotes = sorted(
        (
            _Quote(sum(weights.get(term, 0.0) for term in set(terms(text))), number, order, text)
            for number, passage in enumerate(passages[:EXTRACT_PASSAGES], start=1)
            for order, text in enumerate(sentences(passage.text, wanted, EXTRACT_CHARS))
        ),
        key=lambda quote: (-quote.score, quote.number, quote.order),
    )
    best = quotes[0].score
    if best <= 0:
        return f"> «{best_snippet(passages[0].text, wanted, EXTRACT_CHARS)}» [1]"
    floor = max(RELATIVE_SCORE * best, MIN_SHARE * sum(weights.values()))
    kept = [quotes[0], *(quote for quote in quotes[1:] if quote.score >= floor)][:MAX_QUOTES]
    return "\n".join(f"> «{quote.text}» [{quote.number}]" for quote in kept)
