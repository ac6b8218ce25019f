"""The lexical index is saved at ingest beside its collection and opened from disk."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
import pytest

from bot.config import load_settings
from bot.rag import chroma
from bot.rag.embeddings import LocalEmbedder
from bot.rag.index import Index
from bot.rag.ingest import ingest
from bot.rag.lexical import TERMS_DIGEST, LexicalIndex
from bot.rag.lexical_store import lexical_root, open_lexical, save_lexical, saved_folder
from bot.rag.rerank import query_terms, row_coverage
from tests.rag.conftest import TINY_TALKS, write_jsonl

QUESTIONS = Path(__file__).parents[2] / "bench" / "data" / "questions_test.jsonl"


def _collection_id(data_dir: Path) -> str:
    """Name of the saved folder of the current keynotes collection."""
    client: Any = chromadb.PersistentClient(path=str(data_dir / "chroma"))
    return saved_folder(lexical_root(data_dir), client.get_collection("keynotes")).name


def _saved(data_dir: Path) -> list[str]:
    return sorted(folder.name for folder in lexical_root(data_dir).iterdir())


async def test_ingest_saves_the_lexical_index_of_the_new_collection_only(
    tiny_corpus: Path, isolated_settings: Path
) -> None:
    settings = load_settings()
    ingest(settings, str(tiny_corpus), progress=False)
    first = _collection_id(isolated_settings)
    assert _saved(isolated_settings) == [first]

    edited = [dict(row) for row in TINY_TALKS[:2]]
    edited[1]["Transcripción"] = "Gemma de dos mil millones de parámetros se ajustó con LoRA."
    ingest(settings, str(write_jsonl(tiny_corpus, edited)), progress=False)
    second = _collection_id(isolated_settings)
    assert second != first
    assert _saved(isolated_settings) == [second]  # the retired collection's index is gone

    index = Index.open(settings)
    (best,) = await index.search("Gemma LoRA parámetros", k=1)
    assert best.author == "Beatriz" and best.text.startswith("Gemma de dos mil millones")
    assert {author for _, author in index.talks()} == {"Ana", "Beatriz"}
    index.close()


async def test_an_open_index_follows_a_re_ingest_on_its_next_search(
    tiny_corpus: Path, isolated_settings: Path
) -> None:
    settings = load_settings()
    ingest(settings, str(tiny_corpus), progress=False)
    index = Index.open(settings)  # opened before the swap: its first query fails, then reloads
    assert (await index.search("el seseo en Canarias", k=1))[0].author == "Beatriz"
    edited = [dict(row) for row in TINY_TALKS[:2]]
    edited[1]["Transcripción"] = "Gemma de dos mil millones de parámetros se ajustó con LoRA."
    ingest(settings, str(write_jsonl(tiny_corpus, edited)), progress=False)
    passages = await index.search("Gemma LoRA parámetros", k=3)
    assert passages[0].text.startswith("Gemma de dos mil millones")  # both legs and the fetch
    assert {p.author for p in passages} <= {"Ana", "Beatriz"}  # read the new collection
    index.close()


async def test_a_collection_without_a_saved_index_gets_one_on_open(
    tiny_corpus: Path, isolated_settings: Path
) -> None:
    settings = load_settings()
    ingest(settings, str(tiny_corpus), progress=False)
    shutil.rmtree(lexical_root(isolated_settings))  # e.g. built by an older release
    index = Index.open(settings)
    assert _saved(isolated_settings) == [_collection_id(isolated_settings)]
    passages = await index.search("Gemma LoRA parámetros", k=3)
    assert passages and all(p.dense_score is not None for p in passages)
    index.close()


async def test_an_index_saved_under_other_term_rules_is_rebuilt(
    tiny_corpus: Path, isolated_settings: Path
) -> None:
    settings = load_settings()
    ingest(settings, str(tiny_corpus), progress=False)
    current = lexical_root(isolated_settings) / _collection_id(isolated_settings)
    stale = current.with_name(current.name.replace(TERMS_DIGEST, "0" * len(TERMS_DIGEST)))
    current.rename(stale)  # as left by a release with another glossary
    (stale / "terms.json").write_text("{}", encoding="utf-8")  # its terms would not match ours
    index = Index.open(settings)
    assert (current / "terms.json").is_file()
    (best,) = await index.search("el seseo en Canarias", k=1)  # through the rebuilt terms
    assert best.author == "Beatriz"
    index.close()
    assert not ingest(settings, str(tiny_corpus), progress=False).changed
    assert _saved(isolated_settings) == [current.name]  # the stale one is pruned


def test_a_loaded_lexical_index_scores_exactly_like_a_fresh_one(sample_data_dir: Path) -> None:
    client: Any = chromadb.PersistentClient(path=str(sample_data_dir / "chroma"))
    collection = client.get_collection("keynotes")
    save_lexical(lexical_root(sample_data_dir), collection)
    saved = open_lexical(lexical_root(sample_data_dir), collection)
    everything = collection.get(include=["documents"])
    texts = dict(zip(everything["ids"], everything["documents"], strict=True))
    documents = [str(texts[chunk_id]) for chunk_id in saved.ids]
    fresh, loaded = LexicalIndex(documents), saved.lexical

    vocabulary = {term for text in documents for term in fresh.terms(text)} | {"zzzinexistent"}
    assert len(vocabulary) > 1000
    for term in vocabulary:
        assert (loaded.term_id(term), loaded.idf(term)) == (fresh.term_id(term), fresh.idf(term))
    for row in range(len(documents)):
        assert loaded.row_term_ids(row) == fresh.row_term_ids(row)
    questions = QUESTIONS.read_text(encoding="utf-8").splitlines()
    for question in (str(json.loads(line)["question"]) for line in questions):
        terms = query_terms(fresh, question, frozenset())
        assert loaded.search_terms(terms, 30) == fresh.search_terms(terms, 30)
        for row in range(len(documents)):
            assert row_coverage(loaded, terms, row) == row_coverage(fresh, terms, row)


def test_saved_talk_vectors_match_chroma_and_rank_a_talk_like_a_filtered_query(
    sample_data_dir: Path,
) -> None:
    client: Any = chromadb.PersistentClient(path=str(sample_data_dir / "chroma"))
    collection = client.get_collection("keynotes")
    saved = open_lexical(lexical_root(sample_data_dir), collection)
    query = LocalEmbedder().embed_queries(["¿Qué recomienda para entrenar con LoRA?"])[0]
    for position, (talk_id, _, _) in enumerate(saved.talks):
        filtered = collection.query(
            query_embeddings=[query.tolist()], n_results=10, where={"talk_id": talk_id}
        )
        rows = saved.vectors.top_rows(query, [position], 10)
        assert [saved.ids[row] for row in rows] == filtered["ids"][0]
    stored = collection.get(ids=saved.ids, include=["embeddings", "metadatas"])
    rows = list(range(len(saved.ids)))[::-1]  # any order, as the candidates of a search
    assert np.array_equal(saved.vectors.of_rows(rows), np.asarray(stored["embeddings"])[rows])
    talks = [saved.talks[position][0] for position in saved.vectors.talk_of_rows(rows)]
    assert talks == [str(stored["metadatas"][row]["talk_id"]) for row in rows]
    both = saved.vectors.top_rows(query, [0, 1], 400)
    assert {saved.ids[row].split(":")[0] for row in both} == {t for t, _, _ in saved.talks[:2]}
    assert saved.vectors.top_rows(query, [], 5) == []


def test_a_collection_read_in_small_pages_gives_every_chunk_once(
    sample_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client: Any = chromadb.PersistentClient(path=str(sample_data_dir / "chroma"))
    collection = client.get_collection("keynotes")
    whole = open_lexical(lexical_root(sample_data_dir), collection)
    monkeypatch.setattr(chroma, "PAGE", 7)  # 299 chunks: 43 pages, the last one short
    paged = [str(i) for page in chroma.pages(collection, ["metadatas"]) for i in page["ids"]]
    assert sorted(paged) == sorted(collection.get(include=[])["ids"]) and len(set(paged)) == 299
    shutil.rmtree(lexical_root(sample_data_dir))
    rebuilt = open_lexical(lexical_root(sample_data_dir), collection)  # read page by page
    assert rebuilt.ids == whole.ids and rebuilt.talks == whole.talks
    assert np.array_equal(rebuilt.vectors.of_rows(range(299)), whole.vectors.of_rows(range(299)))
