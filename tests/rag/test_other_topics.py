"""The gate's reference questions on other topics: the list, its saved vectors, its independence."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.config import load_settings
from bot.rag.embeddings import LocalEmbedder
from bot.rag.ingest import ingest
from bot.rag.other_topics import REFERENCE, load_other_topics, reference_questions

BENCH_DATA = Path(__file__).parents[2] / "bench" / "data"
# Closer than this to an evaluation question, a reference question would be a paraphrase of it
# and inflate the gate's measured refusals (docs/retrieval.md, fifth pass).
PARAPHRASE_COSINE = 0.875
# The bundled engine's cosines differ in the last digits from one x86 CPU to another. The closest
# pair today is no paraphrase (the fog in the morning against rain tomorrow, 0.8748 on an Intel
# Xeon), so the check allows that much noise rather than fail on another machine.
CROSS_CPU_NOISE = 0.001


@pytest.fixture(scope="module")
def embedder() -> LocalEmbedder:
    """The bundled e5 model, loaded once for this module."""
    return LocalEmbedder()


def test_the_reference_lists_distinct_spanish_questions() -> None:
    questions = reference_questions()
    assert len(questions) >= 150 and len(set(questions)) == len(questions)
    assert all(q.startswith("¿") and q.endswith("?") for q in questions)
    assert not any(line.startswith("#") for line in questions)
    assert REFERENCE.read_text(encoding="utf-8").startswith("#")  # the header is not a question


def test_no_reference_question_paraphrases_an_evaluation_question(embedder: LocalEmbedder) -> None:
    rows = [
        json.loads(line)
        for path in sorted(BENCH_DATA.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    fields = ("question", "asked", "curated")
    evaluated = [str(row[key]) for row in rows for key in fields if row.get(key)]
    references = reference_questions()
    closeness = embedder.embed_queries(references) @ embedder.embed_queries(evaluated).T
    worst = np.unravel_index(int(np.argmax(closeness)), closeness.shape)
    pair = (references[int(worst[0])], evaluated[int(worst[1])])
    assert float(closeness[worst]) < PARAPHRASE_COSINE + CROSS_CPU_NOISE, pair


async def test_ingest_saves_the_embedded_reference_that_the_index_reads(
    tiny_corpus: Path, isolated_settings: Path, embedder: LocalEmbedder
) -> None:
    settings = load_settings()
    ingest(settings, str(tiny_corpus), progress=False, embedder=embedder)
    (saved,) = (isolated_settings / "other_topics").glob("*.npy")
    assert saved.name.startswith(embedder.name.replace("/", "_"))
    vectors = np.load(saved)
    assert vectors.shape == (len(reference_questions()), 384)
    first = embedder.embed_queries(reference_questions()[:1])[0]
    assert load_other_topics(isolated_settings, embedder).closeness(first) == pytest.approx(1.0)
    assert np.allclose(vectors[0], first, atol=1e-5)
