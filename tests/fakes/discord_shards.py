"""Sharding in the fake Discord: more servers, which shard each belongs to, IDENTIFY checks.

Discord routes a server's events to shard `(guild_id >> 22) % shard_count` and refuses an
IDENTIFY whose `shard` is out of range, of another count, or already connected (close code 4010).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.fakes import discord_payloads as p

Json = dict[str, Any]
INVALID_SHARD = 4010


@dataclass(frozen=True)
class FakeGuild:
    """A server of the fake Discord: two text channels, a moderator role and a mentor role."""

    id: str
    channel_id: str
    other_channel_id: str
    moderator_role_id: str
    mentor_role_id: str


def shard_of(guild_id: str | int, shard_count: int) -> int:
    """Return the shard Discord sends this server's events to."""
    return (int(guild_id) >> 22) % shard_count


def guild_id_on_shard(shard: int, shard_count: int) -> str:
    """Return a fresh snowflake whose server belongs to `shard` (the low 22 bits stay unique)."""
    fresh = int(p.snowflake())
    timestamp = fresh >> 22
    timestamp += (shard - timestamp) % shard_count
    return str((timestamp << 22) | (fresh & ((1 << 22) - 1)))


def new_guild(shard: int, shard_count: int) -> FakeGuild:
    """Build a server on `shard` with fresh ids."""
    guild_id = guild_id_on_shard(shard, shard_count)
    return FakeGuild(guild_id, p.snowflake(), p.snowflake(), p.snowflake(), p.snowflake())


def guild_payload(guild: FakeGuild, channels: list[Json], bot_user: Json) -> Json:
    """Build GUILD_CREATE for an added server, with its mentor role beside the moderator one."""
    data = p.guild_create(guild.id, guild.moderator_role_id, channels, bot_user)
    data["roles"].append(p.role(guild.mentor_role_id, "mentoría", p.MEMBER_PERMISSIONS, 2))
    return data


def identify_problem(identify: Json, shard_count: int, connected: set[int]) -> str | None:
    """Say what Discord would refuse in this IDENTIFY's `shard`, or None when it is valid."""
    shard = identify.get("shard")
    if shard is None:
        return None if shard_count == 1 else f"IDENTIFY without shard, {shard_count} required"
    shard_id, count = int(shard[0]), int(shard[1])
    if count != shard_count:
        return f"IDENTIFY with shard count {count}, the bot has {shard_count}"
    if not 0 <= shard_id < count:
        return f"IDENTIFY with shard {shard_id} outside 0..{count - 1}"
    if shard_id in connected:
        return f"IDENTIFY for shard {shard_id}, which is already connected"
    return None


def event_guild(data: Json) -> str | None:
    """Return the server an event belongs to (None for events of no server)."""
    guild_id = data.get("guild_id")
    return str(guild_id) if guild_id is not None else None


def resolved(channels: list[Json] = (), roles: list[Json] = ()) -> Json:  # type: ignore[assignment]
    """Build an interaction's `resolved` block for channel and role options."""
    return {
        "channels": {c["id"]: {**c, "permissions": str(p.MEMBER_PERMISSIONS)} for c in channels},
        "roles": {r["id"]: r for r in roles},
    }
