"""JSON objects the fake Discord sends: the fields discord.py 2.7 parsers need, and no more."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

Json = dict[str, Any]

_ids = itertools.count(1_200_000_000_000_000_000)

MANAGE_GUILD = 1 << 5
# What a plain member may do in a text channel (view, send, threads, embeds, files, history).
MEMBER_PERMISSIONS = (
    (1 << 10) | (1 << 11) | (1 << 38) | (1 << 35) | (1 << 14) | (1 << 15) | (1 << 16)
)


def snowflake() -> str:
    """Return a fresh id, unique within the process."""
    return str(next(_ids))


def now_iso() -> str:
    """Return the current time as Discord formats timestamps."""
    return datetime.now(UTC).isoformat()


def user(user_id: int | str, name: str, *, bot: bool = False) -> Json:
    """Build a user object."""
    return {
        "id": str(user_id),
        "username": name,
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


def member(user_obj: Json, roles: list[str] | None = None, permissions: int | None = None) -> Json:
    """Build a guild member object (with `permissions` when it rides on an interaction)."""
    data: Json = {
        "user": user_obj,
        "roles": roles or [],
        "flags": 0,
        "joined_at": now_iso(),
        "deaf": False,
        "mute": False,
        "nick": None,
    }
    if permissions is not None:
        data["permissions"] = str(permissions)
    return data


def text_channel(channel_id: str, guild_id: str, name: str, position: int = 0) -> Json:
    """Build a guild text channel object."""
    return {
        "id": channel_id,
        "guild_id": guild_id,
        "type": 0,
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "rate_limit_per_user": 0,
        "topic": None,
        "last_message_id": None,
    }


def thread_channel(thread_id: str, parent: Json, owner_id: str, name: str) -> Json:
    """Build a public thread object."""
    return {
        "id": thread_id,
        "guild_id": parent["guild_id"],
        "parent_id": parent["id"],
        "owner_id": owner_id,
        "name": name,
        "type": 11,
        "message_count": 0,
        "member_count": 1,
        "rate_limit_per_user": 0,
        "flags": 0,
        "last_message_id": None,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": now_iso(),
            "locked": False,
        },
    }


def role(role_id: str, name: str, permissions: int, position: int = 0) -> Json:
    """Build a role object."""
    return {
        "id": role_id,
        "name": name,
        "permissions": str(permissions),
        "position": position,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def message(
    channel_id: str,
    author: Json,
    content: str,
    *,
    guild_id: str | None = None,
    body: Json | None = None,
    mentions: list[Json] | None = None,
) -> Json:
    """Build a message object, copying what the client sent (components, flags, reference)."""
    body = body or {}
    data: Json = {
        "id": snowflake(),
        "channel_id": channel_id,
        "type": 19 if body.get("message_reference") else 0,
        "content": content,
        "author": author,
        "attachments": [],
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "mentions": mentions or [],
        "mention_roles": [],
        "mention_everyone": False,
        "pinned": False,
        "tts": False,
        "timestamp": now_iso(),
        "edited_timestamp": None,
        "flags": int(body.get("flags") or 0),
    }
    if guild_id is not None:
        data["guild_id"] = guild_id
    if body.get("message_reference"):  # Discord answers with ids as strings, as everywhere
        reference = body["message_reference"]
        data["message_reference"] = {
            k: str(v) if k.endswith("_id") and v is not None else v for k, v in reference.items()
        }
    return data


def attachments(files: dict[str, bytes]) -> list[Json]:
    """Describe uploaded files as Discord attachment objects (loopback URLs only)."""
    return [
        {
            "id": snowflake(),
            "filename": name,
            "size": len(data),
            "url": f"http://127.0.0.1/{name}",
            "proxy_url": f"http://127.0.0.1/{name}",
        }
        for name, data in files.items()
    ]


def ready_event(bot_user: Json, guild_id: str, gateway_url: str) -> Json:
    """Build READY for a bot in one (not yet available) guild."""
    return {
        "v": 10, "user": bot_user, "guilds": [{"id": guild_id, "unavailable": True}],
        "session_id": "fake-session", "resume_gateway_url": gateway_url,
        "application": {"id": bot_user["id"], "flags": 0},
        "private_channels": [], "relationships": [],
    }  # fmt: skip


def guild_create(
    guild_id: str, moderator_role_id: str, channels: list[Json], bot_user: Json
) -> Json:
    """Build GUILD_CREATE: @everyone and a moderator role, the channels, the bot as member."""
    return {
        "id": guild_id, "name": "SomosNLP", "owner_id": "1", "icon": None, "features": [],
        "roles": [role(guild_id, "@everyone", MEMBER_PERMISSIONS),
                  role(moderator_role_id, "moderación", MEMBER_PERMISSIONS, 1)],
        "channels": channels, "threads": [], "members": [member(bot_user)], "member_count": 2,
        "emojis": [], "stickers": [], "large": False, "unavailable": False,
        "joined_at": now_iso(), "verification_level": 0, "premium_tier": 0, "mfa_level": 0,
        "default_message_notifications": 0, "explicit_content_filter": 0, "nsfw_level": 0,
        "preferred_locale": "es-ES", "voice_states": [], "presences": [],
    }  # fmt: skip


def interaction(
    interaction_id: str, token: str, app_id: str, kind: int, channel: Json, who: Json, data: Json
) -> Json:
    """Build INTERACTION_CREATE (command, component or modal submit) in a guild channel."""
    guild_id = channel["guild_id"]
    return {
        "id": interaction_id, "application_id": app_id, "type": kind, "token": token,
        "version": 1, "attachment_size_limit": 26_214_400, "guild_id": guild_id,
        "guild": {"id": guild_id, "locale": "es-ES", "features": []},
        "channel_id": channel["id"], "channel": channel, "member": who,
        "app_permissions": str(MEMBER_PERMISSIONS), "locale": "es-ES", "guild_locale": "es-ES",
        "entitlements": [], "authorizing_integration_owners": {}, "context": 0, "data": data,
    }  # fmt: skip


def forum_tag(tag_id: str, name: str) -> Json:
    """Build a forum tag object (a tag of a forum channel's `available_tags`)."""
    return {"id": tag_id, "name": name, "moderated": False, "emoji_id": None, "emoji_name": None}


def forum_channel(
    channel_id: str, guild_id: str, name: str, tags: list[Json], position: int = 0
) -> Json:
    """Build a guild forum channel (type 15) offering `tags`."""
    return {
        **text_channel(channel_id, guild_id, name, position),
        "type": 15,
        "available_tags": tags,
        "default_reaction_emoji": None,
        "default_sort_order": None,
        "default_forum_layout": 0,
        "default_thread_rate_limit_per_user": 0,
        "flags": 0,
    }


def forum_post(thread_id: str, forum: Json, owner_id: str, title: str, tags: list[str]) -> Json:
    """Build the thread of a forum post: its id is also its starter message's id."""
    return {
        **thread_channel(thread_id, forum, owner_id, title),
        "applied_tags": tags,
        "message_count": 0,
        "total_message_sent": 0,
    }
