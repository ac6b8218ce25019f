"""`pide-ayuda eval`: measure retrieval, the relevance gate and (optionally) LLM answers."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.cli import CliError
from bot.config import Settings, load_settings
from bot.rag.answer import Answerer
from bot.rag.answer_eval import evaluate_answers
from bot.rag.errors import RagError
from bot.rag.evaluation import evaluate_refusals, evaluate_retrieval, load_questions
from bot.rag.index import Index
from bot.rag.llm import ChatClient


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `eval` subcommand."""
    parser = subparsers.add_parser(
        "eval",
        help="measure retrieval, refusals and answers on question sets",
        description="Measure recall@1/@k, MRR and the right talk on in-scope questions (JSONL "
        "with question, author, evidence), the relevance gate on both sets, and with --answers "
        "the configured LLM: citations, refusals, fallbacks and latency. Prints Markdown.",
    )
    parser.add_argument("--questions", type=Path, required=True, help="in-scope JSONL file")
    parser.add_argument("--offtopic", type=Path, help="JSONL file of questions to refuse")
    parser.add_argument("--answers", action="store_true", help="also answer through the LLM")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    parser.add_argument("-k", type=int, default=None, help="passages per question (default 5)")
    parser.set_defaults(handler=run_eval)


def run_eval(args: argparse.Namespace) -> int:
    """Run the evaluation and print the report."""
    if args.k is not None and not 1 <= args.k <= 20:
        raise CliError("-k must be between 1 and 20")
    settings = load_settings()
    if args.answers and not settings.llm_base_url:
        raise CliError("--answers needs an LLM: set LLM_BASE_URL (and LLM_MODEL)")
    try:
        inside = load_questions(args.questions)
        outside = load_questions(args.offtopic) if args.offtopic else []
        report = asyncio.run(_evaluate(settings, args, inside, outside))
    except RagError as error:
        raise CliError(str(error)) from error
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else markdown(report))
    return 0


async def _evaluate(
    settings: Settings, args: argparse.Namespace, inside: list[Any], outside: list[Any]
) -> dict[str, Any]:
    k = args.k or settings.retrieval_k
    index = await asyncio.to_thread(Index.open, settings)
    try:
        report: dict[str, Any] = {
            "command": "pide-ayuda eval " + _describe(args),
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "k": k,
            "operating_point": operating_point(index),
            "in_scope": (await evaluate_retrieval(index, inside, k)).as_dict(),
        }
        if outside:
            report["off_topic"] = (await evaluate_refusals(index, outside, k)).as_dict()
        if args.answers:
            report["answers"] = await _answers(settings, index, inside, outside)
        return report
    finally:
        index.close()


async def _answers(
    settings: Settings, index: Index, inside: list[Any], outside: list[Any]
) -> dict[str, Any]:
    answerer = Answerer(settings, ChatClient(settings), index=index)
    try:
        model = (await answerer.chat.model_info()).name if answerer.chat else None
        found: dict[str, Any] = {"model": model}
        found["in_scope"] = (
            await evaluate_answers(answerer, index, [q.question for q in inside])
        ).as_dict()
        if outside:
            found["off_topic"] = (
                await evaluate_answers(answerer, index, [q.question for q in outside])
            ).as_dict()
        return found
    finally:
        await answerer.aclose()


def operating_point(index: Index) -> dict[str, Any]:
    """Describe the gate's operating point in force and whether it was fitted for this index."""
    point, fitted = index.operating_point, index.calibration
    return {
        "threshold": point.threshold,
        "coverage_weight": point.coverage_weight,
        "other_topic_weight": point.other_topic_weight,
        "other_topic_floor": point.other_topic_floor,
        "curated_threshold": index.curated_threshold,
        "fitted": fitted.describe() if fitted and not index.calibration_problem else None,
        "problem": index.calibration_problem,
    }


def cpu_model() -> str:
    """Return this machine's CPU model name (what `platform` knows where /proc/cpuinfo has none)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def machine() -> str:
    """Describe this machine: CPU model, cores, memory, Python."""
    cpu, memory = cpu_model(), ""
    with contextlib.suppress(OSError, ValueError):
        total_kb = int(Path("/proc/meminfo").read_text(encoding="utf-8").split()[1])
        memory = f", {total_kb / 1024 / 1024:.0f} GB RAM"
    return f"{cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}"


def _describe(args: argparse.Namespace) -> str:
    parts = [f"--questions {args.questions}"]
    if args.offtopic:
        parts.append(f"--offtopic {args.offtopic}")
    parts += ["--answers"] * args.answers + [f"-k {args.k}"] * (args.k is not None)
    return " ".join(parts)


def markdown(report: dict[str, Any]) -> str:
    """Render the report as Markdown: one table of figures, then the misses."""
    inside, k = report["in_scope"], report["k"]
    n = inside["questions"]
    rows = [
        ("recall@1", f"{inside['recall@1']}/{n}"),
        (f"recall@{k}", f"{inside['recall@k']}/{n}"),
        ("MRR", f"{inside['mrr']:.3f}"),
        ("right talk @1", f"{inside['right_talk@1']}/{n}"),
        ("mean passage length (characters)", str(inside["mean_passage_chars"])),
        ("in-scope answered by the gate", f"{inside['gate_answered']}/{n}"),
    ]
    if "off_topic" in report:
        off = report["off_topic"]
        rows.append(("off-topic refused by the gate", f"{off['refused']}/{off['questions']}"))
        rows.append(("of which not questions (small talk, orders, no words)", off["not_questions"]))
        if len(off["by_kind"]) > 1:
            rows += [
                (f"off-topic refused: {kind}", f"{tally['refused']}/{tally['questions']}")
                for kind, tally in sorted(off["by_kind"].items())
            ]
    lines = [
        "# pide-ayuda eval",
        "",
        f"`{report['command']}` — {report['date']} — {report['machine']}",
        "",
        "| figure | value |",
        "| --- | --- |",
        *(f"| {name} | {value} |" for name, value in rows),
    ]
    lines += _point_lines(report["operating_point"])
    lines += _answer_lines(report.get("answers"))
    lines += _list("Missed at k", inside["misses@k"])
    lines += _list("In-scope refused", inside["wrongly_refused"])
    lines += _list("Off-topic answered", report.get("off_topic", {}).get("wrongly_answered", []))
    return "\n".join(lines)


def _point_lines(point: dict[str, Any]) -> list[str]:
    lines = [
        "",
        f"Relevance gate: answer when cosine + {point['coverage_weight']} × coverage − "
        f"{point['other_topic_weight']} × max(0, other-topic − {point['other_topic_floor']}) "
        f"≥ {point['threshold']}",
    ]
    if point["fitted"]:
        return [*lines, f"(calibrated: {point['fitted']})"]
    return [*lines, f"(warning: {point['problem']})"]


def _answer_lines(answers: dict[str, Any] | None) -> list[str]:
    if not answers:
        return []
    lines = ["", f"## Answers (model {answers['model']})", ""]
    lines += ["| set | statuses | citing nothing | citations valid / supported | "]
    lines[-1] += "first token p50/p95 ms | total p50/p95 ms |"
    lines.append("| --- | --- | --- | --- | --- | --- |")
    for name in ("in_scope", "off_topic"):
        if name not in answers:
            continue
        a = answers[name]
        statuses = ", ".join(f"{s} {c}" for s, c in sorted(a["statuses"].items()))
        first, total = a["first_token_ms"], a["total_ms"]
        lines.append(
            f"| {name} ({a['answers']}) | {statuses} | {a['answered_citing_nothing']} | "
            f"{a['valid_citations']}/{a['citations']} valid, {a['supported_citations']} "
            f"supported | {first['p50']} / {first['p95']} | {total['p50']} / {total['p95']} |"
        )
        lines += _list(f"Unsupported citations ({name}, first few)", a["unsupported_examples"])
    return lines


def _list(title: str, items: list[str]) -> list[str]:
    return ["", f"**{title}** ({len(items)})", *(f"- {item}" for item in items)] if items else []
