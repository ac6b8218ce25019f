"""How many times each spooled line failed on its own, kept beside the spool across restarts.

The replay moves a line to quarantine after `QUARANTINE_AFTER` failures of its own. Counted in
memory only, a bot restarted more often than that would retry such a line forever. The counts live
in a small JSON file keyed by a digest of each line (never its text), rewritten atomically.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)


def _key(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


class FailureCounts:
    """Failure counts of spooled lines, read at start and written at each change."""

    def __init__(self, path: Path) -> None:
        """Keep the counts in `path` (absent while no line has failed)."""
        self.path = path
        self._counts = self._load()

    def _load(self) -> dict[str, int]:
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:  # counts are advisory: start again
            log.warning("ignoring the unreadable failure counts in %s: %s", self.path, error)
            return {}
        if not isinstance(saved, dict):
            return {}
        return {str(key): int(count) for key, count in saved.items() if isinstance(count, int)}

    def add(self, line: str) -> int:
        """Count one more failure of `line`; return its count so far."""
        key = _key(line)
        self._counts[key] = self._counts.get(key, 0) + 1
        self._save()
        return self._counts[key]

    def drop(self, lines: Iterable[str]) -> None:
        """Forget the counts of `lines` (written, quarantined or deleted)."""
        dropped = [self._counts.pop(_key(line), None) for line in lines]
        if any(count is not None for count in dropped):
            self._save()

    def _save(self) -> None:
        try:
            if not self._counts:
                self.path.unlink(missing_ok=True)
                return
            temporary = self.path.with_name(self.path.name + ".tmp")
            temporary.write_text(json.dumps(self._counts), encoding="utf-8")
            temporary.replace(self.path)
        except OSError as error:  # a full disk: the counts stay in memory
            log.warning("cannot keep the failure counts in %s: %s", self.path, error)
