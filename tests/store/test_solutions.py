"""Accepted answers of help-forum posts on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from store.export_dataset import export_dataset
from store.export_rows import ExportFilters
from store.mentors import MentorLog
from store.models import QAPair, utcnow
from store.solutions import AcceptedAnswer, ForumPost, ForumSolution, SolutionLog
from tests.store.conftest import QALog

SALT = b"s" * 32
ASKER, MENTOR, MEMBER = 1001, 2002, 3003


def _post(thread_id: int = 700, asker: int = ASKER) -> ForumPost:
    posted = utcnow() - timedelta(minutes=10)
    return ForumPost(thread_id, 600, 1, asker, "Subir un dataset", "¿Cómo lo subo al Hub?", posted)


def _answer(who: int, provenance: str, messages: dict[int, str]) -> AcceptedAnswer:
    return AcceptedAnswer(who, provenance, messages, ASKER)  # type: ignore[arg-type]


async def _pairs(qalog: QALog) -> list[tuple[str, ...]]:
    query = select(QAPair.question, QAPair.answer, QAPair.provenance, QAPair.review_state)
    async with qalog.db.sessions() as session:
        return [tuple(row) for row in (await session.execute(query.order_by(QAPair.id))).all()]


async def test_a_mentor_answer_is_saved_approved_and_curated_joined_in_order(
    qalog: QALog,
) -> None:
    solutions = SolutionLog(qalog.db)
    result = await solutions.accept(
        _post(), _answer(MENTOR, "mentor", {12: "y luego push_to_hub.", 11: "Usa datasets"})
    )
    assert result.outcome == "saved" and result.curated is not None
    question = "Subir un dataset\n\n¿Cómo lo subo al Hub?"
    assert await _pairs(qalog) == [
        (question, "Usa datasets\n\ny luego push_to_hub.", "mentor", "approved")
    ]
    assert [p.pair_id for p in await MentorLog(qalog.db).curated()] == [result.pair_id]


async def test_a_community_answer_waits_for_review_and_review_accepts_it(qalog: QALog) -> None:
    result = await SolutionLog(qalog.db).accept(_post(), _answer(MEMBER, "community", {5: "Sí"}))
    assert result.outcome == "saved" and result.curated is None
    pending = await qalog.next_pending()
    assert pending is not None and pending.provenance == "community"
    assert result.pair_id is not None
    await qalog.review(result.pair_id, "approved", 9)
    assert [p.provenance for p in await MentorLog(qalog.db).curated()] == ["community"]


async def test_accepting_another_answer_replaces_the_first(qalog: QALog) -> None:
    solutions = SolutionLog(qalog.db)
    first = await solutions.accept(_post(), _answer(MEMBER, "community", {5: "Quizá así"}))
    second = await solutions.accept(_post(), _answer(MENTOR, "mentor", {9: "Así seguro"}))
    assert second.replaced_pair_id == first.pair_id
    assert [(a, p) for _, a, p, _ in await _pairs(qalog)] == [("Así seguro", "mentor")]
    async with qalog.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ForumSolution)) == 1


async def test_edits_of_the_accepted_messages_are_followed(qalog: QALog) -> None:
    solutions = SolutionLog(qalog.db)
    await solutions.accept(_post(), _answer(MENTOR, "mentor", {11: "Usa datasets", 12: "y ya"}))
    edited = await solutions.edited(700, 12, "y push_to_hub.")
    assert edited is not None and edited.curated is not None
    assert edited.curated.answer == "Usa datasets\n\ny push_to_hub."
    assert await solutions.edited(700, 99, "otro mensaje") is None
    assert [a for _, a, _, _ in await _pairs(qalog)] == ["Usa datasets\n\ny push_to_hub."]


async def test_opted_out_answerers_and_askers_are_never_stored(qalog: QALog) -> None:
    solutions = SolutionLog(qalog.db)
    await qalog.set_opt_out(MEMBER, True)
    refused = await solutions.accept(_post(), _answer(MEMBER, "community", {5: "Mi texto"}))
    assert refused.outcome == "opted_out"
    await qalog.set_opt_out(ASKER, True)
    asker_out = await solutions.accept(_post(), _answer(MENTOR, "mentor", {6: "Otro texto"}))
    assert asker_out.outcome == "opted_out"
    assert await _pairs(qalog) == []


async def test_deletion_by_the_answerer_or_the_asker_removes_everything(qalog: QALog) -> None:
    solutions = SolutionLog(qalog.db)
    await solutions.accept(_post(700), _answer(MEMBER, "community", {5: "Respuesta A"}))
    await solutions.accept(_post(701), _answer(MENTOR, "mentor", {6: "Respuesta B"}))
    assert len((await qalog.delete_user_data(MEMBER)).pair_ids) == 1
    assert [a for _, a, _, _ in await _pairs(qalog)] == ["Respuesta B"]
    await qalog.delete_user_data(ASKER)  # the asker's pairs go, and their records with them
    assert await _pairs(qalog) == []
    assert (await solutions.stats()).solved == 0


async def test_stats_and_export_carry_the_provenance(qalog: QALog, tmp_path: Path) -> None:
    solutions = SolutionLog(qalog.db)
    await solutions.accept(_post(700), _answer(MEMBER, "community", {5: "Respuesta A"}))
    await solutions.accept(_post(701), _answer(MENTOR, "mentor", {6: "Respuesta B"}))
    stats = await solutions.stats()
    assert stats.solved == 2 and stats.by_provenance == {"community": 1, "mentor": 1}
    assert stats.median_seconds is not None and stats.median_seconds > 0

    only = ExportFilters(provenance="community")
    await export_dataset(qalog.db, tmp_path / "c", only, salt=SALT, fmt="jsonl")
    messages = (tmp_path / "c" / "data" / "messages.jsonl").read_text()
    (row,) = [json.loads(line) for line in messages.splitlines()]
    assert row["provenance"] == "community"
    assert row["messages"][1]["content"] == "Respuesta A"
    assert str(MEMBER) not in json.dumps(row) and str(ASKER) not in json.dumps(row)
