"""Choose how many neighbouring chunks one passage may hold, on the tuning split only.

Usage (after `pide-ayuda ingest --source sample`, same PIDE_AYUDA_DATA_DIR):
    OMP_NUM_THREADS=1 python -m bench.neighbours [--questions bench/data/questions_tune.jsonl]

For each limit (1 = no merging), searches every question as `pide-ayuda eval` does and prints
recall@1, recall@5, MRR and the mean passage length, the price of merging in prompt size. Never
point it at the test split: that one is only for reporting (`pide-ayuda eval`).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import bot.rag.index as index_module
from bot.config import load_settings
from bot.rag.evaluation import evaluate_retrieval, load_questions
from bot.rag.index import Index

LIMITS = (1, 2, 3, 4)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=Path("bench/data/questions_tune.jsonl"))
    args = parser.parse_args()
    questions = load_questions(args.questions)
    index = Index.open(load_settings())
    for limit in LIMITS:
        index_module.MERGED_CHUNKS = limit
        figures = (await evaluate_retrieval(index, questions, k=5)).as_dict()
        print(
            f"up to {limit} chunks: @1 {figures['recall@1']}/{len(questions)}  "
            f"@5 {figures['recall@k']}/{len(questions)}  MRR {figures['mrr']:.3f}  "
            f"mean passage {figures['mean_passage_chars']} chars"
        )
    index.close()


if __name__ == "__main__":
    asyncio.run(main())
