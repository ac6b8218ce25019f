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

The gate's threshold, coverage weight, other-topic weight and floor, and the curated threshold,
sit at fixed *relative* positions on these scales (`RULE`): an embedder whose cosines are shifted
or compressed gets its operating point moved and stretched with them. The positions were measured
once with the bundled model on the sample (`bench/calibration.py`, docs/retrieval.md); medians
over hundreds of pairs keep the anchors steady when talks are added or removed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import uuid
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bot.rag.embeddings import Embedder, Vectors
from bot.rag.gate import OperatingPoint

log = logging.getLogger(__name__)

WINDOW_WORDS = 14
MAX_PSEUDO_QUESTIONS = 240
MIN_PSEUDO_QUESTIONS = 8
MIN_SPREAD = 0.005  # anchors closer than this cannot place a threshold
PAGE = 5_000
BLOCK = 64
FORMAT = 1


@dataclass(frozen=True, slots=True)
class Anchors:
    """Medians read off the index: where in-scope and off-topic messages sit for this embedder."""

    passage_in: float
    passage_low: float
    query_near: float
    query_low: float

    @property
    def passage_spread(self) -> float:
        """Distance between the discussed and unrelated passage-cosine anchors."""
        return self.passage_in - self.passage_low

    @property
    def query_spread(self) -> float:
        """Distance between same-subject and unrelated question-to-question cosines."""
        return self.query_near - self.query_low


@dataclass(frozen=True, slots=True)
class Rule:
    """Scale-free positions between the anchors (0 = low anchor, 1 = high anchor).

    `curated` is placed between `query_near` (0) and an identical question (1).
    """

    threshold: float
    coverage_weight: float
    other_topic_weight: float
    other_topic_floor: float
    curated: float

    def point(self, anchors: Anchors) -> OperatingPoint:
        """Return the gate's operating point on the cosine scale of `anchors`."""
        spread = anchors.passage_spread
        qspread = anchors.query_spread
        return OperatingPoint(
            threshold=round(anchors.passage_low + self.threshold * spread, 4),
            coverage_weight=round(self.coverage_weight * spread, 4),
            other_topic_weight=round(self.other_topic_weight * spread / qspread, 4),
            other_topic_floor=round(anchors.query_low + self.other_topic_floor * qspread, 4),
        )

    def curated_threshold(self, anchors: Anchors) -> float:
        """Return the question-to-question cosine a curated answer needs, on this scale."""
        return round(anchors.query_near + self.curated * (1.0 - anchors.query_near), 4)

    @classmethod
    def from_point(cls, point: OperatingPoint, curated: float, anchors: Anchors) -> Rule:
        """Express an operating point measured on `anchors`' scale as relative positions."""
        spread, qspread = anchors.passage_spread, anchors.query_spread
        return cls(
            threshold=(point.threshold - anchors.passage_low) / spread,
            coverage_weight=point.coverage_weight / spread,
            other_topic_weight=point.other_topic_weight * qspread / spread,
            other_topic_floor=(point.other_topic_floor - anchors.query_low) / qspread,
            curated=(curated - anchors.query_near) / (1.0 - anchors.query_near),
        )


# The bundled model's cross-validated operating point (bot/rag/gate.py) and curated threshold
# (bench/curated_threshold.py), as positions between the anchors of the full sample index.
RULE = Rule(
    threshold=0.9967,
    coverage_weight=1.7321,
    other_topic_weight=1.2517,
    other_topic_floor=0.7007,
    curated=0.4608,
)


class CalibrationError(Exception):
    """The index is too small or too uniform to place the gate."""


@dataclass(frozen=True, slots=True)
class Calibration:
    """The fitted gate and curated thresholds, and what they were fitted for."""

    embedder: str
    corpus_digest: str
    collection_id: str
    anchors: Anchors
    point: OperatingPoint
    curated_threshold: float
    pseudo_questions: int
    fitted_at: str

    def as_json(self) -> str:
        """Serialise for the file saved beside the index."""
        return json.dumps({"format": FORMAT, **asdict(self)}, indent=2)

    @classmethod
    def from_json(cls, text: str) -> Calibration:
        """Read a file written by `as_json`."""
        raw = json.loads(text)
        if raw.pop("format", None) != FORMAT:
            raise ValueError("unknown calibration format")
        raw["anchors"] = Anchors(**raw["anchors"])
        raw["point"] = OperatingPoint(**raw["point"])
        return cls(**raw)

    def describe(self) -> str:
        """One line for the operator: the operating point and what it was fitted on."""
        p = self.point
        return (
            f"threshold {p.threshold:.4f}, coverage weight {p.coverage_weight:.4f}, other-topic "
            f"weight {p.other_topic_weight:.4f} above {p.other_topic_floor:.4f}, curated "
            f"{self.curated_threshold:.4f} (fitted for {self.embedder} on corpus "
            f"{self.corpus_digest}, {self.pseudo_questions} pseudo-questions)"
        )


@dataclass(frozen=True, slots=True)
class Corpus:
    """What the fit reads from a collection: chunk texts, vectors, talk and position of each."""

    collection_id: str
    documents: list[str]
    vectors: Vectors
    talks: list[str]
    positions: list[int]
    digest: str


def calibration_path(data_dir: Path, collection_name: str) -> Path:
    """Return the file holding the calibration of collection `collection_name`."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", collection_name)
    return data_dir / "calibration" / f"{safe}.json"


def read_corpus(collection: Any) -> Corpus:
    """Page through `collection`: documents, vectors, talk ids and positions, and the digest."""
    documents: list[str] = []
    talks: list[str] = []
    positions: list[int] = []
    pages: list[Vectors] = []
    hashes: set[str] = set()
    while True:
        page = collection.get(
            include=["documents", "metadatas", "embeddings"], limit=PAGE, offset=len(documents)
        )
        if not page["ids"]:
            break
        documents.extend(str(text) for text in page["documents"])
        pages.append(np.asarray(page["embeddings"], dtype=np.float32))
        for meta in page["metadatas"]:
            talks.append(str(meta["talk_id"]))
            positions.append(int(meta["position"]))
            hashes.add(f"{meta['talk_id']}:{meta.get('content_hash', '')}")
    vectors = np.concatenate(pages) if pages else np.zeros((0, 0), dtype=np.float32)
    return Corpus(str(collection.id), documents, vectors, talks, positions, _digest(hashes))


def corpus_digest(collection: Any) -> str:
    """Return the digest of the talks (id and content hash) a collection holds."""
    hashes: set[str] = set()
    offset = 0
    while True:
        page = collection.get(include=["metadatas"], limit=PAGE, offset=offset)
        if not page["ids"]:
            return _digest(hashes)
        offset += len(page["ids"])
        hashes.update(f"{m['talk_id']}:{m.get('content_hash', '')}" for m in page["metadatas"])


def _digest(hashes: set[str]) -> str:
    return hashlib.sha256("\n".join(sorted(hashes)).encode()).hexdigest()[:16]


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


def save(calibration: Calibration, path: Path) -> None:
    """Write under a temporary name renamed into place: processes sharing the dir see no part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{uuid.uuid4().hex}.json")
    partial.write_text(calibration.as_json(), encoding="utf-8")
    os.replace(partial, path)


def load(path: Path) -> Calibration | None:
    """Return the saved calibration, or None when there is none (or it cannot be read)."""
    try:
        return Calibration.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError) as error:
        log.warning("ignoring unreadable calibration %s (%s)", path, error)
        return None


def check(calibration: Calibration | None, embedder: str, collection: Any) -> str | None:
    """Return why `calibration` does not fit the embedder and collection in use, or None."""
    if calibration is None:
        return "the relevance gate is not calibrated for this index: run `pide-ayuda calibrate`"
    if calibration.embedder != embedder:
        return (
            f"the relevance gate was calibrated for embedding model {calibration.embedder!r}, not "
            f"{embedder!r}: run `pide-ayuda calibrate`"
        )
    if calibration.collection_id != str(collection.id):
        digest = corpus_digest(collection)
        if digest != calibration.corpus_digest:
            return (
                f"the relevance gate was calibrated on corpus {calibration.corpus_digest}, the "
                f"index holds {digest}: run `pide-ayuda calibrate`"
            )
    return None
