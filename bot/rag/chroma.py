"""Open Chroma: an embedded PersistentClient by default, an HttpClient when CHROMA_URL is set."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from bot.config import Settings
from bot.rag.errors import IndexMissingError, RagError, first_line

# Collection metadata keys recorded at build time and checked when opening.
MODEL_KEY = "embedding_model"
CHUNKER_KEY = "chunker"
COSINE = {"hnsw": {"space": "cosine"}}
WORK_MARKERS = ("-building-", "-retired-")
# Rows a paged read of a whole collection asks for at once.
PAGE = 5_000


def pages(collection: Any, include: list[str]) -> Iterator[dict[str, Any]]:
    """Yield a whole collection as `get` pages of PAGE rows (ids plus the `include` fields)."""
    offset = 0
    while True:
        page: dict[str, Any] = collection.get(include=include, limit=PAGE, offset=offset)
        if not page["ids"]:
            return
        offset += len(page["ids"])
        yield page


def open_client(settings: Settings, create: bool = False) -> Any:
    """Connect to Chroma; without `create`, a missing local store raises IndexMissingError."""
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        return _http_client(settings.chroma_url, chroma_settings)
    path = settings.chroma_path
    if not create and not (path / "chroma.sqlite3").is_file():
        raise IndexMissingError(f"no index at {path}: build it with `pide-ayuda ingest`")
    import chromadb

    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as error:
        _forget_local_system(str(path))
        raise IndexMissingError(
            f"the index at {path} cannot be read ({first_line(error)}); "
            "rebuild it with `pide-ayuda ingest --rebuild`"
        ) from error


def reset_local_store(settings: Settings) -> None:
    """Delete an unreadable embedded store so that a rebuild can start from scratch."""
    if not settings.chroma_url:
        shutil.rmtree(settings.chroma_path, ignore_errors=True)


def _forget_local_system(path: str) -> None:
    """Drop the half-started system Chroma caches per path, so a rebuild can reopen the path."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(path, None)
    SharedSystemClient._identifier_to_refcount.pop(path, None)


def _http_client(url: str, chroma_settings: Any) -> Any:
    import chromadb

    parts = urlsplit(url if "://" in url else f"http://{url}")
    ssl = parts.scheme == "https"
    try:
        return chromadb.HttpClient(
            host=parts.hostname or "localhost",
            port=parts.port or (443 if ssl else 8000),
            ssl=ssl,
            settings=chroma_settings,
        )
    except Exception as error:
        raise RagError(
            f"cannot reach the Chroma server at {url} ({first_line(error)}); "
            "check CHROMA_URL and that `chroma run` is up"
        ) from error
