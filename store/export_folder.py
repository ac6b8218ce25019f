"""An export folder: its data files, the README.md card describing them, and the manifest."""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import os
import shutil
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


DATASET_MANIFEST_VERSION = 2
_RENAME_EXCHANGE = 2  # renameat2 flag (linux/fs.h)
_AT_FDCWD = -100


class DatasetFolder:
    """A dataset folder written whole beside its target, then swapped in by rename."""

    def __init__(self, path: Path) -> None:
        """Use the folder at `path` (it need not exist yet)."""
        self.path = path

    def check(self, overwrite: bool) -> None:
        """Refuse a file, or a non-empty folder this tool did not write (unless `overwrite`)."""
        if self.path.exists() and not self.path.is_dir():
            raise ExportError(f"{self.path} is a file; give a folder, e.g. {self.path.parent}/qa")
        foreign = self.path.is_dir() and any(self.path.iterdir()) and not self.written_by_export()
        if foreign and not overwrite:
            raise ExportError(
                f"{self.path} holds files pide-ayuda export did not write; "
                "pick another folder, or pass --force to replace it"
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ExportError(f"cannot create {self.path.parent} ({error.strerror})") from error
        if not os.access(self.path.parent, os.W_OK):
            raise ExportError(f"{self.path.parent} is not writable; pick another folder")

    def written_by_export(self) -> bool:
        """Tell whether the folder holds a dataset manifest of this tool."""
        try:
            data = json.loads((self.path / MANIFEST_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(data, dict) and data.get("version") == DATASET_MANIFEST_VERSION

    def stage(self) -> Path:
        """Create the empty folder the new export is written into, beside the target."""
        return Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", dir=self.path.parent))

    def publish(self, staged: Path, manifest: dict[str, Any]) -> None:
        """Write the manifest into `staged`, then put `staged` in the target's place."""
        manifest = {"version": DATASET_MANIFEST_VERSION, **manifest}
        text = json.dumps(manifest, ensure_ascii=False, indent=1)
        (staged / MANIFEST_NAME).write_text(text, encoding="utf-8")
        with ExportFolder(self.path.parent).locked():
            if not self.path.exists():
                os.rename(staged, self.path)
                return
            _exchange(staged, self.path)  # `staged` now holds the previous export
        shutil.rmtree(staged, ignore_errors=True)


def _exchange(first: Path, second: Path) -> None:
    """Swap two folders in one rename (Linux renameat2); elsewhere, two renames."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        done = renameat2(
            _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
        )
        if done == 0:
            return
    aside = first.with_name(first.name + ".old")
    os.rename(second, aside)
    os.rename(first, second)
    os.rename(aside, first)
