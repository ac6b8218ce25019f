"""Failure counts of spooled lines survive a restart, hold no line's text, and stay advisory."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.failure_counts import FailureCounts

LINE = '{"v": 2, "op": "finish", "question": "¿Envenenada?"}'


def test_counts_are_read_back_by_the_next_process_and_dropped_with_their_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "unlogged-pairs.failures.json"
    assert FailureCounts(path).add(LINE) == 1
    assert FailureCounts(path).add(LINE) == 2  # a new instance, as after a restart
    assert "Envenenada" not in path.read_text(encoding="utf-8")  # a digest, not the text
    counts = FailureCounts(path)
    counts.drop([LINE])
    assert not path.exists()
    assert FailureCounts(path).add(LINE) == 1


def test_an_unreadable_file_starts_the_counts_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "unlogged-pairs.failures.json"
    path.write_text('{"cut short', encoding="utf-8")
    assert FailureCounts(path).add(LINE) == 1
    assert "ignoring the unreadable failure counts" in caplog.text


def test_a_refused_write_keeps_the_counts_in_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "unlogged-pairs.failures.json"
    (tmp_path / (path.name + ".tmp")).mkdir()  # where the rewrite goes: refused, even for root
    counts = FailureCounts(path)
    assert (counts.add(LINE), counts.add(LINE)) == (1, 2)
    assert "cannot keep the failure counts" in caplog.text
    assert not path.exists()
