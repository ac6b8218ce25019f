"""Prometheus metrics of one bot process, and the small functions that record its events."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from bot.rag.types import Answer

REGISTRY = CollectorRegistry(auto_describe=True)

QUESTIONS = Counter(
    "pide_ayuda_questions",
    "Questions answered, by surface (slash, mention, thread, cli) and outcome status.",
    ["surface", "status"],
    registry=REGISTRY,
)
ANSWER_SECONDS = Histogram(
    "pide_ayuda_answer_seconds",
    "Seconds from the start of an answer to each stage: retrieval, first_token, total.",
    ["stage"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120),
    registry=REGISTRY,
)
LLM_ERRORS = Counter(
    "pide_ayuda_llm_errors",
    "Chat LLM failures, by cause.",
    ["cause"],
    registry=REGISTRY,
)
ANSWERS_IN_FLIGHT = Gauge(
    "pide_ayuda_answers_in_flight",
    "Answers holding a slot right now.",
    registry=REGISTRY,
)
SPOOL_PENDING = Gauge(
    "pide_ayuda_spool_pending",
    "Pairs waiting in the spool file for the database.",
    registry=REGISTRY,
)
HELD_IN_MEMORY = Gauge(
    "pide_ayuda_pairs_held_in_memory",
    "Writes neither the database nor the spool file could take (e.g. a full disk), held in memory.",
    registry=REGISTRY,
)
GATEWAY_LATENCY = Gauge(
    "pide_ayuda_gateway_latency_seconds",
    "Discord gateway heartbeat latency, per shard.",
    ["shard"],
    registry=REGISTRY,
)

# Timing keys of `Answer.timings` (milliseconds) for each histogram stage.
STAGE_TIMINGS = {"retrieval": "retrieval_ms", "first_token": "first_token_ms", "total": "total_ms"}
FAILED_STATUSES = ("error", "partial", "fallback")


class LlmHealth:
    """When the chat LLM last produced an answer (monotonic and wall-clock seconds)."""

    last_success: float | None = None


def record_answer(surface: str, answer: Answer) -> None:
    """Count one finished question and observe its stage timings and any LLM failure."""
    QUESTIONS.labels(surface=surface, status=answer.status).inc()
    for stage, key in STAGE_TIMINGS.items():
        milliseconds = answer.timings.get(key)
        if milliseconds is not None:
            ANSWER_SECONDS.labels(stage=stage).observe(milliseconds / 1000)
    reached_llm = "before_llm_ms" in answer.timings
    if not reached_llm:
        return
    if answer.status in FAILED_STATUSES and answer.error_cause:
        LLM_ERRORS.labels(cause=answer.error_kind or "other").inc()
    elif "llm_ms" in answer.timings:
        LlmHealth.last_success = time.time()


def set_spool_pending(count: int) -> None:
    """Publish the number of pairs waiting in the spool."""
    SPOOL_PENDING.set(count)


def set_held_in_memory(count: int) -> None:
    """Publish the number of writes held in memory until the disk takes them."""
    HELD_IN_MEMORY.set(count)


def set_gateway_latency(latencies: list[tuple[int, float]]) -> None:
    """Publish each shard's heartbeat latency (a shard without a measure yet is skipped)."""
    for shard_id, seconds in latencies:
        if seconds == seconds and seconds != float("inf"):  # not NaN, not infinite
            GATEWAY_LATENCY.labels(shard=str(shard_id)).set(seconds)
