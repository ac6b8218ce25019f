"""The fake chat server speaks the wire format the real `openai` client expects."""

from __future__ import annotations

import httpx
import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam

from tests.fakes.chat_server import FakeChatServer, context_length_error, rate_limited


def client(server: FakeChatServer, retries: int = 0) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=server.base_url, api_key="x", max_retries=retries)


MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "hola"}]


async def test_models_lists_the_model_with_max_model_len(fake_llm: FakeChatServer) -> None:
    page = await client(fake_llm).models.list()
    assert [m.id for m in page.data] == [fake_llm.model]
    assert page.data[0].model_extra == {
        "root": fake_llm.model,
        "parent": None,
        "max_model_len": 8192,
    }


async def test_stream_sends_role_content_finish_usage(fake_llm: FakeChatServer) -> None:
    fake_llm.reply = "uno dos tres"
    fake_llm.empty_deltas = True
    stream = await client(fake_llm).chat.completions.create(
        model=fake_llm.model,
        messages=MESSAGES,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = [c async for c in stream]
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "uno dos tres"
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == 3
    assert fake_llm.requests[0]["messages"] == MESSAGES


async def test_non_streaming_completion_truncates_at_max_tokens(fake_llm: FakeChatServer) -> None:
    fake_llm.reply = "uno dos tres cuatro"
    completion = await client(fake_llm).chat.completions.create(
        model=fake_llm.model,
        messages=MESSAGES,
        max_tokens=2,
    )
    assert completion.choices[0].message.content == "uno dos"
    assert completion.choices[0].finish_reason == "length"


async def test_reasoning_deltas_are_separate_from_content(fake_llm: FakeChatServer) -> None:
    fake_llm.reply = "respuesta"
    fake_llm.reasoning = "pienso luego existo"
    stream = await client(fake_llm).chat.completions.create(
        model=fake_llm.model,
        messages=MESSAGES,
        stream=True,
    )
    chunks = [c async for c in stream]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    extra = "".join(
        (c.choices[0].delta.model_extra or {}).get("reasoning_content", "") for c in chunks
    )
    assert text == "respuesta" and extra == "pienso luego existo"
    assert all(c.usage is None for c in chunks)  # no usage unless asked


async def test_errors_map_to_openai_exceptions(fake_llm: FakeChatServer) -> None:
    with pytest.raises(openai.NotFoundError):
        await client(fake_llm).chat.completions.create(model="otro", messages=MESSAGES)
    fake_llm.fail_with = context_length_error()
    with pytest.raises(openai.BadRequestError, match="maximum context length"):
        await client(fake_llm).chat.completions.create(model=fake_llm.model, messages=MESSAGES)


async def test_rate_limit_then_success_with_client_retries(fake_llm: FakeChatServer) -> None:
    fake_llm.fail_with = rate_limited()
    fake_llm.fail_times = 1
    fake_llm.retry_after = "0.01"
    completion = await client(fake_llm, retries=2).chat.completions.create(
        model=fake_llm.model,
        messages=MESSAGES,
    )
    assert completion.choices[0].message.content == fake_llm.reply
    assert len(fake_llm.requests) == 2


async def test_cut_stream_raises_mid_answer(fake_llm: FakeChatServer) -> None:
    fake_llm.reply = "uno dos tres cuatro"
    fake_llm.cut_after_chunks = 2
    stream = await client(fake_llm).chat.completions.create(
        model=fake_llm.model,
        messages=MESSAGES,
        stream=True,
    )
    received: list[str] = []
    with pytest.raises((httpx.HTTPError, openai.APIError)):
        async for c in stream:
            if c.choices:
                received.append(c.choices[0].delta.content or "")
    assert "".join(received) == "uno dos"
