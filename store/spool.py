"""Pairs the database could not take yet, kept as JSON lines so that none is lost."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

from bot.rag.types import Answer, Source
from store.records import AskContext

SPOOL_FILE = "unlogged-pairs.jsonl"

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SpooledPair:
    """A pair waiting for the database, with the time it was asked."""

    answer: Answer
    context: AskContext
    created_at: datetime


class Spool:
    """An append-only JSON-lines file of pairs, readable by its owner only."""

    def __init__(self, path: Path) -> None:
        """Keep pairs in `path` (created on the first append)."""
        self.path = path

    def __bool__(self) -> bool:
        """Tell whether any pair is waiting."""
        return self.path.exists()

    def append(self, pair: SpooledPair) -> None:
        """Write one pair and flush it to disk before returning."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        size = os.fstat(descriptor).st_size
        cut = size > 0 and os.pread(descriptor, 1, size - 1) != b"\n"  # a write cut short
        with os.fdopen(descriptor, "a", encoding="utf-8") as spool:
            spool.write(("\n" if cut else "") + _to_line(pair) + "\n")
            spool.flush()
            os.fsync(spool.fileno())

    def read(self) -> list[SpooledPair]:
        """Return every waiting pair, oldest first."""
        if not self.path.exists():
            return []
        pairs = []
        lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        for number, line in enumerate(lines, start=1):
            try:
                pairs.append(_from_line(line))
            except (ValueError, KeyError, TypeError) as error:  # e.g. a write cut by power loss
                log.error("dropping unreadable line %d of %s: %s", number, self.path, error)
        return pairs

    def rewrite(self, pairs: list[SpooledPair]) -> None:
        """Replace the spool with `pairs` atomically; remove it when none is left."""
        if not pairs:
            self.path.unlink(missing_ok=True)
            return
        temporary = self.path.with_suffix(".tmp")
        temporary.unlink(missing_ok=True)
        for pair in pairs:
            Spool(temporary).append(pair)
        temporary.replace(self.path)


def _to_line(pair: SpooledPair) -> str:
    answer = asdict(replace(pair.answer, passages=[]))  # sources are what the log keeps
    return json.dumps(
        {
            "answer": answer,
            "context": asdict(pair.context),
            "created_at": pair.created_at.isoformat(),
        },
        ensure_ascii=False,
    )


def _from_line(line: str) -> SpooledPair:
    data = json.loads(line)
    fields = data["answer"]
    sources = [Source(**source) for source in fields.pop("sources")]
    answer = Answer(**{**fields, "sources": sources, "passages": []})
    created_at = datetime.fromisoformat(data["created_at"])
    return SpooledPair(answer, AskContext(**data["context"]), created_at)
