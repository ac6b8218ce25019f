"""The REST routes of the fake Discord: what Discord answers to each call the bot makes."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from tests.fakes import discord_payloads as p

if TYPE_CHECKING:
    from tests.fakes.discord_server import FakeDiscord

Json = dict[str, Any]
Handler = Callable[["FakeDiscord", re.Match[str], "Recorded"], Awaitable[Any]]


@dataclass
class Recorded:
    """One REST request the bot made."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = field(default_factory=time.perf_counter)


@dataclass
class Refusal:
    """Answer the next `times` requests matching `method` and `pattern` with an error."""

    method: str
    pattern: re.Pattern[str]
    times: int
    status: int
    body: Json
    headers: dict[str, str]


async def read_body(request: web.Request) -> tuple[Any, dict[str, bytes]]:
    """Return the JSON body and uploaded files (multipart `payload_json` + `files[n]`)."""
    if request.content_type.startswith("multipart/"):
        body: Any = None
        files: dict[str, bytes] = {}
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            data = await part.read()
            if part.name == "payload_json":
                body = json.loads(data)
            else:
                files[part.filename or part.name or "file"] = bytes(data)
        return body, files
    raw = await request.read()
    return (json.loads(raw) if raw else None), {}


_ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """Answer JSON with exactly `application/json` (discord.py rejects a charset suffix)."""
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(body=json.dumps(data).encode(), status=status, headers=all_headers)


def _on(method: str, pattern: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _ROUTES.append((method, re.compile(f"^{pattern}$"), handler))
        return handler

    return register


async def route(fake: FakeDiscord, req: Recorded) -> Any:
    """Answer one REST call, or None for a route Discord would not know."""
    for route_method, pattern, handler in _ROUTES:
        match = pattern.match(req.path)
        if match and route_method == req.method:
            return await handler(fake, match, req)
    return None


def _edit(message: Json, body: Json, files: dict[str, bytes]) -> Json:
    for key in ("content", "components", "embeds", "flags"):
        if key in body and body[key] is not None:
            message[key] = body[key]
    if files:
        message["attachments"] = p.attachments(files)
    message["edited_timestamp"] = p.now_iso()
    return message


@_on("GET", r"/users/@me")
async def _me(fake: FakeDiscord, m: re.Match[str], req: Recorded) -> Any:
    if fake.reject_token:
        return json_response({"message": "401: Unauthorized", "code": 0}, 401)
    return fake.bot_user


@_on("GET", r"/oauth2/applications/@me")
async def _app(fake: FakeDiscord, m: re.Match[str], req: Recorded) -> Any:
    owner = p.user("1", "owner")
    return {
        "id": fake.app_id, "name": "pide-ayuda", "description": "", "icon": None,
        "bot_public": True, "bot_require_code_grant": False, "owner": owner,
        "verify_key": "0" * 64, "flags": 0, "team": None, "summary": "",
    }  # fmt: skip


@_on("GET", r"/gateway(/bot)?")
async def _gateway_url(fake: FakeDiscord, m: re.Match[str], req: Recorded) -> Any:
    limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
    return {"url": fake.gateway_url, "shards": fake.shard_count, "session_start_limit": limit}


@_on("PUT", r"/applications/(\d+)(?:/guilds/(\d+))?/commands")
async def _sync(fake: FakeDiscord, m: re.Match[str], req: Recorded) -> Any:
    scope = m.group(2) or "global"
    # Discord answers every command with all its fields: a message command's description is "".
    echoed = [
        {"description": "", "type": 1, **c, "id": p.snowflake(), "application_id": fake.app_id}
        | {"version": p.snowflake()}
        for c in req.body
    ]
    if m.group(2):
        for command in echoed:
            command["guild_id"] = m.group(2)
    fake.commands[scope] = echoed
    return echoed


@_on("GET", r"/applications/(\d+)(?:/guilds/(\d+))?/commands")
async def _commands(fake: FakeDiscord, m: re.Match[str], req: Recorded) -> Any:
    return fake.commands.get(m.group(2) or "global", [])


@_on("POST", r"/interactions/(\d+)/([^/]+)/callback")
async def _callback(fake: FakeDiscord, m: re.Match[str], req: Recorded) -> Any:
    interaction_id, token = m.group(1), m.group(2)
    fake.callbacks[interaction_id] = (time.perf_counter(), req.body)
    kind, data = req.body["type"], req.body.get("data") or {}
    answer: Json = {"interaction": {"id": interaction_id, "type": 2}}
    if kind == 5:
        flags = 128 | (int(data.get("flags") or 0) & 64)
        fake.originals[token] = fake.new_message(
            fake.channel_id, {"flags": flags}, {}, webhook=True
        )
        answer["interaction"].update(
            response_message_loading=True, response_message_ephemeral=bool(flags & 64)
        )
    elif kind in (4, 7):
        original = fake.new_message(fake.channel_id, data, req.files, webhook=True)
        fake.originals[token] = original
        answer["interaction"]["response_message_id"] = original["id"]
        answer["resource"] = {"type": kind, "message": original}
    return answer


@_on("GET", r"/webhooks/(\d+)/([^/]+)/messages/@original")
async def _get_original(fake: FakeDiscord, m: re.Match[str], req: Recorded) -> Any:
    return fake.originals[m.group(2)]


@_on("PATCH", r"/webhooks/(\d+)/([^/]+)/messages/@original")
async def _edit_original(fake: FakeDiscord, m: re.Match[str], req: Recorded) -> Any:
    original = fake.originals[m.group(2)]
    original["flags"] = int(original.get("flags") or 0) & ~128
    return _edit(original, req.body or {}, req.files)


@_on("DELETE", r"/webhooks/(\d+)/([^/]+)/messages/@original")
async def _delete_original(fake: FakeDiscord, m: re.Match[str], req: Recorded) -> Any:
    fake.messages.pop(fake.originals.pop(m.group(2))["id"], None)
    return web.Response(status=204)


@_on("POST", r"/webhooks/(\d+)/([^/]+)")
async def _followup(fake: FakeDiscord, m: re.Match[str], req: Recorded) -> Any:
    return fake.new_message(fake.channel_id, req.body or {}, req.files, webhook=True)


@_on("PATCH", r"/webhooks/(\d+)/([^/]+)/messages/(\d+)")
async def _edit_followup(fake: FakeDiscord, m: re.Match[str], req: Recorded) -> Any:
    return _edit(fake.messages[m.group(3)], req.body or {}, req.files)


@_on("GET", r"/channels/(\d+)")
async def _channel(fake: FakeDiscord, m: re.Match[str], req: Recorded) -> Any:
    return fake.channels[m.group(1)]


THREAD_METADATA = ("archived", "locked", "auto_archive_duration", "invitable")
MAX_APPLIED_TAGS = 5


@_on("GET", r"/guilds/(\d+)/members/(\d+)")
async def _guild_member(fake: FakeDiscord, m: re.Match[str], req: Recorded) -> Any:
    """Return a member who posted in the server, with their roles; else 404 Unknown Member."""
    roles = fake.member_roles.get(m.group(2))
    if roles is None:
        return json_response({"message": "Unknown Member", "code": 10007}, 404)
    return p.member(p.user(m.group(2), f"user{m.group(2)}"), roles)


@_on("PATCH", r"/channels/(\d+)")
async def _modify_channel(fake: FakeDiscord, m: re.Match[str], req: Recorded) -> Any:
    """Modify a channel; on a forum post, `applied_tags` must name tags its forum offers."""
    channel, body = fake.channels.get(m.group(1)), req.body or {}
    if channel is None:
        return json_response({"message": "Unknown Channel", "code": 10003}, 404)
    if "applied_tags" in body:
        parent = fake.channels.get(channel.get("parent_id") or "")
        offered = {t["id"] for t in (parent or {}).get("available_tags", [])}
        tags = [str(t) for t in body["applied_tags"]]
        if not offered or not set(tags) <= offered or len(tags) > MAX_APPLIED_TAGS:
            return json_response({"message": "Invalid Form Body", "code": 50035}, 400)
        body = {**body, "applied_tags": tags}
    for key, value in body.items():
        if key in THREAD_METADATA and "thread_metadata" in channel:
            channel["thread_metadata"][key] = value
        else:
            channel[key] = value
    if channel["type"] in (10, 11, 12):
        await fake.dispatch("THREAD_UPDATE", channel)
    else:
        await fake.dispatch("CHANNEL_UPDATE", channel)
    return channel


@_on("POST", r"/channels/(\d+)/messages")
async def _send(fake: FakeDiscord, m: re.Match[str], req: Recorded) -> Any:
    return fake.new_message(m.group(1), req.body or {}, req.files)


@_on("PATCH", r"/channels/(\d+)/messages/(\d+)")
async def _edit_message(fake: FakeDiscord, m: re.Match[str], req: Recorded) -> Any:
    return _edit(fake.messages[m.group(2)], req.body or {}, req.files)


@_on("GET", r"/channels/(\d+)/messages/(\d+)")
async def _get_message(fake: FakeDiscord, m: re.Match[str], req: Recorded) -> Any:
    found = fake.messages.get(m.group(2))
    return found if found else json_response({"message": "Unknown Message", "code": 10008}, 404)


@_on("GET", r"/channels/(\d+)/messages")
async def _history(fake: FakeDiscord, m: re.Match[str], req: Recorded) -> Any:
    messages = sorted(fake.messages_in(m.group(1)), key=lambda msg: -int(msg["id"]))
    if "before" in req.query:
        messages = [msg for msg in messages if int(msg["id"]) < int(req.query["before"])]
    limit = int(req.query.get("limit", 50))
    if "after" in req.query:
        messages = [msg for msg in messages if int(msg["id"]) > int(req.query["after"])]
        if "before" not in req.query:  # the `limit` messages right after `after`, newest first
            return messages[-limit:]
    return messages[:limit]


@_on("POST", r"/channels/(\d+)/messages/(\d+)/threads")
async def _thread(fake: FakeDiscord, m: re.Match[str], req: Recorded) -> Any:
    parent = fake.channels[m.group(1)]
    thread = p.thread_channel(m.group(2), parent, fake.app_id, req.body["name"])
    await fake.thread_created(thread)
    return thread


@_on("PUT", r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/@me")
async def _react(fake: FakeDiscord, m: re.Match[str], req: Recorded) -> Any:
    return web.Response(status=204)


@_on("POST", r"/channels/(\d+)/typing")
async def _typing(fake: FakeDiscord, m: re.Match[str], req: Recorded) -> Any:
    return web.Response(status=204)
