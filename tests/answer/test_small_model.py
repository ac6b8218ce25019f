"""Small-model failures through the fake chat server and the real openai client.

Degenerate streams fall back to the extractive answer, uncited answers keep the passages consulted,
malformed SSE keeps the partial answer, a long Retry-After is "busy", causes carry no credentials.
"""

from __future__ import annotations

import asyncio

from bot import strings
from bot.config import Settings
from bot.rag.answer import Answerer
from bot.rag.index import Index
from bot.rag.llm import ChatClient
from bot.rag.types import Turn
from bot.rag.urls import public_url
from tests.answer.conftest import llm_settings
from tests.fakes.chat_server import FakeChatServer, rate_limited

ON_TOPIC = "¿Qué es la búsqueda semántica y cómo se relaciona con las bases de datos vectoriales?"
LOOP = "La búsqueda semántica es " + "la páраl de " * 150


def answerer(settings: Settings, index: Index) -> Answerer:
    return Answerer(settings, ChatClient(settings), index=index)


async def until_aborted(server: FakeChatServer) -> None:
    for _ in range(100):
        if server.aborted:
            return
        await asyncio.sleep(0.02)


async def test_a_repetition_loop_is_stopped_and_answered_extractively(
    fake_llm: FakeChatServer, sample_index: Index
) -> None:
    fake_llm.reply, fake_llm.chunk_delay = LOOP, 0.005
    shown: list[str] = []

    async def on_delta(text: str) -> None:
        shown.append(text)

    settings = llm_settings(fake_llm, llm_max_tokens=1000)
    answer = await answerer(settings, sample_index).answer(ON_TOPIC, (), on_delta)
    await until_aborted(fake_llm)
    assert fake_llm.aborted == 1  # the stream was closed, the server stopped generating
    assert answer.status == "fallback" and answer.mode == "extractive"
    assert answer.error_kind == "degenerate"
    assert answer.notice == strings.FALLBACK_NOTICE
    assert answer.text.startswith("> «") and "páраl" not in answer.text
    assert answer.sources and answer.model == fake_llm.model
    assert answer.error_cause and "repetition loop" in answer.error_cause
    assert max(len(text.split()) for text in shown) < 40  # little of the loop was relayed
    # eval --answers reports first-token latency for stopped streams too
    assert 0 < answer.timings["first_token_ms"] <= answer.timings["llm_ms"]


async def test_mixed_scripts_and_english_fall_back(
    fake_llm: FakeChatServer, sample_index: Index
) -> None:
    bot = answerer(llm_settings(fake_llm), sample_index)
    fake_llm.reply = "La búsqueda semánтica usa embeddings y el pаrámetro de la bаse [1]."
    mixed = await bot.answer(ON_TOPIC)
    fake_llm.reply = (
        "Semantic search compares the meaning of the question with the meaning of the "
        "documents, not just the words. Texts are turned into vectors and stored in a vector "
        "database, which returns the closest ones [1]."
    )
    english = await bot.answer(ON_TOPIC)
    assert mixed.status == english.status == "fallback"
    assert mixed.error_cause and "mixed scripts" in mixed.error_cause
    assert english.error_cause and "no Spanish" in english.error_cause


async def test_a_good_answer_with_code_and_urls_is_kept(
    fake_llm: FakeChatServer, sample_index: Index
) -> None:
    fake_llm.reply = (
        "Se convierten los textos en embeddings [1]:\n\n```python\nfrom sentence_transformers "
        "import SentenceTransformer\nmodel = SentenceTransformer('intfloat/multilingual-e5-small')"
        "\n```\n\nMás en https://huggingface.co/intfloat/multilingual-e5-small [2]."
    )
    answer = await answerer(llm_settings(fake_llm), sample_index).answer(ON_TOPIC)
    assert answer.status == "answered" and answer.notice is None and answer.error_cause is None


async def test_an_uncited_answer_keeps_the_passages_it_was_given(
    fake_llm: FakeChatServer, sample_index: Index
) -> None:
    fake_llm.reply = "Es buscar por significado usando vectores."
    answer = await answerer(llm_settings(fake_llm), sample_index).answer(ON_TOPIC)
    assert answer.status == "answered" and answer.sources == []
    prompt = str(fake_llm.requests[0]["messages"][-1]["content"])
    assert answer.passages and all(p.text in prompt for p in answer.passages)


async def test_malformed_sse_keeps_the_partial_answer(
    fake_llm: FakeChatServer, sample_index: Index
) -> None:
    fake_llm.reply = "La búsqueda semántica [1] usa vectores [2] para comparar significados."
    fake_llm.malformed_after_chunks = 5
    answer = await answerer(llm_settings(fake_llm), sample_index).answer(ON_TOPIC)
    assert answer.status == "partial" and answer.notice == strings.PARTIAL_ANSWER_NOTE
    assert answer.text == "La búsqueda semántica [1] usa"
    assert answer.error_cause and answer.error_cause.startswith("malformed stream from")
    assert answer.error_kind == "server_error"


async def test_malformed_sse_before_any_text_is_an_llm_error(
    fake_llm: FakeChatServer, sample_index: Index
) -> None:
    fake_llm.malformed_after_chunks = 0
    fake_llm.reply = ""
    answer = await answerer(llm_settings(fake_llm), sample_index).answer(ON_TOPIC)
    assert answer.status == "fallback" and answer.error_kind == "server_error"


async def test_a_retry_after_longer_than_the_budget_is_busy_not_a_timeout(
    fake_llm: FakeChatServer, sample_index: Index
) -> None:
    fake_llm.fail_with, fake_llm.retry_after = rate_limited(), "30"
    settings = llm_settings(fake_llm, llm_max_retries=2, llm_timeout=0.5)
    answer = await answerer(settings, sample_index).answer(ON_TOPIC)
    assert answer.status == "fallback" and answer.error_kind == "busy"
    assert answer.error_cause and "Retry-After 30 s" in answer.error_cause
    assert len(fake_llm.requests) == 1  # the client was waiting out the Retry-After


async def test_causes_and_endpoint_carry_no_credentials(
    fake_llm: FakeChatServer, sample_index: Index
) -> None:
    secret_url = fake_llm.base_url.replace("http://", "http://user:pass@")
    settings = llm_settings(fake_llm, llm_base_url=secret_url)
    fake_llm.reply = " "  # an empty answer: its cause names the endpoint
    empty = await answerer(settings, sample_index).answer(ON_TOPIC)
    await fake_llm.stop()
    down = await answerer(settings, sample_index).answer(ON_TOPIC)
    assert empty.status == down.status == "fallback"
    assert (
        empty.error_cause == f"{fake_llm.base_url} returned an empty answer; answered extractively"
    )
    assert down.error_cause and fake_llm.base_url in down.error_cause
    assert "pass" not in down.error_cause
    assert empty.endpoint == fake_llm.base_url


def test_public_url_keeps_scheme_host_port_path_only() -> None:
    assert public_url("http://user:pass@127.0.0.1:8000/v1") == "http://127.0.0.1:8000/v1"
    assert public_url("https://k@api.example.org/v1?api_key=x#f") == "https://api.example.org/v1"
    assert public_url("http://u:p@[::1]:9/v1") == "http://[::1]:9/v1"


async def test_a_degenerate_condensed_question_is_not_used_for_retrieval(
    fake_llm: FakeChatServer, sample_index: Index
) -> None:
    fake_llm.reply = LOOP  # both the condensing request and the answer loop
    history = [Turn("user", "Háblame del taller de Argilla"), Turn("assistant", "Claro.")]
    answer = await answerer(llm_settings(fake_llm), sample_index).answer("¿Y cómo filtro?", history)
    assert answer.status == "fallback"
    # Retrieved with the earlier turn prepended (the fallback for a useless condensed question).
    expected = await sample_index.search("Háblame del taller de Argilla ¿Y cómo filtro?", k=5)
    assert answer.passages[0].chunk_id == expected[0].chunk_id
