"""`pide-ayuda eval --answers` against the real vLLM tier (SmolLM2-135M) on a few questions."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.vllm

SERVED = "smollm2-135m"
QUESTIONS = [
    {
        "question": "¿Qué es la búsqueda semántica y cómo se relaciona con las bases de datos?",
        "author": "Elena González-Blanco",
        "evidence": ["búsqueda semántica"],
    },
    {
        "question": "¿Qué es el seseo y dónde se da?",
        "author": "María Grandury",
        "evidence": ["Andalucía"],
    },
    {
        "question": "¿Qué es UltraFeedback y para qué se usa?",
        "author": "Gabriel @Argilla",
        "evidence": ["ultra feedback"],
    },
]


async def test_eval_answers_reports_the_served_model(
    vllm_url: str, sample_data_dir: Path, tmp_path: Path
) -> None:
    inside, outside = tmp_path / "in.jsonl", tmp_path / "off.jsonl"
    inside.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUESTIONS))
    outside.write_text('{"question": "🤖🤖🤖"}\n', "utf-8")
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "LLM_BASE_URL": vllm_url,
        "LLM_MAX_TOKENS": "48",
        "LLM_TEMPERATURE": "0",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "eval",
        "--questions",
        str(inside),
        "--offtopic",
        str(outside),
        "--answers",
        "--json",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    report = json.loads(out)
    assert report["in_scope"]["recall@k"] == len(QUESTIONS)
    answers = report["answers"]
    assert answers["model"] == SERVED
    found = answers["in_scope"]
    assert sum(found["statuses"].values()) == len(QUESTIONS)
    assert found["valid_citations"] == found["citations"]
    assert found["total_ms"]["p95"] is not None
    assert answers["off_topic"]["statuses"] == {"refused": 1}
