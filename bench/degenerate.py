"""Degenerate-output detection: false positives on good Spanish text, catches, and cost.

Good text: the hand-written answers of tests/answer/data/answers_good.jsonl (code, URLs, English
jargon, lists, tables) and every chunk of the bundled keynote transcripts (real Whisper Spanish,
fillers and repetitions included). Bad text: tests/answer/data/answers_degenerate.jsonl. Each text
is fed as a stream of word deltas, exactly as the answerer does, then checked as complete.

    python -m bench.degenerate
"""

from __future__ import annotations

import json
import platform
import re
import statistics
import time
from pathlib import Path

from bot.rag.chunking import chunk_talk
from bot.rag.corpus import load_talks
from bot.rag.degenerate import Degeneracy, Verdict

DATA = Path(__file__).resolve().parent.parent / "tests" / "answer" / "data"


def stream(text: str) -> tuple[Verdict | None, int, float]:
    """Return the verdict, the words fed before it, and the seconds spent checking."""
    degeneracy, so_far, words, spent = Degeneracy(), "", 0, 0.0
    for piece in re.findall(r"\s*\S+", text):
        so_far, words = so_far + piece, words + 1
        mark = time.perf_counter()
        verdict = degeneracy.check(so_far)
        spent += time.perf_counter() - mark
        if verdict is not None:
            return verdict, words, spent
    mark = time.perf_counter()
    verdict = degeneracy.check(so_far, final=True)
    return verdict, words, spent + time.perf_counter() - mark


def load(name: str) -> list[dict[str, str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def main() -> None:
    """Print false positives, catches and per-answer cost."""
    answers = [row["text"] for row in load("answers_good.jsonl")]
    chunks = [c.text for talk in load_talks("sample", "") for c in chunk_talk(talk)]
    costs: list[float] = []
    for label, texts in (("good answers", answers), ("transcript chunks", chunks)):
        flagged = []
        for text in texts:
            verdict, words, spent = stream(text)
            costs.append(spent * 1000 / max(words, 1))
            if verdict is not None:
                flagged.append(f"  {verdict} <- {text[:70]!r}")
        print(f"{label}: {len(flagged)}/{len(texts)} flagged (false positives)")
        print("\n".join(flagged))
    caught = 0
    for row in load("answers_degenerate.jsonl"):
        verdict, words, _ = stream(row["text"])
        ok = verdict is not None and verdict.reason == row["reason"]
        caught += ok
        print(f"  {'ok ' if ok else 'MISS'} {row['reason']:<16} after {words:>3} words: {verdict}")
    print(f"degenerate: {caught}/{len(load('answers_degenerate.jsonl'))} caught for their reason")
    costs.sort()
    p95 = costs[int(len(costs) * 0.95)]
    print(f"check cost per delta: p50 {statistics.median(costs):.3f} ms, p95 {p95:.3f} ms")
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, python {platform.python_version()}")


if __name__ == "__main__":
    main()
