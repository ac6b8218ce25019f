"""Fixtures of the answers area: the fake chat server."""

from tests.fakes.chat_server import fake_llm  # noqa: F401
