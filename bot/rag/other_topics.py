"""Questions about other subjects: the relevance gate's reference for what the talks do not cover.

e5 cosines between a question and the talks are compressed (0.78-0.90): "¿Nevará en Madrid?"
scores like a near-miss question about the talks. Its cosine to a question about the weather is
far higher. `bot/rag/data/other_topics.txt` lists everyday and general-computing questions; the
gate lowers a question's relevance by how much closer than a floor it comes to the nearest one
(`bot/rag/gate.py`).

The reference questions are embedded with the index's own embedder, once: the vectors are saved
under `<data dir>/other_topics/`, named by the model and the file's digest (so editing the file or
changing the model embeds them again), and kept in memory for every index the process opens.
Ingest embeds them, so the first question of a fresh install does not wait for it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import time
import uuid
from pathlib import Path

import numpy as np

from bot.rag.embeddings import Embedder, Vectors

log = logging.getLogger(__name__)

REFERENCE = Path(__file__).parent / "data" / "other_topics.txt"

_loaded: dict[str, Vectors] = {}  # by file name: model and digest
_lock = threading.Lock()


class OtherTopics:
    """The embedded reference questions; `closeness` is a query's best cosine to one of them."""

    def __init__(self, vectors: Vectors) -> None:
        """Hold one L2-normalised row per reference question."""
        self._vectors = vectors

    @property
    def vectors(self) -> Vectors:
        """The reference questions' vectors, one L2-normalised row each."""
        return self._vectors

    def closeness(self, vector: Vectors) -> float:
        """Return the highest cosine between a query vector and a reference question."""
        if not len(self._vectors):
            return 0.0
        return float(np.max(self._vectors @ vector.reshape(-1)))


def reference_questions() -> list[str]:
    """Return the reference questions, without comments and blank lines."""
    lines = (line.strip() for line in REFERENCE.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def load_other_topics(data_dir: Path, embedder: Embedder) -> OtherTopics:
    """Return the reference questions embedded by `embedder`, embedding and saving them once."""
    questions = reference_questions()
    digest = hashlib.sha256("\n".join(questions).encode()).hexdigest()[:16]
    model = re.sub(r"[^A-Za-z0-9.-]+", "_", embedder.name)
    saved = data_dir / "other_topics" / f"{model}-{digest}.npy"
    with _lock:
        vectors = _loaded.get(saved.name)
        if vectors is None and saved.is_file():
            vectors = np.load(saved).astype(np.float32, copy=False)
        if vectors is None:
            vectors = _embed(embedder, questions)
        if not saved.is_file():
            _save(vectors, saved)
        _loaded[saved.name] = vectors
    return OtherTopics(vectors)


def _embed(embedder: Embedder, questions: list[str]) -> Vectors:
    started = time.perf_counter()
    vectors = embedder.embed_queries(questions)
    log.info(
        "embedded %d reference questions on other topics in %.1f s",
        len(questions),
        time.perf_counter() - started,
    )
    return vectors


def _save(vectors: Vectors, saved: Path) -> None:
    """Write under a temporary name renamed into place: processes sharing the dir see no part."""
    saved.parent.mkdir(parents=True, exist_ok=True)
    partial = saved.with_name(f".{uuid.uuid4().hex}.npy")
    np.save(partial, vectors)
    os.replace(partial, saved)
