"""Fixtures of the CLI tests: the sample index, the fake chat server and the fake Discord."""

from tests.discord.conftest import fake_discord  # noqa: F401
from tests.fakes.chat_server import fake_llm  # noqa: F401
from tests.fixtures.corpus import built_sample_index, sample_data_dir  # noqa: F401
