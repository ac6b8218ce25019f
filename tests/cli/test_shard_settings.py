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


def test_a_process_serves_the_guilds_its_shards_receive(monkeypatch: pytest.MonkeyPatch) -> None:
    guild = (7 << 22) + 5  # (guild_id >> 22) % 2 == 1
    assert load_settings().serves_guild(guild)  # no shards set: one process serves all
    monkeypatch.setenv("SHARD_COUNT", "2")
    monkeypatch.setenv("SHARD_IDS", "1")
    settings = load_settings()
    assert settings.serves_guild(guild) and not settings.serves_guild(guild + (1 << 22))
    assert not settings.serves_guild(None)  # rows with no server belong to shard 0's process
