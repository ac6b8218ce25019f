"""Tune the late-scoring weights and the candidate depth on the tuning split only.

Usage (after `pide-ayuda ingest --source sample`, same PIDE_AYUDA_DATA_DIR):
    OMP_NUM_THREADS=1 python -m bench.retrieval_tune [--questions bench/data/questions_tune.jsonl]

For each candidate depth and lexical leg weight (RRF), embeds every question once, keeps each
fused candidate's features (`Index.candidates`) and whether it holds an evidence phrase, then
scores every combination of the weight grid without searching again. Prints recall@1/@5 per
setting, best first. Chunks are labelled one by one, then each setting's ranking is grouped into
passages as the search does (bot/rag/neighbours.py, at most `--merged` chunks a passage: the
shipped MERGED_CHUNKS by default, 1 to tune single chunks); a passage is a hit when one of its
chunks is.
Never point it at the test split: that one is only for reporting (`pide-ayuda eval`).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
from pathlib import Path

import bot.rag.index as index_module
from bot.config import load_settings
from bot.rag.evaluation import is_hit
from bot.rag.index import Index
from bot.rag.neighbours import Span, group_neighbours
from bot.rag.rerank import Candidate, Weights, rerank

GRID = {
    "fused": (0.0, 0.02, 0.05, 0.1),
    "coverage": (0.0, 0.05, 0.1, 0.15, 0.2),
    "named": (0.0, 0.02, 0.05),
}
DEPTHS = (20, 30)
LEXICAL_WEIGHTS = (0.7, 1.0, 1.5)

Labelled = list[tuple[list[Candidate], set[str], dict[str, Span]]]


async def label(index: Index, questions: list[dict[str, object]]) -> Labelled:
    """Return each question's candidates, the ids of those that are hits, and where each sits."""
    labelled = []
    for item in questions:
        question = str(item["question"])
        evidence = [str(e) for e in item["evidence"]]  # type: ignore[attr-defined]
        passages = await index.search(question, k=index_module.CANDIDATES)  # one chunk each
        hits = {p.chunk_id for p in passages if is_hit(p, evidence)}
        spans = {p.chunk_id: Span(p.talk_id, p.position, 0, 0) for p in passages}
        labelled.append((index.candidates(question), hits, spans))
    return labelled


def recall(labelled: Labelled, weights: Weights, merged: int) -> tuple[int, int]:
    """Return (hits at 1, hits at 5) of the passages ranked under `weights`."""
    at1 = at5 = 0
    for candidates, hits, spans in labelled:
        ranked = [c.chunk_id for c, _ in rerank(candidates, weights)]
        groups = group_neighbours(ranked, spans, 5, merged)
        at1 += bool(hits & set(groups[0]))
        at5 += any(hits & set(group) for group in groups)
    return at1, at5


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=Path("bench/data/questions_tune.jsonl"))
    parser.add_argument("--merged", type=int, default=index_module.MERGED_CHUNKS)
    args = parser.parse_args()
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line) for line in lines if line.strip()]
    index = Index.open(load_settings())
    index_module.MERGED_CHUNKS = 1  # label single chunks: every passage is one candidate
    results = []
    for depth, lexical in itertools.product(DEPTHS, LEXICAL_WEIGHTS):
        index_module.CANDIDATES, index_module.LEXICAL_WEIGHT = depth, lexical
        labelled = await label(index, questions)
        for fused, cover, named in itertools.product(*GRID.values()):
            weights = Weights(fused=fused, coverage=cover, named=named)
            at1, at5 = recall(labelled, weights, args.merged)
            results.append((at5, at1, f"depth {depth} lexical {lexical}", weights))
    index.close()
    results.sort(key=lambda row: (row[0], row[1]), reverse=True)
    for at5, at1, legs, weights in results[:25]:
        print(f"@5 {at5}/{len(questions)}  @1 {at1}/{len(questions)}  {legs}  {weights}")


if __name__ == "__main__":
    asyncio.run(main())
