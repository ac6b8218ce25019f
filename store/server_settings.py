"""Per-server settings set with `/configurar`, over defaults from the environment.

Several bot processes share one database, so a change must reach all of them without a restart:
each process keeps a server's settings for at most `ttl_seconds` (2 s by default), then reads the
row again (one primary-key lookup). The process that made the change drops its copy at once.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, String, Text, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Database
from store.errors import StoreError, translated
from store.models import Base, UTCDateTime, utcnow

log = logging.getLogger(__name__)

CACHE_TTL_SECONDS = 2.0
FIELDS = (
    "allowed_channel_ids",
    "moderator_role_id",
    "mentor_role_id",
    "cooldown_seconds",
    "help_forum_channel_ids",
    "solved_tag_name",
    "forum_notice",
)
ID_LISTS = ("allowed_channel_ids", "help_forum_channel_ids")


class ServerSettings(Base):
    """One server's overrides; a NULL column means "use the environment default"."""

    __tablename__ = "server_settings"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    allowed_channel_ids: Mapped[list[int] | None] = mapped_column(JSON)
    moderator_role_id: Mapped[int | None] = mapped_column(BigInteger)
    mentor_role_id: Mapped[int | None] = mapped_column(BigInteger)
    cooldown_seconds: Mapped[float | None] = mapped_column(Float)
    # Help forums (docs/forums.md): forum channel ids, the solved tag's name, the consent notice.
    help_forum_channel_ids: Mapped[list[int] | None] = mapped_column(JSON)
    solved_tag_name: Mapped[str | None] = mapped_column(String(100))
    forum_notice: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """The settings in force for one server; `overridden` names the ones set on that server."""

    allowed_channel_ids: tuple[int, ...] = ()
    moderator_role_id: int | None = None
    mentor_role_id: int | None = None
    cooldown_seconds: float = 0.0
    help_forum_channel_ids: tuple[int, ...] = ()
    solved_tag_name: str | None = None  # None: a tag named like "Resuelto" or "Solved"
    forum_notice: str | None = None  # None: the default consent notice (bot/strings.py)
    overridden: frozenset[str] = frozenset()

    def allows_channel(self, channel_id: int, parent_id: int | None = None) -> bool:
        """Tell whether questions are answered in this channel (or in threads of it)."""
        allowed = self.allowed_channel_ids
        return not allowed or channel_id in allowed or parent_id in allowed

    def is_help_forum(self, channel_id: int | None) -> bool:
        """Tell whether a forum channel is one of this server's help forums."""
        return channel_id is not None and channel_id in self.help_forum_channel_ids


class ServerSettingsStore:
    """Read (through a short cache) and change the settings of each server."""

    def __init__(
        self,
        db: Database,
        defaults: ServerConfig,
        ttl_seconds: float = CACHE_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Serve `defaults` where a server set nothing; re-read a server after `ttl_seconds`."""
        self._db = db
        self.defaults = defaults
        self._ttl = ttl_seconds
        self._clock = clock
        self._cache: dict[int, tuple[float, ServerConfig]] = {}

    async def get(self, guild_id: int | None) -> ServerConfig:
        """Return the server's settings; on a database failure, the last known or the defaults."""
        if guild_id is None:
            return self.defaults
        cached = self._cache.get(guild_id)
        if cached is not None and self._clock() - cached[0] < self._ttl:
            return cached[1]
        try:
            config = await self._read(guild_id)
        except StoreError as error:
            log.warning("server %s settings unreadable, using the last known: %s", guild_id, error)
            return cached[1] if cached is not None else self.defaults
        self._cache[guild_id] = (self._clock(), config)
        return config

    async def update(self, guild_id: int, changed_by: int, **changes: Any) -> ServerConfig:
        """Set some of FIELDS on one server (None = back to the default) and return the result."""
        unknown = set(changes) - set(FIELDS)
        if unknown:
            raise ValueError(f"unknown server settings: {sorted(unknown)}")
        values = {**changes, "guild_id": guild_id, "updated_by": changed_by}
        values["updated_at"] = utcnow()
        with translated("saving server settings", catching=Exception):
            async with self._db.writing() as session:
                await session.execute(self._upsert(values))
        self._cache.pop(guild_id, None)
        return await self.get(guild_id)

    async def reset(self, guild_id: int) -> ServerConfig:
        """Drop every override of one server."""
        with translated("resetting server settings", catching=Exception):
            async with self._db.writing() as session:
                await session.execute(
                    delete(ServerSettings).where(ServerSettings.guild_id == guild_id)
                )
        self._cache.pop(guild_id, None)
        return await self.get(guild_id)

    async def _read(self, guild_id: int) -> ServerConfig:
        with translated("reading server settings", catching=Exception):
            async with self._db.sessions() as session:
                row = await session.get(ServerSettings, guild_id)
        return self.defaults if row is None else merge(self.defaults, row)

    def _upsert(self, values: dict[str, Any]) -> Any:
        dialect = postgresql if self._db.engine.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(ServerSettings).values(**values)
        updated = {name: statement.excluded[name] for name in values if name != "guild_id"}
        return statement.on_conflict_do_update(index_elements=["guild_id"], set_=updated)


def merge(defaults: ServerConfig, row: ServerSettings) -> ServerConfig:
    """Lay a server's overrides over the defaults."""
    changes: dict[str, Any] = {}
    for name in FIELDS:
        value = getattr(row, name)
        if value is not None:
            changes[name] = tuple(value) if name in ID_LISTS else value
    return dataclasses.replace(defaults, **changes, overridden=frozenset(changes))
