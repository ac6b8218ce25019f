"""`pide-ayuda ask` as a subprocess against the fake chat server, logging to a real SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

from bot import strings
from bot.config import Settings
from bot.storage import open_database
from store.review import ReviewLog
from tests.answer.cli_process import run_command
from tests.fakes.chat_server import FakeChatServer

QUESTION = "¿Qué es la búsqueda semántica y cómo se relaciona con las bases de datos vectoriales?"


async def test_ask_json_prints_the_contract_and_logs_the_pair(
    fake_llm: FakeChatServer, sample_data_dir: Path
) -> None:
    fake_llm.reply = "Busca por significado [1]."
    env = {"LLM_BASE_URL": fake_llm.base_url, "LLM_MODEL": fake_llm.model}
    code, out, err = await run_command("ask", "--json", QUESTION, env=env)
    assert code == 0, err
    document = json.loads(out)
    assert set(document) == {
        *("answer", "notice", "status", "intent", "sources", "consulted", "model", "mode"),
        "timings",
    }
    assert document["answer"] == "Busca por significado [1]."
    assert document["status"] == "answered" and document["notice"] is None
    assert document["intent"] == "question"
    assert document["mode"] == "llm" and document["model"] == fake_llm.model
    (source,) = document["sources"]
    assert set(source) == {"kind", "title", "author", "quote"} and source["quote"]
    assert source["kind"] == "keynote"
    assert {"retrieval_ms", "prompt_ms", "llm_ms", "total_ms"} <= set(document["timings"])
    db = open_database(Settings())
    try:
        pair = await ReviewLog(db).next_pending()
    finally:
        await db.aclose()
    assert pair is not None and pair.question == QUESTION and pair.surface == "cli"
    assert pair.answer == document["answer"]


async def test_ask_streams_text_and_sources(sample_data_dir: Path) -> None:
    code, out, err = await run_command("ask", QUESTION, env={})
    assert code == 0, err
    assert out.startswith(strings.EXTRACTIVE_LABEL)
    assert "\nFuentes\n[1] «" in out


async def test_ask_failure_exits_1_with_one_line(
    fake_llm: FakeChatServer, sample_data_dir: Path
) -> None:
    env = {"LLM_BASE_URL": fake_llm.base_url, "LLM_MODEL": "no-such-model"}
    code, out, err = await run_command("ask", QUESTION, env=env)
    assert code == 1
    assert out.strip() == strings.LLM_MISCONFIGURED
    (line,) = err.strip().splitlines()
    assert line.startswith("error: ") and "no-such-model" in line


async def test_a_database_that_cannot_be_opened_only_warns(sample_data_dir: Path) -> None:
    code, out, err = await run_command("ask", QUESTION, env={"DATABASE_URL": "not a database url"})
    assert code == 0, err
    assert out.startswith(strings.EXTRACTIVE_LABEL)
    assert "Traceback" not in err
    assert "warning: the question was not logged: DATABASE_URL" in err


async def test_ask_json_keeps_consulted_passages_apart_from_cited_sources(
    fake_llm: FakeChatServer, sample_data_dir: Path
) -> None:
    fake_llm.reply = "Es buscar por significado, sin citar nada."
    env = {"LLM_BASE_URL": fake_llm.base_url, "LLM_MODEL": fake_llm.model}
    code, out, err = await run_command("ask", "--json", QUESTION, env=env)
    assert code == 0, err
    document = json.loads(out)
    assert document["status"] == "answered" and document["sources"] == []
    prompt = str(fake_llm.requests[0]["messages"][-1]["content"])
    consulted = document["consulted"]
    assert consulted and all(f"«{c['title']}» — {c['author']}" in prompt for c in consulted)
    assert {"title", "author", "talk_id", "chunk_id", "chunk_ids", "score"} == set(consulted[0])
    assert all(c["chunk_ids"][0] == c["chunk_id"] for c in consulted)


async def test_ask_shows_a_degenerate_stream_replaced_by_the_marked_extractive_answer(
    fake_llm: FakeChatServer, sample_data_dir: Path
) -> None:
    fake_llm.reply = "La búsqueda semántica es " + "la páраl de " * 100
    env = {"LLM_BASE_URL": fake_llm.base_url, "LLM_MODEL": fake_llm.model, "LLM_MAX_TOKENS": "600"}
    code, out, err = await run_command("ask", QUESTION, env=env)
    assert code == 0, err
    assert f"\n\n{strings.FALLBACK_NOTICE}\n\n> «" in out  # after the few words streamed
    assert "\nFuentes\n[1] «" in out
    (line,) = err.strip().splitlines()
    assert line.startswith("warning: fallback answer: degenerate model output (repetition loop")
    code, out, err = await run_command("ask", "--json", QUESTION, env=env)
    document = json.loads(out)
    assert document["status"] == "fallback" and document["notice"] == strings.FALLBACK_NOTICE
    assert document["mode"] == "extractive" and document["answer"].startswith("> «")
    db = open_database(Settings())
    try:
        pair = await ReviewLog(db).next_pending()
    finally:
        await db.aclose()
    assert pair is not None and strings.FALLBACK_NOTICE not in pair.answer


async def test_ask_with_the_llm_unreachable_quotes_the_passages_with_a_notice(
    fake_llm: FakeChatServer, sample_data_dir: Path
) -> None:
    env = {
        "LLM_BASE_URL": fake_llm.base_url,
        "LLM_MODEL": fake_llm.model,
        "LLM_MAX_RETRIES": "0",
    }
    await fake_llm.stop()  # nothing listens on the port any more
    code, out, err = await run_command("ask", QUESTION, env=env)
    assert code == 0, err
    assert out.startswith(f"{strings.LLM_DOWN_NOTICE}\n\n> «")
    assert "\nFuentes\n[1] «" in out
    (line,) = err.strip().splitlines()
    assert line.startswith("warning: fallback answer: cannot reach")
    code, out, err = await run_command("ask", "--json", QUESTION, env=env)
    document = json.loads(out)
    assert document["status"] == "fallback" and document["notice"] == strings.LLM_DOWN_NOTICE
    assert document["mode"] == "extractive" and document["sources"]


async def test_an_empty_question_gets_one_spanish_message(sample_data_dir: Path) -> None:
    code, out, err = await run_command("ask", "", env={})
    assert code == 1
    assert out.strip() == strings.EMPTY_QUESTION and err.strip() == ""
