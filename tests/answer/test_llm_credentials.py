"""The credential the chat client sends: URL userinfo, LLM_API_KEY, and redaction of both."""

from __future__ import annotations

import base64
import logging

import pytest

from bot.cli.doctor import run_checks
from bot.logs import JsonFormatter
from bot.rag.llm import ChatClient
from bot.redact import RedactingFilter, redact
from tests.answer.conftest import llm_settings
from tests.fakes.chat_server import FakeChatServer

SECRET = "pw-7731-secreto"
BASIC = "Basic " + base64.b64encode(f"ana:{SECRET}".encode()).decode()


def _with_userinfo(server: FakeChatServer) -> str:
    return server.base_url.replace("http://", f"http://ana:{SECRET}@")


async def _sent_authorization(server: FakeChatServer, **overrides: object) -> str:
    client = ChatClient(llm_settings(server, llm_base_url=_with_userinfo(server), **overrides))
    try:
        await client.stream([{"role": "user", "content": "hola"}])
    finally:
        await client.aclose()
    return server.request_headers[-1]["Authorization"]


async def test_url_userinfo_alone_is_sent_as_basic_auth(fake_llm: FakeChatServer) -> None:
    assert await _sent_authorization(fake_llm) == BASIC


async def test_llm_api_key_wins_over_url_userinfo(fake_llm: FakeChatServer) -> None:
    assert await _sent_authorization(fake_llm, llm_api_key="sk-clave") == "Bearer sk-clave"


async def test_doctor_says_which_credential_is_sent(fake_llm: FakeChatServer) -> None:
    both = llm_settings(fake_llm, llm_base_url=_with_userinfo(fake_llm), llm_api_key="sk-clave")
    (check,) = [c for c in await run_checks(both) if c.name == "LLM credential"]
    assert check.level == "warn" and "LLM_API_KEY" in check.detail and "ignored" in check.detail
    alone = llm_settings(fake_llm, llm_base_url=_with_userinfo(fake_llm))
    (check,) = [c for c in await run_checks(alone) if c.name == "LLM credential"]
    assert check.level == "ok" and "Basic" in check.detail
    assert SECRET not in " ".join(c.detail for c in await run_checks(alone))


@pytest.mark.parametrize(
    "text",
    [
        f"POST http://ana:{SECRET}@127.0.0.1:9/v1/chat/completions",
        f"{{'Authorization': '{BASIC}', 'Host': '127.0.0.1'}}",
        f'{{"authorization": "Bearer {SECRET}"}}',
        f"api_key={SECRET}",
        f"Incorrect API key provided: sk-{SECRET}abcdefgh",
    ],
)
def test_credentials_are_redacted_from_text(text: str) -> None:
    assert SECRET not in redact(text) and BASIC.split()[1] not in redact(text)


def test_the_log_filter_redacts_arguments_and_tracebacks() -> None:
    try:
        raise ValueError(f"cannot reach http://ana:{SECRET}@host/v1")
    except ValueError as error:
        record = logging.LogRecord("httpx", logging.DEBUG, "", 0, "url %s", (error,), None)
        record.exc_info = (type(error), error, error.__traceback__)
    RedactingFilter().filter(record)
    assert SECRET not in record.getMessage() and SECRET not in str(record.exc_text)


def test_json_logs_carry_the_redacted_traceback() -> None:
    try:
        raise ValueError(f"cannot reach http://ana:{SECRET}@host/v1")
    except ValueError as error:
        record = logging.LogRecord("openai", logging.ERROR, "", 0, "failed", (), None)
        record.exc_info = (type(error), error, error.__traceback__)
    RedactingFilter().filter(record)
    line = JsonFormatter().format(record)
    assert SECRET not in line and "http://host/v1" in line
