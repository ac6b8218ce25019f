"""Choose how extractive answers pick their quotes, on the tuning split only.

Usage (after `pide-ayuda ingest --source sample`, same PIDE_AYUDA_DATA_DIR):
    OMP_NUM_THREADS=1 python -m bench.extractive [--questions bench/data/questions_tune.jsonl]

Searches every question once (k=5, as the bot does), then builds the extractive answer under each
setting of `bot/rag/extractive.py` and counts the answers that quote an evidence phrase, their
mean length and their mean number of quotes. The first row is the rule used before issue 11's
third pass (the closest sentence of each of the top 3 passages, by shared words). Score the test
split only with the chosen setting.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
from pathlib import Path

import bot.rag.extractive as extractive
from bot.config import load_settings
from bot.rag.citations import best_snippet, keywords
from bot.rag.evaluation import Question, load_questions, squash
from bot.rag.index import Index
from bot.rag.types import Passage

RELATIVE_SCORES = (0.3, 0.4, 0.5)
MIN_SHARES = (0.0, 0.2, 0.3)

Searched = list[tuple[Question, list[Passage], dict[str, float]]]


def closest_sentences(question: str, passages: list[Passage]) -> str:
    """The rule used before: the closest sentence of each of the top 3 passages."""
    wanted = keywords(question)
    return "\n".join(
        f"> «{best_snippet(p.text, wanted, extractive.EXTRACT_CHARS)}» [{n}]"
        for n, p in enumerate(passages[:3], start=1)
    )


def score(searched: Searched, index: Index, old: bool = False) -> str:
    """Return evidence found, mean characters and mean quotes of the answers, as one line."""
    found = chars = quotes = 0
    for item, passages, weights in searched:
        if old:
            text = closest_sentences(item.question, passages)
        else:
            text = extractive.extractive_text(item.question, passages, weights, index.terms)
        found += any(squash(phrase) in squash(text) for phrase in item.evidence)
        chars += len(text)
        quotes += text.count("\n> ") + 1
    n = len(searched)
    return f"evidence quoted {found}/{n}  mean {chars / n:.0f} chars  {quotes / n:.2f} quotes"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=Path("bench/data/questions_tune.jsonl"))
    args = parser.parse_args()
    index = Index.open(load_settings())
    searched = [
        (item, await index.search(item.question, k=5), index.term_weights(item.question))
        for item in load_questions(args.questions)
    ]
    print(f"before (closest sentence of each top-3 passage): {score(searched, index, old=True)}")
    for relative, share in itertools.product(RELATIVE_SCORES, MIN_SHARES):
        extractive.RELATIVE_SCORE, extractive.MIN_SHARE = relative, share
        print(f"relative {relative} share {share}: {score(searched, index)}")
    index.close()


if __name__ == "__main__":
    asyncio.run(main())
