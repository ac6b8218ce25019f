"""Fit the relevance gate and the curated-answer threshold to the index and embedder in use.

Every embedder puts cosines on its own scale (multilingual-e5-small between ~0.78 and ~0.90;
another model, or the same model behind a server that shifts its vectors, elsewhere), so a
threshold measured for one is meaningless for another. The fit reads the scale off the index
itself, with no labelled question, as two pairs of medians:

- **passage scale**: `passage_low`, the median cosine between the reference questions on other
  subjects (`bot/rag/data/other_topics.txt`) and the chunks (what "unrelated" scores), and
  `passage_in`, the median best cosine of pseudo-questions drawn from the corpus (windows of
  `WINDOW_WORDS` words of chunk text, embedded as queries) to the rest of the corpus, the chunk
  each comes from and its neighbours held out (what "the talks discuss it" scores);
- **question scale**: `query_low`, the median cosine between two reference questions, and
  `query_near`, the median cosine of a reference question to its nearest other one (questions on
  one subject); a question is identical to itself at 1.

The rule (`bot/rag/calibration_rule.py`) places the operating point between these anchors;
medians over hundreds of pairs keep them steady when talks are added or removed.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from bot.rag.calibration import Calibration, corpus_digest_of
from bot.rag.calibration_rule import RULE, Anchors, Rule
from bot.rag.chroma import pages
from bot.rag.embeddings import Embedder, Vectors

WINDOW_WORDS = 14
MAX_PSEUDO_QUESTIONS = 240
MIN_PSEUDO_QUESTIONS = 8
MIN_SPREAD = 0.005  # anchors closer than this cannot place a threshold
BLOCK = 64


class CalibrationError(Exception):
    """The index is too small or too uniform to place the gate."""


@dataclass(frozen=True, slots=True)
class Corpus:
    """What the fit reads from a collection: chunk texts, vectors, talk and position of each."""

    collection_id: str
    documents: list[str]
    vectors: Vectors
    talks: list[str]
    positions: list[int]
    digest: str


def read_corpus(collection: Any) -> Corpus:
    """Page through `collection`: documents, vectors, talk ids and positions, and the digest."""
    documents: list[str] = []
    talks: list[str] = []
    positions: list[int] = []
    blocks: list[Vectors] = []
    hashes: set[str] = set()
    for page in pages(collection, ["documents", "metadatas", "embeddings"]):
        documents.extend(str(text) for text in page["documents"])
        blocks.append(np.asarray(page["embeddings"], dtype=np.float32))
        for meta in page["metadatas"]:
            talks.append(str(meta["talk_id"]))
            positions.append(int(meta["position"]))
            hashes.add(f"{meta['talk_id']}:{meta.get('content_hash', '')}")
    vectors = np.concatenate(blocks) if blocks else np.zeros((0, 0), dtype=np.float32)
    return Corpus(
        str(collection.id), documents, vectors, talks, positions, corpus_digest_of(hashes)
    )


def pseudo_questions(corpus: Corpus, rows: Sequence[int]) -> list[tuple[str, int]]:
    """Return (window of chunk text, its chunk row), evenly spread over `rows`."""
    windows = []
    for row in rows:
        words = corpus.documents[row].split()
        for start in range(0, len(words) - WINDOW_WORDS + 1, WINDOW_WORDS * 2):
            windows.append((" ".join(words[start : start + WINDOW_WORDS]), row))
    step = max(1, len(windows) / MAX_PSEUDO_QUESTIONS)
    return [windows[int(n * step)] for n in range(min(len(windows), MAX_PSEUDO_QUESTIONS))]


def fit(
    corpus: Corpus,
    reference: Vectors,
    embedder: Embedder,
    talks: Collection[str] | None = None,
    rule: Rule = RULE,
) -> Calibration:
    """Fit the gate and curated thresholds on `corpus` (only `talks`' chunks, when given)."""
    rows = [r for r, talk in enumerate(corpus.talks) if talks is None or talk in talks]
    pseudo = pseudo_questions(corpus, rows)
    if len(pseudo) < MIN_PSEUDO_QUESTIONS or len(reference) < 2:
        raise CalibrationError(
            f"only {len(pseudo)} pseudo-questions and {len(reference)} reference questions: "
            "the corpus is too small to calibrate the gate"
        )
    queries = embedder.embed_queries([text for text, _ in pseudo])
    anchors = measure_anchors(corpus, rows, pseudo, queries, reference)
    if anchors.passage_spread < MIN_SPREAD or anchors.query_spread < MIN_SPREAD:
        raise CalibrationError(f"anchors too close to place a threshold ({anchors})")
    return Calibration(
        embedder=embedder.name,
        corpus_digest=corpus.digest,
        collection_id=corpus.collection_id,
        anchors=anchors,
        point=rule.point(anchors),
        curated_threshold=rule.curated_threshold(anchors),
        pseudo_questions=len(pseudo),
        fitted_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def measure_anchors(
    corpus: Corpus,
    rows: Sequence[int],
    pseudo: Sequence[tuple[str, int]],
    queries: Vectors,
    reference: Vectors,
) -> Anchors:
    """Return the medians the rule places the gate between (see the module docstring)."""
    picked = np.asarray(rows, dtype=np.int64)
    chunks = corpus.vectors[picked]
    talk_codes = {talk: code for code, talk in enumerate(dict.fromkeys(corpus.talks))}
    talk_of = np.asarray([talk_codes[corpus.talks[row]] for row in rows], dtype=np.int64)
    position_of = np.asarray(corpus.positions, dtype=np.int64)[picked]
    held_in: list[float] = []
    for start in range(0, len(pseudo), BLOCK):
        scores = queries[start : start + BLOCK] @ chunks.T
        for n, (_, source) in enumerate(pseudo[start : start + BLOCK]):
            # the source chunk and its neighbours overlap the window's text: held out
            talk, position = talk_codes[corpus.talks[source]], corpus.positions[source]
            scores[n, (talk_of == talk) & (np.abs(position_of - position) <= 1)] = -np.inf
        held_in.extend(np.max(scores, axis=1).tolist())
    between = reference @ reference.T
    pairs = between[np.triu_indices(len(reference), 1)]
    np.fill_diagonal(between, -np.inf)
    held_in = [score for score in held_in if np.isfinite(score)] or [-1.0]
    return Anchors(
        passage_in=float(np.median(held_in)),
        passage_low=float(np.median(reference @ chunks.T)),
        query_near=float(np.median(np.max(between, axis=1))),
        query_low=float(np.median(pairs)),
    )
