"""`pide-ayuda faq` as a subprocess on the sample index: add, list, answer from it, remove."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CURATED = "¿Cuál es la fecha límite para entregar el proyecto del hackatón?"
ANSWER = "El 10 de abril a las 23:59 (hora de Madrid)."
PARAPHRASE = "¿Hasta cuándo tenemos para entregar el proyecto del hackatón?"


def pide_ayuda(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )


def test_faq_add_list_answer_remove(sample_data_dir: Path) -> None:
    added = pide_ayuda("faq", "add", "--question", CURATED, "--answer", ANSWER)
    assert added.returncode == 0, added.stderr
    pair_id = int(added.stdout.split()[-1])
    listed = pide_ayuda("faq", "list", "--json")
    assert [json.loads(line) for line in listed.stdout.splitlines()] == [
        {"id": pair_id, "provenance": "moderator", "question": CURATED, "answer": ANSWER}
    ]

    asked = pide_ayuda("ask", "--json", PARAPHRASE)  # no LLM: extractive mode
    assert asked.returncode == 0, asked.stderr
    document = json.loads(asked.stdout)
    assert document["answer"] == ANSWER
    assert [(s["kind"], s["title"]) for s in document["sources"]] == [("faq", CURATED)]

    removed = pide_ayuda("faq", "remove", str(pair_id))
    assert removed.returncode == 0, removed.stderr
    assert pide_ayuda("faq", "list").stdout == ""
    again = json.loads(pide_ayuda("ask", "--json", PARAPHRASE).stdout)
    assert again["answer"] != ANSWER
    assert {s["kind"] for s in again["sources"]} <= {"keynote"}


def test_faq_remove_of_an_unknown_pair_is_one_line(sample_data_dir: Path) -> None:
    result = pide_ayuda("faq", "remove", "999")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: no pair with id 999"
