"""Plumbing against a real vLLM (SmolLM2-135M on CPU): streaming, model discovery, errors, cuts.

Enabled by PIDE_AYUDA_VLLM_URL (`make test VLLM=1`; always in CI). Answer quality is not tested:
the model is tiny.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot import strings
from bot.config import Settings
from bot.rag.answer import Answerer
from bot.rag.llm import ChatClient, PromptTooLongError
from bot.rag.types import Turn
from tests.integration.proxy import KillableProxy

pytestmark = pytest.mark.vllm

QUESTION = "¿Qué es la búsqueda semántica y cómo se relaciona con las bases de datos vectoriales?"
SERVED = "smollm2-135m"


def ask_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot", "ask", *args]


def ask_env(url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "LLM_BASE_URL": url,
        "LLM_MAX_TOKENS": "48",
        "LLM_TEMPERATURE": "0",
        **extra,
    }


async def run_ask(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *ask_command(*args), env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_ask_json_names_the_served_model(vllm_url: str, sample_data_dir: Path) -> None:
    code, out, err = await run_ask(ask_env(vllm_url), "--json", QUESTION)
    assert code == 0, err
    document = json.loads(out)
    fell_back = document["status"] == "fallback"  # a degenerate answer from the tiny model
    assert document["model"] == SERVED
    assert document["mode"] == ("extractive" if fell_back else "llm")
    assert document["answer"].strip()
    assert document["timings"]["first_token_ms"] > 0


async def test_ask_streams_to_the_terminal(vllm_url: str, sample_data_dir: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        *ask_command(QUESTION),
        env=ask_env(vllm_url, LLM_MAX_TOKENS="96"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    first = await process.stdout.read(1)
    still_running = process.returncode is None
    rest, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    assert first and still_running  # text arrived before the answer was complete
    assert len(first + rest) > 1


async def test_answer_streams_deltas(vllm_url: str, sample_data_dir: Path) -> None:
    settings = Settings(llm_base_url=vllm_url, llm_max_tokens=32, llm_temperature=0)
    deltas: list[str] = []

    async def on_delta(text: str) -> None:
        deltas.append(text)

    answerer = Answerer.from_settings(settings)
    try:
        answer = await answerer.answer(QUESTION, on_delta=on_delta)
    finally:
        await answerer.aclose()
    assert answer.status in ("answered", "partial", "fallback"), answer.error_cause
    assert len(deltas) > 1
    if answer.status == "fallback":  # the tiny model degenerated: the extractive answer replaces it
        assert answer.notice == strings.FALLBACK_NOTICE and answer.sources
    else:
        assert answer.text.startswith(deltas[-1].rstrip())


async def test_unknown_model(vllm_url: str, sample_data_dir: Path) -> None:
    code, out, err = await run_ask(ask_env(vllm_url, LLM_MODEL="no-such-model"), QUESTION)
    assert code == 1
    assert out.strip() == strings.LLM_MISCONFIGURED
    assert "does not exist" in err


async def test_over_long_prompt_is_classified(vllm_url: str) -> None:
    chat = ChatClient(Settings(llm_base_url=vllm_url, llm_max_tokens=16))
    try:
        with pytest.raises(PromptTooLongError) as caught:
            await chat.stream([{"role": "user", "content": "hola " * 4000}])
    finally:
        await chat.aclose()
    assert caught.value.user_message == strings.LLM_PROMPT_TOO_LONG
    assert "maximum context length is 2048" in str(caught.value)


async def test_long_history_is_fitted_to_the_window(vllm_url: str, sample_data_dir: Path) -> None:
    settings = Settings(llm_base_url=vllm_url, llm_max_tokens=16, llm_temperature=0)
    history = [Turn("user" if i % 2 == 0 else "assistant", "texto largo " * 150) for i in range(8)]
    answerer = Answerer.from_settings(settings)
    try:
        answer = await answerer.answer(QUESTION, history)
    finally:
        await answerer.aclose()
    assert answer.status in ("answered", "partial", "fallback"), answer.error_cause


async def test_server_killed_mid_stream(vllm_url: str, sample_data_dir: Path) -> None:
    upstream = urlsplit(vllm_url)
    assert upstream.port is not None
    proxy = KillableProxy(upstream.port)
    await proxy.start()
    proxied = f"http://127.0.0.1:{proxy.port}{upstream.path}"
    process = await asyncio.create_subprocess_exec(
        *ask_command("--json", QUESTION),
        env=ask_env(proxied, LLM_MAX_TOKENS="400", LLM_MAX_RETRIES="0"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    communicate = asyncio.ensure_future(process.communicate())
    streaming = asyncio.ensure_future(proxy.streaming.wait())
    await asyncio.wait({communicate, streaming}, timeout=120, return_when=asyncio.FIRST_COMPLETED)
    await proxy.kill()
    out, err = await communicate
    assert proxy.streaming.is_set(), err.decode()
    assert process.returncode == 0, err.decode()
    document = json.loads(out)
    notices = {"partial": strings.PARTIAL_ANSWER_NOTE, "fallback": strings.FALLBACK_NOTICE}
    assert document["notice"] == notices[document["status"]]  # fallback: the cut text degenerated
    warning = f"warning: {document['status']} answer"
    assert warning in err.decode() and "stream broken" in err.decode()
