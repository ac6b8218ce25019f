"""Lemmas come from simplemma's dictionary kept as a trie under the data dir, read by the bot."""

from __future__ import annotations

import json
from pathlib import Path

import simplemma

from bot.rag.lemmas import lemma
from tests.answer.cli_process import run_command


def test_the_trie_gives_simplemmas_lemmas() -> None:
    words = ("recomiendo", "recomienda", "podemos", "quieren", "entrenado", "modelos", "argilla")
    assert [lemma(w) for w in words] == [simplemma.lemmatize(w, lang="es") for w in words]
    assert lemma("recomiendo") == lemma("recomienda") == "recomendar"


async def test_ingest_saves_the_trie_that_a_search_process_then_reads(
    tiny_corpus: Path, isolated_settings: Path
) -> None:
    env = {"PIDE_AYUDA_DATA_DIR": str(isolated_settings)}
    source = ("--source", str(tiny_corpus), "--no-progress")
    code, _, err = await run_command("ingest", *source, env=env)
    assert code == 0, err
    (trie,) = (isolated_settings / "lemmas").glob("simplemma-*/es.dic")
    built = trie.stat().st_mtime_ns
    code, out, err = await run_command("search", "¿Qué despliegan en el Hub?", "--json", env=env)
    assert code == 0, err
    assert json.loads(out)["hits"][0]["author"] == "Ana"
    assert trie.stat().st_mtime_ns == built  # read, not built again
