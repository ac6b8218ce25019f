"""The Answerer refuses through the relevance gate, not through a single cosine."""

from __future__ import annotations

import logging

import pytest

from bot.rag.answer import Answerer
from bot.rag.index import Index
from bot.rag.llm import ChatClient
from tests.answer.conftest import llm_settings
from tests.fakes.chat_server import FakeChatServer

# Its best cosine against the sample (~0.84) is above the old 0.833 cosine threshold, but it shares
# no term with any passage: only the gate's lexical evidence refuses it.
EMOJI = "🤖🤖🤖"
COVERED = "¿Qué es el seseo y dónde se da?"


async def test_a_high_cosine_without_lexical_evidence_is_refused_before_the_llm(
    fake_llm: FakeChatServer, sample_index: Index, caplog: pytest.LogCaptureFixture
) -> None:
    settings = llm_settings(fake_llm)
    answerer = Answerer(settings, ChatClient(settings), index=sample_index)
    with caplog.at_level(logging.INFO, logger="bot.rag.answer"):
        answer = await answerer.answer(EMOJI)
    assert answer.status == "refused" and fake_llm.requests == []
    assert max(p.dense_score or 0.0 for p in answer.passages) > 0.833
    (line,) = [r.getMessage() for r in caplog.records if "refusing" in r.getMessage()]
    assert "coverage 0.00" in line
    covered = await answerer.answer(COVERED)
    assert covered.status == "answered" and len(fake_llm.requests) == 1
    await answerer.aclose()
