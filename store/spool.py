"""Writes the database could not take yet, kept as versioned JSON lines so that none is lost.

Each line is one journal entry: a question opened, the message carrying its reply, or its
outcome. Entries are applied idempotently by the question's key, so replaying a line twice, or a
line whose write did reach the database after all, changes nothing. Lines written by version 1
(a whole answer, before keys existed) still load, as outcomes with a key derived from their time
and question.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from store.records import AskContext, OutcomeRecord, QuestionRecord, SourceRecord

SPOOL_FILE = "unlogged-pairs.jsonl"
SPOOL_VERSION = 2
_V1_KEYS = uuid.UUID("5b0d4a52-3c55-4c8e-9a57-7d1f2f8e0b61")

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Opened:
    """A question arrived (its row starts `in_progress`)."""

    question: QuestionRecord


@dataclass(frozen=True, slots=True)
class Replied:
    """The message that shows the answer while it is written (edited if the process dies)."""

    key: str
    channel_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class Finished:
    """The answer ended: its outcome, with the question so the entry stands on its own."""

    question: QuestionRecord
    outcome: OutcomeRecord


Entry = Opened | Replied | Finished


def entry_key(entry: Entry) -> str:
    """Return the key of the question an entry is about."""
    return entry.key if isinstance(entry, Replied) else entry.question.key


class Spool:
    """An append-only JSON-lines file of journal entries, readable by its owner only."""

    def __init__(self, path: Path) -> None:
        """Keep entries in `path` (created on the first append)."""
        self.path = path

    def __bool__(self) -> bool:
        """Tell whether any entry is waiting."""
        return self.path.exists()

    def append(self, entry: Entry) -> None:
        """Write one entry and flush it to disk before returning."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        size = os.fstat(descriptor).st_size
        cut = size > 0 and os.pread(descriptor, 1, size - 1) != b"\n"  # a write cut short
        with os.fdopen(descriptor, "a", encoding="utf-8") as spool:
            spool.write(("\n" if cut else "") + encode(entry) + "\n")
            spool.flush()
            os.fsync(spool.fileno())

    def read(self) -> list[Entry]:
        """Return every readable entry, oldest first."""
        return [entry for _, entry in self.read_lines() if entry is not None]

    def read_lines(self) -> list[tuple[str, Entry | None]]:
        """Return every line with its entry (None for a line that cannot be read), oldest first."""
        if not self.path.exists():
            return []
        entries: list[tuple[str, Entry | None]] = []
        lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        for number, line in enumerate(lines, start=1):
            try:
                entries.append((line, decode(line)))
            except (ValueError, KeyError, TypeError) as error:  # e.g. a write cut by power loss
                log.error("dropping unreadable line %d of %s: %s", number, self.path, error)
                entries.append((line, None))
        return [(line, entry) for line, entry in entries if line.strip()]

    def count(self) -> int:
        """Return how many lines are waiting (cheap: no parsing)."""
        if not self.path.exists():
            return 0
        with self.path.open("rb") as spool:
            return sum(1 for line in spool if line.strip())

    def remove(self, lines: list[str]) -> None:
        """Drop one copy of each of `lines` (written or quarantined); keep what was added since."""
        if not lines or not self.path.exists():
            return
        gone = Counter(lines)
        kept = []
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            if gone[line] > 0:
                gone[line] -= 1
            elif line.strip():
                kept.append(line)
        self._replace(kept)

    def remove_if_empty(self) -> None:
        """Remove the file when it holds no entry (only blank space, or nothing)."""
        if self.path.exists() and not self.path.read_bytes().strip():
            self.path.unlink(missing_ok=True)

    def append_lines(self, lines: list[str]) -> None:
        """Append already encoded lines with one fsync."""
        if lines:
            _write_synced(self.path, lines, os.O_APPEND)

    def _replace(self, lines: list[str]) -> None:
        """Write `lines` to a temporary file with one fsync, then rename it over the spool."""
        if not lines:
            self.path.unlink(missing_ok=True)
            return
        temporary = self.path.with_suffix(".tmp")
        _write_synced(temporary, lines, os.O_TRUNC)
        temporary.replace(self.path)
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a power loss
        finally:
            os.close(directory)


def _write_synced(path: Path, lines: list[str], mode: int) -> None:
    """Write `lines` to `path` (mode 0600), flushed to disk before returning."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | mode, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write("".join(line + "\n" for line in lines))
        file.flush()
        os.fsync(file.fileno())


def encode(entry: Entry) -> str:
    """Serialise one entry as a versioned JSON line."""
    data: dict[str, Any] = {"v": SPOOL_VERSION}
    if isinstance(entry, Replied):
        data |= {"op": "reply", **asdict(entry)}
    else:
        data |= {"op": "open" if isinstance(entry, Opened) else "finish"}
        data |= _question_fields(entry.question)
        if isinstance(entry, Finished):
            data["outcome"] = asdict(entry.outcome)
    return json.dumps(data, ensure_ascii=False)


def decode(line: str) -> Entry:
    """Parse one line written by this version or an earlier one."""
    data = json.loads(line)
    if "v" not in data:
        return _decode_v1(data)
    if data["op"] == "reply":
        return Replied(str(data["key"]), int(data["channel_id"]), int(data["message_id"]))
    question = QuestionRecord(
        key=str(data["key"]),
        question=str(data["question"]),
        context=AskContext(**data["context"]),
        created_at=datetime.fromisoformat(data["created_at"]),
    )
    if data["op"] == "open":
        return Opened(question)
    return Finished(question, _outcome(data["outcome"]))


def _question_fields(question: QuestionRecord) -> dict[str, Any]:
    return {
        "key": question.key,
        "question": question.question,
        "context": asdict(question.context),
        "created_at": question.created_at.isoformat(),
    }


def _outcome(fields: dict[str, Any]) -> OutcomeRecord:
    sources = tuple(SourceRecord(**source) for source in fields.get("sources", ()))
    return OutcomeRecord(
        answer=str(fields["answer"]),
        status=fields["status"],
        mode=str(fields["mode"]),
        delivery=fields.get("delivery", "pending"),
        reply_message_ids=_reply_ids(fields),
        model=fields.get("model"),
        endpoint=fields.get("endpoint"),
        error_cause=fields.get("error_cause"),
        notice=fields.get("notice"),
        timings=dict(fields.get("timings") or {}),
        sources=sources,
    )


def _reply_ids(fields: dict[str, Any]) -> tuple[int, ...]:
    """Read the reply's message ids (lines written before 0006 carry the main one only)."""
    ids = fields.get("reply_message_ids")
    if ids is None and fields.get("message_id") is not None:
        ids = [fields["message_id"]]
    return tuple(int(i) for i in ids or ())


def _decode_v1(data: dict[str, Any]) -> Finished:
    """Read a version-1 line: a whole answer saved before questions had keys."""
    answer = data["answer"]
    created_at = datetime.fromisoformat(data["created_at"])
    key = uuid.uuid5(_V1_KEYS, f"{created_at.isoformat()}|{answer['question']}").hex
    question = QuestionRecord(key, answer["question"], AskContext(**data["context"]), created_at)
    fields = {**answer, "answer": answer["text"], "delivery": "pending"}
    return Finished(question, _outcome(fields))
