"""Build or update the keynote index: idempotent, incremental, and never left half-built."""

from __future__ import annotations

import logging
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tqdm import tqdm

from bot.config import Settings
from bot.rag.calibrate import calibrate_index
from bot.rag.calibration import Calibration, calibration_path
from bot.rag.calibration import load as load_calibration
from bot.rag.calibration_fit import CalibrationError
from bot.rag.chroma import (
    CHUNKER_KEY,
    COSINE,
    MODEL_KEY,
    WORK_MARKERS,
    open_client,
    reset_local_store,
)
from bot.rag.chunking import CHUNKER_VERSION, chunk_talk
from bot.rag.corpus import load_talks
from bot.rag.embeddings import Embedder, make_embedder
from bot.rag.errors import IndexMismatchError, IndexMissingError
from bot.rag.lexical_store import lexical_root, prune_lexical, save_lexical, saved_folder
from bot.rag.other_topics import load_other_topics
from bot.rag.types import Chunk, Talk

log = logging.getLogger(__name__)

EMBED_BATCH = 32
ADD_BATCH = 256


@dataclass(slots=True)
class IngestReport:
    """What one ingest run did."""

    embedding_model: str
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_total: int = 0
    seconds: float = 0.0
    calibration: Calibration | None = None
    calibration_problem: str | None = None

    @property
    def changed(self) -> bool:
        """Whether the index was rewritten."""
        return bool(self.added or self.replaced or self.removed)

    @property
    def talks_indexed(self) -> int:
        """How many talks the index holds after the run."""
        return len(self.added) + len(self.replaced) + len(self.unchanged)


def ingest(
    settings: Settings,
    source: str | None,
    rebuild: bool = False,
    progress: bool = True,
    embedder: Embedder | None = None,
) -> IngestReport:
    """Load the talks from `source` and bring the index in line with them."""
    started = time.perf_counter()
    talks = load_talks(source, settings.hf_dataset)
    embedder = embedder or make_embedder(settings)
    client = _client_for_ingest(settings, rebuild)
    try:
        report = _update(client, settings.chroma_collection, talks, rebuild, embedder, progress)
        collection_id = _persist_lexical(client, settings)
    finally:
        client.close()
    load_other_topics(settings.data_dir, embedder)  # the gate's reference, ready for the bot
    _calibrate(settings, embedder, report, collection_id)
    report.seconds = time.perf_counter() - started
    return report


def _update(
    client: Any,
    name: str,
    talks: Sequence[Talk],
    rebuild: bool,
    embedder: Embedder,
    progress: bool,
) -> IngestReport:
    """Bring collection `name` in line with `talks`, rewriting it only when something changed."""
    _drop_leftovers(client, name)
    existing = _existing(client, name)
    old_hashes = {} if existing is None or rebuild else _old_hashes(existing, embedder)
    report = _plan(talks, old_hashes, embedder.name)
    if existing is None or rebuild or report.changed:
        _rebuild_into_swap(client, name, talks, report, existing, embedder, progress)
    else:
        report.chunks_total = existing.count()
    return report


def _persist_lexical(client: Any, settings: Settings) -> str:
    """Save the lexical index of the current collection (if not saved yet); drop retired ones."""
    collection = client.get_collection(settings.chroma_collection, embedding_function=None)
    root = lexical_root(settings.data_dir)
    if not saved_folder(root, collection).is_dir():
        save_lexical(root, collection)
    prune_lexical(root, collection)
    return str(collection.id)


def _calibrate(
    settings: Settings, embedder: Embedder, report: IngestReport, collection_id: str
) -> None:
    """Fit the gate to the index when it changed or its calibration is for something else."""
    saved = load_calibration(calibration_path(settings.data_dir, settings.chroma_collection))
    fits = saved is not None and (saved.embedder, saved.collection_id) == (
        embedder.name,
        collection_id,
    )
    if fits and not report.changed:
        report.calibration = saved
        return
    try:
        report.calibration = calibrate_index(settings, embedder)
    except CalibrationError as error:
        report.calibration_problem = str(error)
        log.warning("the relevance gate was not calibrated: %s", error)


def _client_for_ingest(settings: Settings, rebuild: bool) -> Any:
    try:
        return open_client(settings, create=True)
    except IndexMissingError:
        if not rebuild:
            raise
        log.warning("the index at %s is unreadable; starting it from scratch", settings.chroma_path)
        reset_local_store(settings)
        return open_client(settings, create=True)


def _drop_leftovers(client: Any, name: str) -> None:
    """Delete work collections left behind by an interrupted run."""
    for collection in client.list_collections():
        other = str(getattr(collection, "name", collection))
        if other.startswith(name) and any(marker in other for marker in WORK_MARKERS):
            log.warning("deleting collection %s left by an interrupted ingest", other)
            client.delete_collection(other)


def _existing(client: Any, name: str) -> Any | None:
    from chromadb.errors import NotFoundError

    try:
        return client.get_collection(name, embedding_function=None)
    except NotFoundError:
        return None


def _old_hashes(existing: Any, embedder: Embedder) -> dict[str, str]:
    """Map talk id -> content hash of the indexed talks ("" when they must all be re-chunked)."""
    metadata = existing.metadata or {}
    if metadata.get(MODEL_KEY) != embedder.name:
        raise IndexMismatchError(
            f"the index was built with embedding model {metadata.get(MODEL_KEY)!r}, not "
            f"{embedder.name!r}: rerun with --rebuild to re-embed every talk"
        )
    rechunk = metadata.get(CHUNKER_KEY) != CHUNKER_VERSION
    rows = existing.get(include=["metadatas"])
    return {str(m["talk_id"]): "" if rechunk else str(m["content_hash"]) for m in rows["metadatas"]}


def _plan(talks: Sequence[Talk], old_hashes: dict[str, str], model: str) -> IngestReport:
    report = IngestReport(embedding_model=model)
    for talk in talks:
        if talk.talk_id not in old_hashes:
            report.added.append(talk.talk_id)
        elif old_hashes[talk.talk_id] != talk.content_hash:
            report.replaced.append(talk.talk_id)
        else:
            report.unchanged.append(talk.talk_id)
    current = {talk.talk_id for talk in talks}
    report.removed = sorted(set(old_hashes) - current)
    return report


def _rebuild_into_swap(
    client: Any,
    name: str,
    talks: Sequence[Talk],
    report: IngestReport,
    existing: Any | None,
    embedder: Embedder,
    progress: bool,
) -> None:
    """Write the new index into a work collection, then swap it in under `name`."""
    work_name = f"{name}-building-{uuid.uuid4().hex[:8]}"
    work = client.create_collection(
        work_name,
        configuration=COSINE,
        metadata={MODEL_KEY: embedder.name, CHUNKER_KEY: CHUNKER_VERSION},
        embedding_function=None,
    )
    try:
        if existing is not None and report.unchanged:
            _copy_talks(existing, work, report.unchanged)
        fresh = [talk for talk in talks if talk.talk_id not in set(report.unchanged)]
        report.chunks_embedded = _embed_talks(work, fresh, embedder, progress)
        report.chunks_total = work.count()
        _swap(client, name, work, existing)
    except BaseException:
        client.delete_collection(work_name)
        raise


def _copy_talks(source: Any, target: Any, talk_ids: list[str]) -> None:
    rows = source.get(
        where={"talk_id": {"$in": talk_ids}}, include=["embeddings", "documents", "metadatas"]
    )
    for start in range(0, len(rows["ids"]), ADD_BATCH):
        end = start + ADD_BATCH
        target.add(
            ids=rows["ids"][start:end],
            embeddings=rows["embeddings"][start:end],
            documents=rows["documents"][start:end],
            metadatas=rows["metadatas"][start:end],
        )


PROGRESS_LINE_SECONDS = 10.0


def _embed_talks(target: Any, talks: Sequence[Talk], embedder: Embedder, progress: bool) -> int:
    chunks = [(chunk, talk.content_hash) for talk in talks for chunk in chunk_talk(talk)]
    terminal = sys.stderr.isatty()
    lines = progress and not terminal  # a log or a pipe gets a line every PROGRESS_LINE_SECONDS
    with tqdm(
        total=len(chunks),
        unit="chunk",
        desc="Embedding",
        disable=not progress,
        file=sys.stderr if terminal else sys.stdout,  # stderr stays for the one-line error
        dynamic_ncols=terminal,
        mininterval=PROGRESS_LINE_SECONDS if lines else 0.1,
        ascii=lines,
        bar_format="{desc}: {n_fmt}/{total_fmt} chunks, {elapsed} elapsed\n" if lines else None,
    ) as bar:
        for start in range(0, len(chunks), EMBED_BATCH):
            batch = chunks[start : start + EMBED_BATCH]
            vectors = embedder.embed_passages([chunk.text for chunk, _ in batch])
            target.add(
                ids=[chunk.chunk_id for chunk, _ in batch],
                embeddings=vectors,
                documents=[chunk.text for chunk, _ in batch],
                metadatas=[_metadata(chunk, digest) for chunk, digest in batch],
            )
            bar.update(len(batch))
    return len(chunks)


def _metadata(chunk: Chunk, content_hash: str) -> dict[str, str | int]:
    return {
        "talk_id": chunk.talk_id,
        "title": chunk.title,
        "author": chunk.author,
        "position": chunk.position,
        "start": chunk.start,
        "end": chunk.end,
        "content_hash": content_hash,
    }


def _swap(client: Any, name: str, work: Any, existing: Any | None) -> None:
    """Retire the old collection, give the work collection its name, then drop the old one."""
    retired = None
    if existing is not None:
        retired = f"{name}-retired-{uuid.uuid4().hex[:8]}"
        existing.modify(name=retired)
    try:
        work.modify(name=name)
    except BaseException:
        if existing is not None:
            existing.modify(name=name)
        raise
    if retired is not None:
        client.delete_collection(retired)
