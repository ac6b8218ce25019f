"""`pide-ayuda eval --answers` as a subprocess against the fake chat server and the sample index."""

from __future__ import annotations

import json
from pathlib import Path

from tests.answer.cli_process import run_command
from tests.fakes.chat_server import FakeChatServer

QUESTION = {
    "question": "¿Qué es el seseo y dónde se da?",
    "author": "María Grandury",
    "evidence": ["Andalucía"],
}


async def test_eval_answers_checks_citations_refusals_and_latency(
    fake_llm: FakeChatServer, sample_data_dir: Path, tmp_path: Path
) -> None:
    inside, outside = tmp_path / "in.jsonl", tmp_path / "off.jsonl"
    inside.write_text(json.dumps(QUESTION, ensure_ascii=False) + "\n", "utf-8")
    outside.write_text('{"question": "🤖🤖🤖"}\n', "utf-8")
    # One claim its passage supports, one it does not (a recipe cited to a talk on dialects).
    fake_llm.reply = (
        "El seseo es muy común en Andalucía y en Canarias [1]. "
        "La paella valenciana se cocina con arroz, azafrán y conejo [1]."
    )
    env = {"LLM_BASE_URL": fake_llm.base_url, "LLM_MODEL": fake_llm.model, "LLM_MAX_RETRIES": "0"}
    args = ("--questions", str(inside), "--offtopic", str(outside), "--answers", "--json")
    code, out, err = await run_command("eval", *args, env=env)
    assert code == 0, err
    answers = json.loads(out)["answers"]
    assert answers["model"] == fake_llm.model
    found = answers["in_scope"]
    assert found["statuses"] == {"answered": 1} and found["answered_citing_nothing"] == 0
    assert found["citations"] == 2 and found["valid_citations"] == 2
    assert found["supported_citations"] == 1
    (unsupported,) = found["unsupported_examples"]
    assert unsupported.startswith("La paella valenciana")
    assert found["total_ms"]["p50"] is not None and found["first_token_ms"]["p95"] is not None
    assert answers["off_topic"]["statuses"] == {"refused": 1}
    assert answers["off_topic"]["first_token_ms"] == {"p50": None, "p95": None}


async def test_eval_answers_counts_answers_that_cite_nothing(
    fake_llm: FakeChatServer, sample_data_dir: Path, tmp_path: Path
) -> None:
    inside = tmp_path / "in.jsonl"
    inside.write_text(json.dumps(QUESTION, ensure_ascii=False) + "\n", "utf-8")
    fake_llm.reply = "El seseo se oye en el sur de España."
    env = {"LLM_BASE_URL": fake_llm.base_url, "LLM_MODEL": fake_llm.model, "LLM_MAX_RETRIES": "0"}
    code, out, err = await run_command("eval", "--questions", str(inside), "--answers", env=env)
    assert code == 0, err
    assert "## Answers (model " in out
    assert "| in_scope (1) | answered 1 | 1 | 0/0 valid, 0 supported |" in out
