"""A dataset export folder: written whole beside its target, then swapped in by rename."""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from store.errors import StoreError

CARD_NAME = "README.md"
MANIFEST_NAME = ".pide-ayuda-export.json"


class ExportError(StoreError):
    """The export cannot be written where or how it was asked."""


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on `folder`, so two exports into it cannot interleave renames."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


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
        """Create the empty folder the new export is written into, beside the target.

        Made with `mkdir` under the process's umask (not `mkdtemp`, which makes it private), so the
        published folder is readable as any new folder is.
        """
        staged = self.path.parent / f".{self.path.name}.{uuid.uuid4().hex}"
        staged.mkdir()
        return staged

    def publish(self, staged: Path, manifest: dict[str, Any]) -> None:
        """Write the manifest into `staged`, then put `staged` in the target's place."""
        manifest = {"version": DATASET_MANIFEST_VERSION, **manifest}
        text = json.dumps(manifest, ensure_ascii=False, indent=1)
        (staged / MANIFEST_NAME).write_text(text, encoding="utf-8")
        with _locked(self.path.parent):
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
