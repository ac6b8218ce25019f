"""Measure the curated-answer threshold: paraphrases of curated questions vs other questions.

Usage (no index or network needed; uses the configured embedder, default the bundled e5-small):
    OMP_NUM_THREADS=1 python -m bench.curated_threshold

bench/data/paraphrases.jsonl holds curated questions with a paraphrase a participant might ask,
and questions no curated pair answers (unrelated, and hard negatives on the hackathon's topics),
each in a `tune` or `test` split. Every curated question goes into a real curated collection (in
a temporary data directory); each asked question is matched against it. "Answered from a curated
pair" means the best match scores at or above the threshold; it is correct when that pair is the
one the question paraphrases. Precision = correct / answered from a curated pair; recall =
correct / paraphrases. The threshold maximises F0.5 (a wrong curated answer costs more than
falling back to the keynotes) on the tuning split; the test split is reported at that threshold.
"""

from __future__ import annotations

import itertools
import json
import os
import platform
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.config import load_settings
from bot.rag.curated import CuratedEntry, CuratedIndex

DATA = Path(__file__).parent / "data" / "paraphrases.jsonl"
BETA = 0.5


@dataclass(frozen=True, slots=True)
class Trial:
    """One asked question: its split, whether it paraphrases a curated pair, the best match."""

    split: str
    paraphrase: bool
    right_pair: bool
    score: float


def load() -> list[dict[str, str | None]]:
    """Read the paraphrase set."""
    lines = DATA.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def run_trials(items: list[dict[str, str | None]]) -> list[Trial]:
    """Index every curated question, then match every asked question."""
    curated = sorted({str(i["curated"]) for i in items if i["curated"]})
    ids = {question: number for number, question in enumerate(curated, start=1)}
    with tempfile.TemporaryDirectory(prefix="curated-bench-") as folder:
        os.environ["PIDE_AYUDA_DATA_DIR"] = folder
        index = CuratedIndex.open(load_settings())
        try:
            index.add([CuratedEntry(n, q, f"respuesta {n}", "mentor") for q, n in ids.items()])
            trials = []
            for item in items:
                match = index.best(str(item["asked"]))
                assert match is not None
                wanted = ids.get(str(item["curated"])) if item["curated"] else None
                trials.append(
                    Trial(
                        str(item["split"]),
                        wanted is not None,
                        match.entry.pair_id == wanted,
                        match.score,
                    )
                )
        finally:
            index.close()
    return trials


def measure(trials: list[Trial], threshold: float) -> tuple[float, float, int, int, int]:
    """Return precision, recall, correct, answered from a curated pair, paraphrases."""
    answered = [t for t in trials if t.score >= threshold]
    correct = sum(t.paraphrase and t.right_pair for t in answered)
    paraphrases = sum(t.paraphrase for t in trials)
    precision = correct / len(answered) if answered else 1.0
    recall = correct / paraphrases if paraphrases else 0.0
    return precision, recall, correct, len(answered), paraphrases


def f_beta(precision: float, recall: float) -> float:
    """Weighted harmonic mean; BETA < 1 weighs precision more."""
    if precision + recall == 0:
        return 0.0
    return (1 + BETA**2) * precision * recall / (BETA**2 * precision + recall)


def choose(trials: list[Trial]) -> float:
    """Return the midpoint threshold with the best F0.5 on these trials (the higher on ties)."""
    scores = sorted({round(t.score, 4) for t in trials})
    candidates = [(a + b) / 2 for a, b in itertools.pairwise(scores)]
    best = max(candidates, key=lambda t: (f_beta(*measure(trials, t)[:2]), t))
    return round(best, 3)


def main() -> None:
    """Print every match, the chosen threshold and precision/recall on both splits."""
    items = load()
    trials = run_trials(items)
    for item, trial in zip(items, trials, strict=True):
        kind = ("ok  " if trial.right_pair else "MISS") if trial.paraphrase else "none"
        print(f"{trial.score:.3f}  {trial.split:4}  {kind}  {item['asked']}")
    tune = [t for t in trials if t.split == "tune"]
    test = [t for t in trials if t.split == "test"]
    threshold = choose(tune)
    print(f"\nthreshold {threshold} (max F{BETA} on the tuning split)")
    for name, part in (("tune", tune), ("test", test)):
        precision, recall, correct, answered, paraphrases = measure(part, threshold)
        negatives = len(part) - paraphrases
        print(
            f"{name}: precision {precision:.3f} ({correct}/{answered}), "
            f"recall {recall:.3f} ({correct}/{paraphrases}); "
            f"{paraphrases} paraphrases, {negatives} other questions"
        )
    print(f"machine: {platform.machine()} {os.cpu_count()} cores; {datetime.now(UTC):%Y-%m-%d}")


if __name__ == "__main__":
    main()
