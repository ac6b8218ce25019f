"""Fit the gate for the index in the data directory and save the fit beside it."""

from __future__ import annotations

import logging
import time
from collections.abc import Collection

from bot.config import Settings
from bot.rag.calibration import Calibration, calibration_path, save
from bot.rag.calibration_fit import fit, read_corpus
from bot.rag.chroma import open_client
from bot.rag.embeddings import Embedder, make_embedder
from bot.rag.errors import IndexMissingError, first_line
from bot.rag.other_topics import load_other_topics

log = logging.getLogger(__name__)


def calibrate_index(
    settings: Settings,
    embedder: Embedder | None = None,
    talks: Collection[str] | None = None,
    save_fit: bool = True,
) -> Calibration:
    """Fit the gate on the built index (only `talks`' chunks, when given) and save it."""
    started = time.perf_counter()
    embedder = embedder or make_embedder(settings)
    client = open_client(settings)
    try:
        try:
            collection = client.get_collection(settings.chroma_collection, embedding_function=None)
        except Exception as error:
            raise IndexMissingError(
                f"no index to calibrate ({first_line(error)}): build it with `pide-ayuda ingest`"
            ) from error
        corpus = read_corpus(collection)
    finally:
        client.close()
    reference = load_other_topics(settings.data_dir, embedder).vectors
    fitted = fit(corpus, reference, embedder, talks)
    if save_fit:
        save(fitted, calibration_path(settings.data_dir, settings.chroma_collection))
    log.info("calibrated in %.1f s: %s", time.perf_counter() - started, fitted.describe())
    return fitted
