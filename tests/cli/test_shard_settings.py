"""SHARD_COUNT and SHARD_IDS are validated together, and name which process runs periodic jobs."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config import load_settings


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SHARD_IDS": "0"}, "set SHARD_COUNT"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "2"}, "from 0 to 1"),
    ],
)
def test_invalid_shard_settings_are_refused(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=message):
        load_settings()


@pytest.mark.parametrize(("shard_ids", "runs"), [(None, True), ("0,2", True), ("1, 3", False)])
def test_the_process_holding_shard_0_runs_the_periodic_jobs(
    monkeypatch: pytest.MonkeyPatch, shard_ids: str | None, runs: bool
) -> None:
    monkeypatch.setenv("SHARD_COUNT", "4")
    if shard_ids is not None:
        monkeypatch.setenv("SHARD_IDS", shard_ids)
    assert load_settings().runs_periodic_jobs is runs
