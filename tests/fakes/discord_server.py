"""A fake Discord (REST + gateway) on 127.0.0.1 that the real discord.py client talks to.

See docs/discord.md ("Tests: the real bot against a fake Discord"). The REST routes the bot
uses answer with the JSON Discord sends; the websocket speaks the gateway protocol (HELLO,
heartbeat/ACK, IDENTIFY -> READY + GUILD_CREATE, RESUME -> RESUMED). Tests drive it as Discord
would: they inject interactions and messages through `slash`, `click`, `submit_modal`,
`post_message`, `create_post` (a post in the forum channel, type 15, whose tags `PATCH
/channels/{id}` sets) and `message_command` (a context-menu command on a message), and read
what the bot did from `requests` (every REST call, with its JSON body and uploaded files).
Knobs: `rate_limit(method, pattern)` answers the next matching calls with a 429 as Discord
does (`Via` header, `retry_after`); `forbid(method, pattern)` answers 403 Missing Permissions;
`fail(method, pattern, status, code, message)` any other error (e.g. 404 Unknown Webhook,
10015: an expired interaction token; 500); `drop(method, pattern)` closes the connection
unanswered; `clear_faults()` forgets them all; `reject_token` answers 401 at login;
`close_on_identify` closes the gateway with that code (4014: a privileged intent not enabled);
`heartbeat_interval_ms` sets the HELLO interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes import discord_payloads as p
from tests.fakes import discord_shards as shards
from tests.fakes.discord_routes import Recorded, Refusal, json_response, read_body, route

Json = dict[str, Any]
API = "/api/v10"
DROPPED = 0  # the status of a refusal that closes the connection instead of answering


class FakeDiscord:
    """Discord's REST API and gateway for one guild, on loopback."""

    def __init__(self, heartbeat_interval_ms: int = 41_250) -> None:
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.app_id = p.snowflake()
        self.guild_id = p.snowflake()
        self.channel_id = p.snowflake()
        self.other_channel_id = p.snowflake()
        self.moderator_role_id = p.snowflake()
        self.mentor_role_id = p.snowflake()
        self.bot_user = p.user(self.app_id, "pide-ayuda", bot=True)
        self.requests: list[Recorded] = []
        self.commands: dict[str, list[Json]] = {}
        self.channels: dict[str, Json] = {
            self.channel_id: p.text_channel(self.channel_id, self.guild_id, "ayuda", 0),
            self.other_channel_id: p.text_channel(self.other_channel_id, self.guild_id, "off", 1),
        }
        self.forum_id = p.snowflake()
        self.solved_tag_id = p.snowflake()
        forum_tags = [
            p.forum_tag(self.solved_tag_id, "Resuelto"),
            p.forum_tag(p.snowflake(), "Duda"),
        ]
        self.channels[self.forum_id] = p.forum_channel(
            self.forum_id, self.guild_id, "ayuda-foro", forum_tags, 2
        )
        self.messages: dict[str, Json] = {}
        self.member_roles: dict[str, list[str]] = {}  # user id -> role ids, as last seen posting
        self.interactions_sent: dict[str, float] = {}
        self.callbacks: dict[str, tuple[float, Json]] = {}
        self.originals: dict[str, Json] = {}
        self.heartbeats: list[float] = []
        self.reject_token = False  # answer 401 to GET /users/@me, as for a wrong token
        self.attachment_size_limit = 26_214_400  # bytes a reply to an interaction may attach
        self.close_on_identify: int | None = None  # e.g. 4014: privileged intent not enabled
        self.identify: Json | None = None
        self.ready = asyncio.Event()
        self._refusals: list[Refusal] = []
        self._sockets: set[web.WebSocketResponse] = set()
        self._seq = 0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self._init_shards()

    # -- lifecycle -----------------------------------------------------------------------------
    async def start(self) -> str:
        """Serve on a free loopback port and return the base URL (`http://127.0.0.1:PORT`)."""
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        """Close every gateway connection and stop serving."""
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        """Value for `discord.http.Route.BASE`."""
        return self.base_url + API

    @property
    def gateway_url(self) -> str:
        """Value for `DiscordWebSocket.DEFAULT_GATEWAY`."""
        return self.base_url.replace("http://", "ws://") + "/gateway"

    # -- knobs and queries used by tests ---------------------------------------------------------
    def rate_limit(
        self, method: str, pattern: str, times: int = 1, retry_after: float = 0.3
    ) -> None:
        """Answer the next `times` `method` requests whose path matches `pattern` with a 429."""
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": False,
        }
        headers = {"Via": "1.1 google", "X-RateLimit-Scope": "user", "Retry-After": "1"}
        self._refusals.append(Refusal(method, re.compile(pattern), times, 429, body, headers))

    def forbid(self, method: str, pattern: str, times: int = 1) -> None:
        """Answer the next matching requests with 403 Missing Permissions (code 50013)."""
        body = {"message": "Missing Permissions", "code": 50013}
        self._refusals.append(Refusal(method, re.compile(pattern), times, 403, body, {}))

    def drop(self, method: str, pattern: str, times: int = 1) -> None:
        """Close the connection without answering the next matching requests (a network cut)."""
        self._refusals.append(Refusal(method, re.compile(pattern), times, DROPPED, {}, {}))

    def fail(
        self, method: str, pattern: str, status: int, code: int, message: str, times: int = 1
    ) -> None:
        """Answer the next matching requests with `status` and Discord's JSON error `code`."""
        body = {"message": message, "code": code}
        self._refusals.append(Refusal(method, re.compile(pattern), times, status, body, {}))

    def clear_faults(self) -> None:
        """Forget every pending refusal: requests are answered normally again."""
        self._refusals.clear()

    def find(self, method: str, pattern: str) -> list[Recorded]:
        """Return the recorded requests with this method whose path matches `pattern`."""
        regex = re.compile(pattern)
        return [r for r in self.requests if r.method == method and regex.search(r.path)]

    async def wait_for(
        self, method: str, pattern: str, count: int = 1, within: float = 30
    ) -> list[Recorded]:
        """Wait until at least `count` matching requests arrived and return them."""

        def matches() -> bool:
            return len(self.find(method, pattern)) >= count

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(matches), within)
        return self.find(method, pattern)

    async def wait_until(self, check: Callable[[], bool], within: float = 30) -> None:
        """Wait until `check()` holds: re-tested after each REST request and every 50 ms."""
        async with asyncio.timeout(within), self._changed:
            while not check():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), 0.05)

    # -- injecting events ----------------------------------------------------------------------
    async def dispatch(self, event: str, data: Json) -> None:
        """Send a DISPATCH event to every connected gateway session."""
        self._seq += 1
        frame = json.dumps({"op": 0, "t": event, "s": self._seq, "d": data})
        for ws in self._sockets_for(data):
            await ws.send_str(frame)

    async def send_raw(self, frame: str) -> None:
        """Send a text frame as it is (e.g. one that is not JSON) to every gateway session."""
        for ws in list(self._sockets):
            await ws.send_str(frame)

    def interaction_member(
        self, user_id: int, *, moderator: bool = False, role: bool = False
    ) -> Json:
        """Build the member block of an interaction for a plain member or a moderator."""
        perms = p.MEMBER_PERMISSIONS | (p.MANAGE_GUILD if moderator else 0)
        roles = [self.moderator_role_id] if role else []
        return p.member(p.user(user_id, f"user{user_id}"), roles, perms)

    async def slash(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user_id: int = 1001,
        subcommand: str | None = None,
        resolved: Json | None = None,
        **who: bool,
    ) -> tuple[str, str]:
        """Send an application command (or one of its subcommands); return its (id, token)."""
        command = next(c for c in self._all_commands() if c["name"] == name)
        declared = command
        if subcommand is not None:
            declared = next(o for o in command["options"] if o["name"] == subcommand)
        opts = [
            {"name": k, "type": self._option_type(declared, k), "value": v}
            for k, v in (options or {}).items()
        ]
        if subcommand is not None:
            opts = [{"name": subcommand, "type": 1, "options": opts}]
        data: Json = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "options": opts,
            "guild_id": self.guild_id,
        }
        if resolved is not None:
            data["resolved"] = resolved
        return await self._interaction(2, data, self.interaction_member(user_id, **who))

    async def click(
        self,
        custom_id: str,
        message: Json,
        *,
        user_id: int = 1001,
        channel_id: str | None = None,
        **who: bool,
    ) -> tuple[str, str]:
        """Send a button click on `message` (a message the bot sent), in `channel_id` if given."""
        data = {"custom_id": custom_id, "component_type": 2}
        member = self.interaction_member(user_id, **who)
        return await self._interaction(3, data, member, message, channel_id=channel_id)

    async def submit_modal(
        self, custom_id: str, values: dict[str, str], *, user_id: int = 1001, **who: bool
    ) -> tuple[str, str]:
        """Submit a modal whose text inputs are `values` (custom_id -> text)."""
        rows = [
            {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
            for k, v in values.items()
        ]
        data = {"custom_id": custom_id, "components": rows}
        return await self._interaction(5, data, self.interaction_member(user_id, **who))

    async def post_message(
        self,
        content: str,
        *,
        user_id: int = 1001,
        channel_id: str | None = None,
        mention_bot: bool = False,
        bot_author: bool = False,
        roles: list[str] | None = None,
        deliver: bool = True,
    ) -> Json:
        """Have a member (or another bot) with these role ids post a message, as MESSAGE_CREATE.

        With `deliver=False` the message is posted (REST reads see it) but its event is held back
        until `deliver` is called: an event the bot handles late.
        """
        channel = self.channels[channel_id or self.channel_id]
        author = p.user(user_id, f"user{user_id}", bot=bot_author)
        mentions = [self.bot_user] if mention_bot else []
        guild_id = channel["guild_id"]
        msg = p.message(channel["id"], author, content, guild_id=guild_id, mentions=mentions)
        self._store(msg)
        self.member_roles[str(user_id)] = list(roles or [])
        if deliver:
            await self.deliver(msg, roles)
        return msg

    async def deliver(self, message: Json, roles: list[str] | None = None) -> None:
        """Send the MESSAGE_CREATE of a posted message whose author holds these role ids."""
        await self.dispatch(
            "MESSAGE_CREATE", {**message, "member": p.member(message["author"], roles)}
        )

    async def edit_posted(
        self, message: Json, content: str, roles: list[str] | None = None
    ) -> None:
        """Have the author of a posted message edit it, as MESSAGE_UPDATE."""
        message.update(content=content, edited_timestamp=p.now_iso())
        member = p.member(message["author"], roles)
        await self.dispatch("MESSAGE_UPDATE", {**message, "member": member})

    async def thread_created(self, thread: Json) -> None:
        """Keep a thread the bot created and send THREAD_CREATE, as Discord does."""
        self.channels[thread["id"]] = thread
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})

    async def create_post(
        self,
        title: str,
        content: str,
        *,
        user_id: int = 1001,
        forum_id: str | None = None,
        roles: list[str] | None = None,
        tags: list[str] | None = None,
    ) -> tuple[Json, Json]:
        """Have a member open a forum post, as Discord does; return (thread, starter message).

        The post is a public thread of the forum whose starter message has the thread's id:
        THREAD_CREATE (newly created, with the owner's thread member) then MESSAGE_CREATE.
        """
        forum = self.channels[forum_id or self.forum_id]
        thread_id, author = p.snowflake(), p.user(user_id, f"user{user_id}")
        thread = p.forum_post(thread_id, forum, str(user_id), title, tags or [])
        thread.update(message_count=1, total_message_sent=1, last_message_id=thread_id)
        self.channels[thread_id] = thread
        owner = {
            "id": thread_id,
            "user_id": str(user_id),
            "join_timestamp": p.now_iso(),
            "flags": 0,
        }
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True, "member": owner})
        starter = p.message(thread_id, author, content, guild_id=forum["guild_id"])
        starter["id"] = thread_id
        self._store(starter)
        self.member_roles[str(user_id)] = list(roles or [])
        await self.dispatch("MESSAGE_CREATE", {**starter, "member": p.member(author, roles)})
        return thread, starter

    async def message_command(
        self,
        name: str,
        target: Json,
        *,
        user_id: int = 1001,
        roles: list[str] | None = None,
        moderator: bool = False,
    ) -> tuple[str, str]:
        """Run a message command (context menu, command type 3) on `target`, in its channel."""
        command = next(c for c in self._all_commands() if c["name"] == name and c["type"] == 3)
        data = {
            "id": command["id"],
            "name": name,
            "type": 3,
            "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}},
            "guild_id": self.guild_id,
        }
        perms = p.MEMBER_PERMISSIONS | (p.MANAGE_GUILD if moderator else 0)
        member = p.member(p.user(user_id, f"user{user_id}"), roles, perms)
        return await self._interaction(2, data, member, channel_id=target["channel_id"])

    def threads(self) -> list[Json]:
        """Return the threads created so far, oldest first."""
        return [c for c in self.channels.values() if c["type"] == 11]

    def messages_in(self, channel_id: str) -> list[Json]:
        """Return the messages of a channel, oldest first."""
        return [m for m in self.messages.values() if m["channel_id"] == channel_id]

    async def _interaction(
        self,
        kind: int,
        data: Json,
        member: Json,
        message: Json | None = None,
        *,
        channel_id: str | None = None,
    ) -> tuple[str, str]:
        interaction_id, token = p.snowflake(), f"tok-{p.snowflake()}"
        channel = self.channels[channel_id or self.channel_id]
        payload = p.interaction(interaction_id, token, self.app_id, kind, channel, member, data)
        payload["attachment_size_limit"] = self.attachment_size_limit
        if message is not None:
            payload["message"] = message
        self.interactions_sent[interaction_id] = time.perf_counter()
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction_id, token

    def _all_commands(self) -> list[Json]:
        return [c for cmds in self.commands.values() for c in cmds]

    @staticmethod
    def _option_type(command: Json, name: str) -> int:
        return next(int(o["type"]) for o in command.get("options", []) if o["name"] == name)

    def _store(self, msg: Json) -> Json:
        self.messages[msg["id"]] = msg
        return msg

    # -- gateway -------------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        if self.refuse_gateway:
            return web.Response(status=503)  # type: ignore[return-value]
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.add(ws)
        try:
            await ws.send_json({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
            async for frame in ws:
                if frame.type != WSMsgType.TEXT:
                    continue
                await self._on_gateway_frame(ws, json.loads(frame.data))
        finally:
            self._sockets.discard(ws)
            self.socket_shards.pop(ws, None)
        return ws

    async def _on_gateway_frame(self, ws: web.WebSocketResponse, frame: Json) -> None:
        op = frame["op"]
        if op == 1:
            self.heartbeats.append(time.perf_counter())
            await ws.send_json({"op": 11})
        elif op == 2:
            self.identify = frame["d"]
            if self.close_on_identify is not None:
                await ws.close(code=self.close_on_identify)
                return
            if not await self._accept_shard(ws, frame["d"]):
                return
            await self._send_ready(ws)
        elif op == 6:
            self._seq += 1
            await ws.send_json({"op": 0, "t": "RESUMED", "s": self._seq, "d": {}})

    async def _send_ready(self, ws: web.WebSocketResponse) -> None:
        ready = p.ready_event(self.bot_user, self.guild_id, self.gateway_url)
        channels = [
            c
            for c in self.channels.values()
            if c["type"] in (0, 15) and c["guild_id"] == self.guild_id
        ]
        guild = p.guild_create(self.guild_id, self.moderator_role_id, channels, self.bot_user)
        guild["roles"].append(p.role(self.mentor_role_id, "mentoría", p.MEMBER_PERMISSIONS, 2))
        events = self._shard_ready_events(ws, ready, guild)
        for event, data in events:
            self._seq += 1
            await ws.send_json({"op": 0, "t": event, "s": self._seq, "d": data})
        self.ready.set()

    # -- REST ----------------------------------------------------------------------------------
    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body, files = await read_body(request)
        recorded = Recorded(request.method, path, dict(request.query), body, files)
        self.requests.append(recorded)
        async with self._changed:
            self._changed.notify_all()
        refused = self._take_refusal(request.method, path)
        if refused is not None and refused.status == DROPPED:
            assert request.transport is not None
            request.transport.abort()
        if refused is not None:
            return refused
        result = await route(self, recorded)
        if result is None:
            return json_response(
                {"message": f"Unknown route {request.method} {path}", "code": 0}, 404
            )
        if isinstance(result, web.StreamResponse):
            return result
        return json_response(result)

    def _take_refusal(self, method: str, path: str) -> web.Response | None:
        for refusal in self._refusals:
            if refusal.times > 0 and refusal.method == method and refusal.pattern.search(path):
                refusal.times -= 1
                return json_response(refusal.body, refusal.status, refusal.headers)
        return None

    def new_message(
        self, channel_id: str, body: Json, files: dict[str, bytes], *, webhook: bool = False
    ) -> Json:
        """Store and return the message the bot just sent."""
        channel = self.channels.get(channel_id)
        guild_id = channel["guild_id"] if channel else None
        msg = p.message(
            channel_id, self.bot_user, body.get("content") or "", guild_id=guild_id, body=body
        )
        msg["attachments"] = p.attachments(files)
        if webhook:
            msg["webhook_id"] = self.app_id
            msg["application_id"] = self.app_id
        return self._store(msg)

    # -- shards and more servers (tests/fakes/discord_shards.py) --------------------------------
    def _init_shards(self) -> None:
        self.shard_count = 1  # what GET /gateway/bot recommends and IDENTIFY must carry
        self.added_guilds: dict[str, shards.FakeGuild] = {}
        self.socket_shards: dict[web.WebSocketResponse, int] = {}
        self.identifies: list[Json] = []
        self.shard_problems: list[str] = []  # refused IDENTIFYs; a test expects none
        self.ready_shards: set[int] = set()
        self.refuse_gateway = False  # answer 503 to new gateway connections (Discord down)

    def add_guild(self, shard: int = 0) -> shards.FakeGuild:
        """Add a server whose events go to `shard`, with one text channel; return it."""
        guild = shards.new_guild(shard, self.shard_count)
        self.added_guilds[guild.id] = guild
        self.channels[guild.channel_id] = p.text_channel(guild.channel_id, guild.id, "preguntas")
        self.channels[guild.other_channel_id] = p.text_channel(
            guild.other_channel_id, guild.id, "charla", 1
        )
        return guild

    async def slash_in(
        self,
        guild: shards.FakeGuild,
        name: str,
        options: dict[str, Any],
        *,
        user_id: int = 1001,
        moderator: bool = False,
        roles: tuple[str, ...] = (),
        resolved: Json | None = None,
        channel_id: str | None = None,
        subcommand: str | None = None,
    ) -> tuple[str, str]:
        """Send a global application command (or one of its subcommands) in an added server."""
        command = next(c for c in self.commands["global"] if c["name"] == name)
        declared = command
        if subcommand is not None:
            declared = next(o for o in command["options"] if o["name"] == subcommand)
        opts = [
            {"name": k, "type": self._option_type(declared, k), "value": v}
            for k, v in options.items()
        ]
        if subcommand is not None:
            opts = [{"name": subcommand, "type": 1, "options": opts}]
        data: Json = {"id": command["id"], "name": name, "type": 1, "options": opts}
        if resolved is not None:
            data["resolved"] = resolved
        perms = p.MEMBER_PERMISSIONS | (p.MANAGE_GUILD if moderator else 0)
        member = p.member(p.user(user_id, f"user{user_id}"), list(roles), perms)
        interaction_id, token = p.snowflake(), f"tok-{p.snowflake()}"
        channel = self.channels[channel_id or guild.channel_id]
        payload = p.interaction(interaction_id, token, self.app_id, 2, channel, member, data)
        self.interactions_sent[interaction_id] = time.perf_counter()
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction_id, token

    async def drop_gateway(self) -> None:
        """Close every gateway connection (the bot then reconnects, unless refused)."""
        for ws in list(self._sockets):
            await ws.close(code=4000)

    def _sockets_for(self, data: Json) -> list[web.WebSocketResponse]:
        """Return the sessions that receive an event: its server's shard only, as Discord does."""
        guild_id = shards.event_guild(data)
        if guild_id is None or self.shard_count == 1:
            return list(self._sockets)
        shard = shards.shard_of(guild_id, self.shard_count)
        return [ws for ws in self._sockets if self.socket_shards.get(ws) == shard]

    async def _accept_shard(self, ws: web.WebSocketResponse, identify: Json) -> bool:
        self.identifies.append(identify)
        problem = shards.identify_problem(
            identify, self.shard_count, set(self.socket_shards.values())
        )
        if problem is not None:
            self.shard_problems.append(problem)
            await ws.close(code=shards.INVALID_SHARD)
            return False
        self.socket_shards[ws] = int((identify.get("shard") or [0, 1])[0])
        return True

    def _shard_ready_events(
        self, ws: web.WebSocketResponse, ready: Json, default_guild: Json
    ) -> list[tuple[str, Json]]:
        """READY (with `shard`) and one GUILD_CREATE per server of this session's shard."""
        shard = self.socket_shards.get(ws, 0)
        guilds = (
            [default_guild] if shards.shard_of(self.guild_id, self.shard_count) == shard else []
        )
        for guild in self.added_guilds.values():
            if shards.shard_of(guild.id, self.shard_count) == shard:
                channels = [self.channels[guild.channel_id], self.channels[guild.other_channel_id]]
                guilds.append(shards.guild_payload(guild, channels, self.bot_user))
        ready["guilds"] = [{"id": g["id"], "unavailable": True} for g in guilds]
        ready["shard"] = [shard, self.shard_count]
        self.ready_shards.add(shard)
        return [("READY", ready), *[("GUILD_CREATE", g) for g in guilds]]
