"""Spanish lemmas of folded words (simplemma), its dictionary kept as a MARISA trie on disk.

Loaded as a plain dict, simplemma's Spanish dictionary takes ~100 MB of the process; as a trie it
takes a few, built once (about 1 s, ~200 MB at its peak) and saved under the data dir, so ingest
pays for it and the bot only reads the ~4 MB file (docs/retrieval.md).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import simplemma
from simplemma import Lemmatizer
from simplemma.strategies import DefaultStrategy
from simplemma.strategies.dictionaries import TrieDictionaryFactory

VERSION = f"simplemma-{simplemma.__version__}"


class _SharedLemmatizer:
    """One lemmatizer a process, reading its trie from the first folder it is given."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._folder: Path | None = None
        self._lemmatizer: Lemmatizer | None = None

    def keep_in(self, folder: Path) -> None:
        """Save and read the trie under `folder` (the first folder a process gives is kept)."""
        with self._lock:
            if self._folder is None:
                self._folder = folder / VERSION

    def get(self) -> Lemmatizer:
        """Return the lemmatizer, building or reading its trie on first use."""
        with self._lock:
            if self._lemmatizer is None:
                folder = self._folder
                factory = TrieDictionaryFactory(
                    use_disk_cache=folder is not None,
                    disk_cache_dir=str(folder) if folder is not None else None,
                )
                strategy = DefaultStrategy(dictionary_factory=factory)
                self._lemmatizer = Lemmatizer(lemmatization_strategy=strategy)
            return self._lemmatizer


_SHARED = _SharedLemmatizer()


def keep_trie_in(folder: Path) -> None:
    """Save and read the lemma trie under `folder` (e.g. `<data dir>/lemmas`)."""
    _SHARED.keep_in(folder)


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """Return the Spanish lemma of a folded, lower-cased word (the word itself if unknown)."""
    return str(_SHARED.get().lemmatize(word, lang="es"))
