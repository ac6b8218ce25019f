"""Per-server settings: defaults, overrides, reset, the cache across processes."""

from __future__ import annotations

import pytest

from store.db import Database
from store.server_settings import ServerConfig, ServerSettingsStore

DEFAULTS = ServerConfig(allowed_channel_ids=(7,), moderator_role_id=70, cooldown_seconds=20.0)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_server_that_set_nothing_gets_the_defaults(db: Database) -> None:
    store = ServerSettingsStore(db, DEFAULTS)
    assert await store.get(123) == DEFAULTS
    assert await store.get(None) == DEFAULTS


async def test_overrides_apply_per_server_and_reset_restores_the_defaults(db: Database) -> None:
    store = ServerSettingsStore(db, DEFAULTS)
    changed = await store.update(1, changed_by=9, allowed_channel_ids=[11, 12], cooldown_seconds=0)
    assert changed.allowed_channel_ids == (11, 12) and changed.cooldown_seconds == 0
    assert changed.moderator_role_id == 70  # untouched: still the default
    assert changed.overridden == {"allowed_channel_ids", "cooldown_seconds"}
    assert (await store.update(1, changed_by=9, mentor_role_id=5)).mentor_role_id == 5
    assert (await store.get(1)).cooldown_seconds == 0  # a second update keeps the first
    assert await store.get(2) == DEFAULTS
    back = await store.update(1, changed_by=9, cooldown_seconds=None)
    assert back.cooldown_seconds == 20.0 and "cooldown_seconds" not in back.overridden
    assert await store.reset(1) == DEFAULTS


async def test_another_process_sees_a_change_once_its_cache_expires(db: Database) -> None:
    clock = Clock()
    writer = ServerSettingsStore(db, DEFAULTS)
    reader = ServerSettingsStore(db, DEFAULTS, ttl_seconds=2.0, clock=clock)
    assert (await reader.get(1)).cooldown_seconds == 20.0
    await writer.update(1, changed_by=9, cooldown_seconds=3)
    clock.now = 1.9
    assert (await reader.get(1)).cooldown_seconds == 20.0  # still within the cache's 2 s
    clock.now = 2.1
    assert (await reader.get(1)).cooldown_seconds == 3


async def test_unknown_fields_are_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="unknown"):
        await ServerSettingsStore(db, DEFAULTS).update(1, changed_by=9, colour="red")


def test_a_thread_of_an_allowed_channel_is_allowed() -> None:
    config = ServerConfig(allowed_channel_ids=(5,))
    assert config.allows_channel(5) and config.allows_channel(99, parent_id=5)
    assert not config.allows_channel(6) and ServerConfig().allows_channel(6)
