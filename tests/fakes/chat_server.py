"""A faithful fake OpenAI-compatible chat server (aiohttp on 127.0.0.1) for tests.

It speaks the wire format of OpenAI and vLLM: `/v1/models` (with vLLM's `max_model_len`),
`/v1/chat/completions` streamed as SSE (`data: {...}` chunks: role delta first, content deltas,
a finish_reason chunk, a usage chunk with empty `choices` when `stream_options.include_usage`, then
`data: [DONE]`) or as one JSON completion. Error bodies follow vLLM (`{"error": {"message", "type",
"param", "code"}}`): 404 for an unknown model, 400 when the prompt exceeds the context window.

Tests steer it through public attributes (set them before or between requests):
- `reply`: the assistant text; streamed as word-sized deltas (truncated at `max_tokens` words,
  finish_reason "length").
- `first_token_delay` / `chunk_delay`: seconds before the first delta / between deltas
  (a large value is a stalled stream).
- `fail_with`: `(status, body)` answered instead of a completion, for the next `fail_times`
  requests (default: all of them); 429 and 503 carry a `Retry-After: {retry_after}` header.
  Ready-made bodies: `rate_limited()`, `server_error()`, `context_length_error()`.
- `cut_after_chunks`: drop the connection after that many content deltas, without `[DONE]`.
- `malformed_after_chunks`: after that many content deltas, send a line that is not JSON
  (`data: {not json`), as a broken proxy or server might, then end the stream.
- `reasoning`: text sent first as `reasoning_field` deltas (vLLM's reasoning parsers).
- `empty_deltas`: interleave empty deltas (`{}` and `{"content": ""}`) as some servers do.
- `usage_in_stream`: send the usage chunk when asked (False: a server that never sends it).
- `system_role_supported`: False answers 400 to a `system` message, like chat templates that
  reject that role.
- `model`, `max_model_len`, `strict_model` (False accepts any model name, like llama.cpp).
Every request body is appended to `requests`; `in_flight` / `peak_in_flight` count streams being
sent, `aborted` counts streams the client closed before the end.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

ErrorSpec = tuple[int, dict[str, Any] | str]


def error_body(
    message: str, err_type: str, code: int | str | None, param: str | None = None
) -> dict[str, Any]:
    """Build an error body shaped like OpenAI's and vLLM's."""
    return {"error": {"message": message, "type": err_type, "param": param, "code": code}}


def rate_limited() -> ErrorSpec:
    """Return a 429 as OpenAI sends it."""
    body = error_body(
        "Rate limit reached for requests. Please try again in 1s.",
        "requests",
        "rate_limit_exceeded",
    )
    return 429, body


def server_error() -> ErrorSpec:
    """Return a 500 as OpenAI sends it."""
    body = error_body(
        "The server had an error while processing your request. Sorry about that!",
        "server_error",
        None,
    )
    return 500, body


def context_length_error(max_model_len: int = 2048, prompt_tokens: int = 3000) -> ErrorSpec:
    """Return the 400 vLLM sends when the prompt does not fit the context window."""
    message = (
        f"This model's maximum context length is {max_model_len} tokens. However, your request "
        f"has {prompt_tokens} input tokens. Please reduce the length of the input messages."
    )
    return 400, error_body(message, "BadRequestError", 400)


def count_tokens(text: str) -> int:
    """Approximate a token count the way the fake bills it (about four characters a token)."""
    return max(1, (len(text) + 3) // 4) if text else 0


def _echo(rejection: ErrorSpec, echoed: str) -> ErrorSpec:
    """Append `echoed` to an error's message (OpenAI clients show only that field)."""
    status, body = rejection
    if isinstance(body, str):
        return status, body + echoed
    error = dict(body["error"])
    error["message"] = f"{error['message']}{echoed}"
    return status, {"error": error}


class FakeChatServer:
    """An OpenAI-compatible chat server on 127.0.0.1 whose behaviour tests control."""

    def __init__(self) -> None:
        self.reply = "Respuesta de prueba basada en el fragmento [1]."
        self.model = "fake-chat-1"
        self.max_model_len = 8192
        self.strict_model = True
        self.chunk_delay = 0.0
        self.first_token_delay = 0.0
        # When set to an Event, a streamed answer stops after its first chunk until it is set.
        self.hold: asyncio.Event | None = None
        self.fail_with: ErrorSpec | None = None
        self.fail_times = sys.maxsize
        self.retry_after = "1"
        self.cut_after_chunks: int | None = None
        self.malformed_after_chunks: int | None = None
        self.reasoning: str | None = None
        self.reasoning_field = "reasoning_content"
        self.empty_deltas = False
        self.usage_in_stream = True
        self.system_role_supported = True
        self.requests: list[dict[str, Any]] = []
        # The headers of each chat request; an error can echo them, as some proxies do.
        self.request_headers: list[dict[str, str]] = []
        self.echo_headers_in_errors = False
        self.in_flight = 0
        self.peak_in_flight = 0
        self.aborted = 0
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        """Start listening on a free loopback port and return the base URL (ending in /v1)."""
        app = web.Application()
        app.router.add_get("/v1/models", self._models)
        app.router.add_post("/v1/chat/completions", self._chat)
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        site = web.SockSite(self._runner, sock)
        await site.start()
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
        return self.base_url

    async def stop(self) -> None:
        """Close every connection and stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _models(self, request: web.Request) -> web.Response:
        created = int(time.time())
        entry = {
            "id": self.model,
            "object": "model",
            "created": created,
            "owned_by": "vllm",
            "root": self.model,
            "parent": None,
            "max_model_len": self.max_model_len,
        }
        return web.json_response({"object": "list", "data": [entry]})

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return self._error(400, error_body("Invalid JSON body", "BadRequestError", 400))
        self.requests.append(body)
        self.request_headers.append(dict(request.headers))
        rejection = self._reject(body)
        if rejection is not None and self.echo_headers_in_errors:
            return self._error(*_echo(rejection, f" while handling {dict(request.headers)}"))
        if rejection is not None:
            return self._error(*rejection)
        if body.get("stream"):
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            try:
                return await self._stream(request, body)
            except (ConnectionResetError, asyncio.CancelledError):
                self.aborted += 1
                raise
            finally:
                self.in_flight -= 1
        return web.json_response(self._completion(body))

    def _reject(self, body: dict[str, Any]) -> ErrorSpec | None:
        """Return the error this request earns, if any, in the order a real server checks."""
        if self.fail_with is not None and self.fail_times > 0:
            self.fail_times -= 1
            return self.fail_with
        model = body.get("model")
        if self.strict_model and model != self.model:
            message = f"The model `{model}` does not exist."
            return 404, error_body(message, "NotFoundError", 404, "model")
        messages = body.get("messages") or []
        if not self.system_role_supported and any(m.get("role") == "system" for m in messages):
            return 400, error_body("System role not supported", "BadRequestError", 400)
        prompt_tokens = self._prompt_tokens(body)
        if prompt_tokens + self._max_tokens(body) > self.max_model_len:
            return context_length_error(self.max_model_len, prompt_tokens)
        return None

    def _error(self, status: int, body: dict[str, Any] | str) -> web.Response:
        headers = {"Retry-After": self.retry_after} if status in (429, 503) else {}
        if isinstance(body, str):
            return web.Response(status=status, text=body, headers=headers)
        return web.json_response(body, status=status, headers=headers)

    @staticmethod
    def _prompt_tokens(body: dict[str, Any]) -> int:
        messages = body.get("messages") or []
        return sum(count_tokens(str(m.get("content") or "")) + 4 for m in messages)

    @staticmethod
    def _max_tokens(body: dict[str, Any]) -> int:
        value = body.get("max_completion_tokens") or body.get("max_tokens") or 16
        return int(value)

    def _pieces(self, body: dict[str, Any]) -> tuple[list[str], str]:
        """Split the reply into word-sized deltas, truncated at max_tokens."""
        pieces = re.findall(r"\s*\S+", self.reply) or [self.reply]
        limit = self._max_tokens(body)
        if len(pieces) > limit:
            return pieces[:limit], "length"
        return pieces, "stop"

    def _usage(self, body: dict[str, Any], completion: str) -> dict[str, int]:
        prompt = self._prompt_tokens(body)
        produced = len(re.findall(r"\S+", completion))
        return {
            "prompt_tokens": prompt,
            "completion_tokens": produced,
            "total_tokens": prompt + produced,
        }

    def _completion(self, body: dict[str, Any]) -> dict[str, Any]:
        pieces, finish = self._pieces(body)
        text = "".join(pieces)
        message: dict[str, Any] = {"role": "assistant", "content": text, "tool_calls": []}
        if self.reasoning is not None:
            message[self.reasoning_field] = self.reasoning
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model"),
            "choices": [
                {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
            ],
            "usage": self._usage(body, text),
        }

    async def _stream(self, request: web.Request, body: dict[str, Any]) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream; charset=utf-8",
                "Cache-Control": "no-cache",
            }
        )
        await response.prepare(request)
        chunk_id = f"chatcmpl-{uuid.uuid4().hex}"
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        include_usage = include_usage and self.usage_in_stream
        pieces, finish = self._pieces(body)

        def chunk(delta: dict[str, Any] | None, finish_reason: str | None = None) -> bytes:
            payload: dict[str, Any] = {
                "id": chunk_id,
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": body.get("model"),
                "choices": []
                if delta is None
                else [
                    {
                        "index": 0,
                        "delta": delta,
                        "logprobs": None,
                        "finish_reason": finish_reason,
                    }
                ],
            }
            if include_usage:
                payload["usage"] = None if delta is not None else self._usage(body, "".join(pieces))
            return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode()

        await response.write(chunk({"role": "assistant", "content": ""}))
        if self.hold is not None:
            await self.hold.wait()
        await asyncio.sleep(self.first_token_delay)
        sent = 0
        async for delta in self._deltas(pieces):
            if delta is None:  # cut: drop the connection without finishing the stream
                if request.transport is not None:
                    request.transport.close()
                return response
            await response.write(chunk(delta))
            sent += bool(delta.get("content"))
            if sent == self.malformed_after_chunks:
                await response.write(b"data: {not json\n\n")
                await response.write_eof()
                return response
        await response.write(chunk({}, finish))
        if include_usage:
            await response.write(chunk(None))
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    async def _deltas(self, pieces: list[str]) -> AsyncIterator[dict[str, Any] | None]:
        """Yield the deltas to send; None means cut the connection here."""
        if self.reasoning is not None:
            for piece in re.findall(r"\s*\S+", self.reasoning):
                yield {self.reasoning_field: piece}
        for number, piece in enumerate(pieces):
            if self.cut_after_chunks is not None and number >= self.cut_after_chunks:
                yield None
                return
            if number:
                await asyncio.sleep(self.chunk_delay)
            if self.empty_deltas:
                yield {}
                yield {"content": ""}
            yield {"content": piece}


@pytest.fixture
async def fake_llm() -> AsyncIterator[FakeChatServer]:
    """Yield a started fake chat server; stop it afterwards."""
    server = FakeChatServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
