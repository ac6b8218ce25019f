"""Derived data saved beside each collection: BM25 index, chunk ids, talks, and talk vectors.

Chroma stays the source of truth. Ingest writes the BM25 index of the collection it builds, and
its vectors by talk (`bot/rag/talk_vectors.py`), into
`<data dir>/lexical/<collection id>-v<format>-<terms digest>/`; opening the index memory-maps them
instead of reading every document back. A collection without one (built elsewhere, before this
existed, in another format, or under other glossary/stopword/stemmer rules:
`lexical.TERMS_DIGEST`) gets it built from its documents, page by page, on first open. Each
folder is written under a temporary name and renamed into place, so processes sharing a data dir
never see a partial one.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.rag.chroma import pages
from bot.rag.lemmas import keep_trie_in
from bot.rag.lexical import TERMS_DIGEST, LexicalIndex
from bot.rag.talk_vectors import TalkVectors

log = logging.getLogger(__name__)

# Bump when the saved files change: a folder of another format is rebuilt on first open.
FORMAT = 2
_IDS = "ids.json"
_TALKS = "talks.json"


@dataclass(frozen=True, slots=True)
class LexicalSnapshot:
    """The lexical index of one collection, the chunk id of each row, and its talks."""

    lexical: LexicalIndex
    ids: list[str]
    talks: list[tuple[str, str, str]]  # (talk_id, title, author), in index order
    vectors: TalkVectors


def lexical_root(data_dir: Path) -> Path:
    """Folder holding the saved lexical indexes, one subfolder per collection id."""
    return data_dir / "lexical"


def saved_folder(root: Path, collection: Any) -> Path:
    """Folder of `collection`'s lexical index under the current term rules."""
    return root / f"{collection.id}-v{FORMAT}-{TERMS_DIGEST}"


def open_lexical(root: Path, collection: Any) -> LexicalSnapshot:
    """Load the saved lexical index of `collection`, building and saving it when missing."""
    keep_trie_in(root.parent / "lemmas")  # root is <data dir>/lexical
    folder = saved_folder(root, collection)
    if not (folder / _IDS).is_file():
        log.info("building the lexical index of collection %s (not saved yet)", collection.name)
        save_lexical(root, collection)
    ids = json.loads((folder / _IDS).read_text(encoding="utf-8"))
    saved = json.loads((folder / _TALKS).read_text(encoding="utf-8"))
    talks = [(str(talk_id), str(title), str(author)) for talk_id, title, author in saved]
    return LexicalSnapshot(LexicalIndex.load(folder), ids, talks, TalkVectors.load(folder))


def save_lexical(root: Path, collection: Any) -> None:
    """Build the BM25 index of every document in `collection` and save it under its id."""
    keep_trie_in(root.parent / "lemmas")
    ids, documents, talks, vectors = _read_all(collection)
    staging = root / f".staging-{uuid.uuid4().hex}"
    folder = saved_folder(root, collection)
    staging.mkdir(parents=True)
    try:
        LexicalIndex(documents).save(staging)
        vectors.save(staging)
        (staging / _TALKS).write_text(json.dumps(talks, ensure_ascii=False), encoding="utf-8")
        (staging / _IDS).write_text(json.dumps(ids), encoding="utf-8")
        os.replace(staging, folder)
    except OSError:
        if not (folder / _IDS).is_file():
            raise
        log.info("another process saved the lexical index of %s first", collection.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def prune_lexical(root: Path, collection: Any) -> None:
    """Delete every saved lexical index but `collection`'s current one (retired or stale)."""
    if not root.is_dir():
        return
    keep = saved_folder(root, collection).name
    for folder in root.iterdir():
        if folder.name != keep and not folder.name.startswith(".staging-"):
            shutil.rmtree(folder, ignore_errors=True)


def _read_all(
    collection: Any,
) -> tuple[list[str], list[str], list[tuple[str, str, str]], TalkVectors]:
    """Page through `collection`: ids, documents, talks in first-seen order, and the vectors."""
    ids: list[str] = []
    documents: list[str] = []
    talks: dict[str, tuple[str, str, str]] = {}
    position: dict[str, int] = {}
    row_talks: list[int] = []
    blocks: list[np.ndarray] = []
    for page in pages(collection, ["documents", "metadatas", "embeddings"]):
        ids.extend(str(chunk_id) for chunk_id in page["ids"])
        documents.extend(str(text) for text in page["documents"])
        blocks.append(np.asarray(page["embeddings"], dtype=np.float32))
        for meta in page["metadatas"]:
            talk_id = str(meta["talk_id"])
            if talk_id not in talks:
                talks[talk_id] = (talk_id, str(meta["title"]), str(meta["author"]))
                position[talk_id] = len(position)
            row_talks.append(position[talk_id])
    vectors = np.concatenate(blocks) if blocks else np.zeros((0, 0), dtype=np.float32)
    stored = TalkVectors.from_rows(vectors, np.asarray(row_talks, dtype=np.int64), len(talks))
    return ids, documents, list(talks.values()), stored
