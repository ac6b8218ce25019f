"""deploy/: the dashboard and alert rules use only metrics the bot exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client import generate_latest

from bot import metrics
from bot.rag.types import Answer

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
METRIC_NAME = re.compile(r"pide_ayuda_[a-z_]+")


def _exported() -> set[str]:
    """Names of every sample the registry exposes once each labelled metric has a child."""
    answer = Answer("q", "a", "llm", "error", error_cause="x failed: y", timings={"total_ms": 1.0})
    answer.error_kind = "server_error"
    answer.timings["before_llm_ms"] = 1.0
    metrics.record_answer("slash", answer)
    metrics.set_gateway_latency([(0, 0.1)])
    text = generate_latest(metrics.REGISTRY).decode()
    return {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line[:1] != "#"}


def test_the_dashboard_and_alerts_query_exported_metrics() -> None:
    exported = _exported()
    dashboard = json.loads((DEPLOY / "grafana-dashboard.json").read_text(encoding="utf-8"))
    queries = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    queries.append((DEPLOY / "pide-ayuda-alerts.yml").read_text(encoding="utf-8"))
    used = {name for query in queries for name in METRIC_NAME.findall(query)}
    assert used and used <= exported, used - exported
