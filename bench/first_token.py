"""Time the project adds before a request reaches the chat endpoint (retrieval + prompt), warm.

Usage (after `pide-ayuda ingest --source sample`, same PIDE_AYUDA_DATA_DIR):
    OMP_NUM_THREADS=1 python -m bench.first_token [--rounds 3]
        measures from `Answerer.answer()` to the request's arrival at a loopback chat endpoint
        (the fake server of the tests, which records when each request arrives);
    OMP_NUM_THREADS=1 python -m bench.first_token --url http://127.0.0.1:PORT/v1
        against a real server: reports the client-side `before_llm_ms` and the `first_token_ms`
        the server took (its own latency, not the project's).
The dev questions are asked once to warm up, then `--rounds` times; prints p50/p95 in ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.config import load_settings
from bot.rag.answer import Answerer
from tests.fakes.chat_server import FakeChatServer

QUESTIONS = Path(__file__).parent / "data" / "dev_questions.jsonl"


class ArrivalRecorder(FakeChatServer):
    """The fake chat server, noting when each completion request arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[float] = []

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        self.arrivals.append(time.perf_counter())
        return await super()._chat(request)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(name: str, values: list[float]) -> None:
    p50, p95 = statistics.median(values), percentile(values, 0.95)
    print(f"{name:24} n={len(values):3}  p50={p50:7.1f} ms  p95={p95:7.1f} ms")


async def run(url: str | None, rounds: int) -> None:
    server = None if url else ArrivalRecorder()
    if server is not None:
        url = await server.start()
    overrides: dict[str, Any] = {"llm_base_url": url, "retrieval_min_score": 0.0}
    settings = load_settings().model_copy(update=overrides)
    answerer = Answerer.from_settings(settings)
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    added: list[float] = []
    before: list[float] = []
    first: list[float] = []
    try:
        for round_number in range(rounds + 1):
            for question in questions:
                started = time.perf_counter()
                answer = await answerer.answer(question)
                if answer.status == "error":
                    raise SystemExit(f"answer failed: {answer.error_cause}")
                if round_number == 0:
                    continue  # warm-up
                before.append(answer.timings["before_llm_ms"])
                first.append(answer.timings.get("first_token_ms", 0.0))
                if server is not None:
                    added.append((server.arrivals[-1] - started) * 1000)
    finally:
        await answerer.aclose()
        if server is not None:
            await server.stop()
    if added:
        report("answer() -> endpoint", added)
    report("retrieval + prompt", before)
    if server is None:
        report("server first token", first)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="a real OpenAI-compatible base URL (default: loopback fake)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("bot.rag").setLevel(logging.ERROR)  # cut-short answers are expected here
    asyncio.run(run(args.url, args.rounds))


if __name__ == "__main__":
    main()
