"""Chat client for any OpenAI-compatible endpoint: streaming, retries, bounded concurrency.

Built on the official `openai.AsyncOpenAI(base_url=...)`. The client's own retries (429 and 5xx,
honouring Retry-After, exponential backoff with jitter) are used as they are. `LLM_TIMEOUT` is a
watchdog on progress: connecting, the first token and every gap between chunks (a stalled stream),
retries included. Only `delta.content` counts as answer text; `reasoning_content` / `reasoning`
deltas, empty deltas and a usage chunk with empty `choices` are skipped. A malformed SSE line is an
endpoint failure that keeps the text received so far; a 429 whose Retry-After outlasts the watchdog
is reported as a busy model, not a timeout. Causes name the endpoint without credentials.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field

import httpx
import openai
from openai.types.chat import ChatCompletionChunk, ChatCompletionMessageParam

from bot import strings
from bot.config import Settings
from bot.errors import UserFacingError
from bot.llm_credentials import llm_credential
from bot.rag.prompts import fold_system_role
from bot.rag.urls import public_url

log = logging.getLogger(__name__)

# The `openai` client refuses to start without a key; local servers (vLLM, llama.cpp) need none.
PLACEHOLDER_API_KEY = "not-needed"
_CONTEXT_MARKERS = ("context length", "context_length", "maximum context", "too long", "too many")

OnText = Callable[[str], Awaitable[None]]
Messages = Sequence[ChatCompletionMessageParam]
# The Retry-After values (seconds, or None when absent or not a number) of the 429 answers met by
# the request running in this context; filled by an httpx response hook.
_RATE_LIMITS: ContextVar[list[float | None] | None] = ContextVar("rate_limits", default=None)


async def _note_rate_limit(response: httpx.Response) -> None:
    """Record a 429 and its Retry-After for the request that met it."""
    seen = _RATE_LIMITS.get()
    if seen is None or response.status_code != 429:
        return
    try:
        seen.append(float(response.headers.get("retry-after", "")))
    except ValueError:
        seen.append(None)


class LLMError(UserFacingError):
    """A chat endpoint failure; `str(error)` is the operator cause, `user_message` is Spanish."""

    user_message = strings.LLM_UNAVAILABLE
    kind = "server_error"  # a bounded label for metrics (bot/metrics.py)

    def __init__(self, cause: str, partial: str = "", kind: str | None = None) -> None:
        """Keep the operator cause, any text received before the failure and its kind."""
        super().__init__(cause)
        self.partial = partial
        self.kind = kind or self.kind


class LLMUnavailableError(LLMError):
    """The endpoint cannot be reached or failed (5xx, connection refused, stream cut)."""

    kind = "unavailable"


class LLMTimeoutError(LLMError):
    """No progress from the endpoint within LLM_TIMEOUT seconds."""

    user_message = strings.LLM_TIMEOUT
    kind = "timeout"


class LLMBusyError(LLMError):
    """The endpoint kept answering 429 after every retry."""

    user_message = strings.LLM_BUSY
    kind = "busy"


class PromptTooLongError(LLMError):
    """The prompt does not fit the model's context window (a 400 from vLLM)."""

    user_message = strings.LLM_PROMPT_TOO_LONG
    kind = "prompt_too_long"


class LLMMisconfiguredError(LLMError):
    """Unknown model, bad key or a request the endpoint rejects."""

    user_message = strings.LLM_MISCONFIGURED
    kind = "misconfigured"


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """The served model's name and, when the server says, its context window."""

    name: str
    max_model_len: int | None = None


@dataclass(slots=True)
class Completion:
    """A finished completion: text, why it stopped, token usage when the server sent it."""

    text: str
    model: str
    finish_reason: str | None = None
    usage: dict[str, int] = field(default_factory=dict)

    def take(self, chunk: ChatCompletionChunk) -> bool:
        """Absorb one stream chunk; return whether it added answer text."""
        if chunk.usage is not None:
            self.usage = {
                "prompt_tokens": chunk.usage.prompt_tokens,
                "completion_tokens": chunk.usage.completion_tokens,
            }
        if not chunk.choices:
            return False
        choice = chunk.choices[0]
        self.finish_reason = choice.finish_reason or self.finish_reason
        if not choice.delta.content:
            return False
        self.text += choice.delta.content
        return True


class ChatClient:
    """Send chat requests to one OpenAI-compatible endpoint, a bounded number at a time."""

    def __init__(self, settings: Settings) -> None:
        """Build the client from LLM_* settings (LLM_BASE_URL must be set)."""
        if not settings.llm_base_url:
            raise LLMMisconfiguredError("LLM_BASE_URL is not set")
        credential = llm_credential(settings)  # the URL sent and logged has no userinfo
        self.base_url = public_url(settings.llm_base_url)  # for messages: no credentials
        self.timeout = settings.llm_timeout
        self.max_tokens = settings.llm_max_tokens
        self.temperature = settings.llm_temperature
        self._configured_model = settings.llm_model
        self._client = openai.AsyncOpenAI(
            base_url=credential.base_url,
            api_key=credential.api_key or PLACEHOLDER_API_KEY,
            default_headers=credential.headers(),
            timeout=settings.llm_timeout,
            max_retries=settings.llm_max_retries,
            http_client=openai.DefaultAsyncHttpxClient(
                event_hooks={"response": [_note_rate_limit]}
            ),
        )
        self._slots = asyncio.Semaphore(settings.llm_max_concurrency)
        self._info: ModelInfo | None = None
        self.fold_system = False

    async def model_info(self) -> ModelInfo:
        """Return the model to use: LLM_MODEL, else the first one `/v1/models` lists."""
        if self._info is None:
            rate_limits: list[float | None] = []
            token = _RATE_LIMITS.set(rate_limits)
            try:
                self._info = await self._discover(rate_limits)
            except openai.OpenAIError as error:
                raise self._translate(error, "", rate_limits) from error
            finally:
                _RATE_LIMITS.reset(token)
        return self._info

    async def _discover(self, rate_limits: list[float | None]) -> ModelInfo:
        try:
            async with asyncio.timeout(self.timeout):
                page = await self._client.models.list()
        except openai.APIStatusError as error:
            if self._configured_model and error.status_code in (404, 405, 501):
                return ModelInfo(self._configured_model)  # a server without /v1/models
            raise
        except TimeoutError as error:
            if rate_limits:
                raise self._translate(error, "", rate_limits) from error
            raise LLMTimeoutError(f"{self.base_url}/models did not answer in time") from error
        entries = {entry.id: entry for entry in page.data}
        name = self._configured_model or next(iter(entries), None)
        if name is None:
            raise LLMMisconfiguredError(f"{self.base_url}/models lists no model: set LLM_MODEL")
        extra = entries[name].model_extra if name in entries else None
        length = (extra or {}).get("max_model_len")
        return ModelInfo(name, length if isinstance(length, int) else None)

    async def stream(
        self, messages: Messages, on_text: OnText | None = None, max_tokens: int | None = None
    ) -> Completion:
        """Stream one completion, awaiting `on_text(text_so_far)` per delta; raise LLMError."""
        info = await self.model_info()
        async with self._slots:
            try:
                return await self._stream(info, messages, on_text, max_tokens)
            except LLMMisconfiguredError as error:
                if self.fold_system or not rejects_system_role(error):
                    raise
                log.warning(
                    "%s rejects the system role: folding it into the user turn", self.base_url
                )
                self.fold_system = True
                return await self._stream(info, messages, on_text, max_tokens)

    async def _stream(
        self, info: ModelInfo, messages: Messages, on_text: OnText | None, max_tokens: int | None
    ) -> Completion:
        loop = asyncio.get_running_loop()
        completion = Completion(text="", model=info.name)
        request = fold_system_role(messages) if self.fold_system else list(messages)
        rate_limits: list[float | None] = []
        token = _RATE_LIMITS.set(rate_limits)
        try:
            async with asyncio.timeout(self.timeout) as watchdog:
                stream = await self._client.chat.completions.create(
                    model=info.name,
                    messages=request,
                    max_tokens=max_tokens or self.max_tokens,
                    temperature=self.temperature,
                    stream=True,
                    stream_options={"include_usage": True},
                )
                async with stream:
                    async for chunk in stream:
                        watchdog.reschedule(loop.time() + self.timeout)
                        if completion.take(chunk) and on_text is not None:
                            await on_text(completion.text)
        except (openai.OpenAIError, TimeoutError) as error:
            raise self._translate(error, completion.text, rate_limits) from error
        except json.JSONDecodeError as error:  # a `data:` line that is not JSON
            cause = f"malformed stream from {self.base_url}: {error}"
            raise LLMUnavailableError(cause, completion.text, "server_error") from error
        finally:
            _RATE_LIMITS.reset(token)
        return completion

    def _translate(
        self, error: BaseException, partial: str, rate_limits: Sequence[float | None] = ()
    ) -> LLMError:
        where = self.base_url
        if isinstance(error, TimeoutError | openai.APITimeoutError):
            if rate_limits:  # the client was waiting out a Retry-After longer than our budget
                wait = rate_limits[-1]
                asked = f"Retry-After {wait:g} s" if wait is not None else "no Retry-After"
                cause = f"{where} answered 429 ({asked}), more than LLM_TIMEOUT {self.timeout} s"
                return LLMBusyError(cause, partial)
            return LLMTimeoutError(f"no progress from {where} within {self.timeout} s", partial)
        if isinstance(error, openai.APIConnectionError):
            return LLMUnavailableError(f"cannot reach {where} or stream broken: {error}", partial)
        if isinstance(error, openai.RateLimitError):
            return LLMBusyError(f"{where} still answers 429 after retries: {error}", partial)
        if isinstance(error, openai.APIStatusError):
            message = str(error)
            if error.status_code == 400 and any(m in message.lower() for m in _CONTEXT_MARKERS):
                return PromptTooLongError(f"prompt over the context window: {message}")
            if error.status_code >= 500:
                return LLMUnavailableError(f"{where} failed: {message}", partial, "server_error")
            return LLMMisconfiguredError(
                f"{where} rejected the request (check LLM_MODEL / LLM_API_KEY): {message}"
            )
        return LLMUnavailableError(f"{where}: {error}", partial)

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._client.close()


def rejects_system_role(error: LLMError) -> bool:
    """Tell whether the endpoint refused the request because of the `system` role."""
    text = str(error).lower()
    return isinstance(error, LLMMisconfiguredError) and "system" in text and "role" in text
