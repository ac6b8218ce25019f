"""An export folder: its data files, the README.md card describing them, and the manifest."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from store.card import FileEntry
from store.errors import StoreError

CARD_NAME = "README.md"
MANIFEST_NAME = ".pide-ayuda-export.json"
MANIFEST_VERSION = 1


class ExportError(StoreError):
    """The export cannot be written where or how it was asked."""


class ExportFolder:
    """Reads what the card describes and replaces data, manifest and card by atomic renames."""

    def __init__(self, path: Path) -> None:
        """Use the folder at `path` (it must exist before `locked` or `commit`)."""
        self.path = path
        self.card = path / CARD_NAME
        self.manifest = path / MANIFEST_NAME

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold an exclusive lock on the folder, so two exports cannot lose each other's entry."""
        descriptor = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock

    def entries(self, overwrite: bool) -> list[FileEntry]:
        """Return the files the card describes; refuse a README.md this tool did not write."""
        if not self.manifest.exists():
            if self.card.exists() and not overwrite:
                raise ExportError(
                    f"{self.card} exists and was not written by pide-ayuda export; "
                    "move it, or pass --force to replace it"
                )
            return []
        try:
            data: dict[str, Any] = json.loads(self.manifest.read_text(encoding="utf-8"))
            if data.get("version") != MANIFEST_VERSION:
                raise ValueError(f"manifest version {data.get('version')!r}")
            return [FileEntry(**entry) for entry in data["files"]]
        except (ValueError, KeyError, TypeError) as error:
            if overwrite:
                return []
            raise ExportError(
                f"{self.manifest} cannot be read ({error}); pass --force to rewrite the card"
            ) from error

    def commit(self, data: Path, out: Path, entries: Sequence[FileEntry], card: str) -> None:
        """Move the new data file to `out`, then the manifest and card, each by one rename."""
        manifest = {"version": MANIFEST_VERSION, "files": [asdict(e) for e in entries]}
        temps = [self._draft(json.dumps(manifest, ensure_ascii=False, indent=1)), self._draft(card)]
        try:
            os.replace(data, out)
            os.replace(temps[0], self.manifest)
            os.replace(temps[1], self.card)
        finally:
            for temp in temps:
                temp.unlink(missing_ok=True)

    def _draft(self, text: str) -> Path:
        handle, name = tempfile.mkstemp(prefix=".card.", suffix=".tmp", dir=self.path)
        with os.fdopen(handle, "w", encoding="utf-8") as draft:
            draft.write(text)
        return Path(name)
