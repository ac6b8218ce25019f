"""Accepted answers of help-forum posts on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.storage import outcome_of
from store.curated import CuratedLog
from store.export_dataset import export_dataset
from store.export_rows import ExportFilters
from store.handoffs import HandOffLog
from store.mentors import MentorLog
from store.models import QAPair, utcnow
from store.records import AskContext
from store.solution_records import ForumSolution
from store.solutions import AcceptedAnswer, ForumPost, SolutionLog
from tests.store.conftest import QALog, make_answer

SALT = b"s" * 32
ASKER, MENTOR, MEMBER, BOT = 1001, 2002, 3003, 9009
QUESTION = "Subir un dataset\n\n¿Cómo lo subo al Hub?"
BOT_TEXT = "Con `push_to_hub` de la librería datasets."


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
    assert [p.pair_id for p in await CuratedLog(qalog.db).curated()] == [result.pair_id]


async def test_a_community_answer_waits_for_review_and_review_accepts_it(qalog: QALog) -> None:
    result = await SolutionLog(qalog.db).accept(_post(), _answer(MEMBER, "community", {5: "Sí"}))
    assert result.outcome == "saved" and result.curated is None
    pending = await qalog.next_pending()
    assert pending is not None and pending.provenance == "community"
    assert result.pair_id is not None
    await qalog.review(result.pair_id, "approved", 9)
    assert [p.provenance for p in await CuratedLog(qalog.db).curated()] == ["community"]


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


async def _bot_answered(
    qalog: QALog, asker: int = ASKER, question: str = QUESTION, shown: tuple[int, ...] = (50, 51)
) -> tuple[str, int]:
    """Log the bot's answer in post 700, shown in messages `shown`; return its key and pair id."""
    context = AskContext("forum", asker, 1, 600, 700, 700 if asker == ASKER else 40)
    asked = await qalog.recorder.open(question, context)
    answer = make_answer(question=question, text=BOT_TEXT)
    qalog.recorder.finished(asked, outcome_of(answer, "delivered", shown))
    await qalog.recorder.flush()
    pair_id = await qalog.pair_id(asked.key)
    assert pair_id is not None
    return asked.key, pair_id


async def _exported(qalog: QALog, out: Path) -> list[tuple[str, str]]:
    """Export every pair as jsonl; return each row's (question, answer)."""
    await export_dataset(qalog.db, out, ExportFilters(), salt=SALT, fmt="jsonl")
    lines = (out / "data" / "messages.jsonl").read_text().splitlines()
    rows = [[m["content"] for m in json.loads(line)["messages"]] for line in lines]
    return [(row[-2], row[-1]) for row in rows]


async def test_accepting_the_bot_answer_marks_its_pair_and_changing_it_gives_it_back(
    qalog: QALog, tmp_path: Path
) -> None:
    solutions = SolutionLog(qalog.db)
    _, bot_pair = await _bot_answered(qalog)
    accepted = await solutions.accept(_post(), _answer(BOT, "bot", {51: BOT_TEXT}))
    assert accepted.pair_id == bot_pair and accepted.curated is not None
    assert await _pairs(qalog) == [(QUESTION, BOT_TEXT, "bot", "approved")]
    assert await _exported(qalog, tmp_path / "bot") == [(QUESTION, BOT_TEXT)]
    assert await solutions.edited(700, 51, "otro texto") is None  # the bot's text stays its own

    community = await solutions.accept(_post(), _answer(MEMBER, "community", {70: "Así"}))
    assert community.replaced_pair_id == bot_pair
    bot_back = (QUESTION, BOT_TEXT, "bot", "pending")
    assert await _pairs(qalog) == [bot_back, (QUESTION, "Así", "community", "pending")]
    again = await solutions.accept(_post(), _answer(BOT, "bot", {50: BOT_TEXT}))
    assert (again.pair_id, again.replaced_pair_id) == (bot_pair, community.pair_id)
    assert await _pairs(qalog) == [(QUESTION, BOT_TEXT, "bot", "approved")]
    await solutions.accept(_post(), _answer(MEMBER, "community", {70: "Así"}))
    assert (await _pairs(qalog))[0] == bot_back
    exported = await _exported(qalog, tmp_path / "all")
    assert sorted(exported) == sorted(set(exported)) and len(exported) == 2


async def test_a_moderator_review_of_the_accepted_bot_pair_outlives_the_change(
    qalog: QALog,
) -> None:
    solutions = SolutionLog(qalog.db)
    _, bot_pair = await _bot_answered(qalog)
    await qalog.review(bot_pair, "approved", 9)  # reviewed before: acceptance changes nothing
    await solutions.accept(_post(), _answer(BOT, "bot", {51: BOT_TEXT}))
    await solutions.accept(_post(), _answer(MEMBER, "community", {70: "Así"}))
    assert (await _pairs(qalog))[0] == (QUESTION, BOT_TEXT, "bot", "approved")


async def _handed_off(qalog: QALog, *replies: tuple[int, int, str]) -> list[int]:
    """Hand the post's question to the mentors, who reply (mentor, message, text) in turn."""
    key, _ = await _bot_answered(qalog)
    handoffs = HandOffLog(qalog.db)
    mentors = MentorLog(qalog.db)
    assert await handoffs.open(key, ASKER, 1, limit=3, window=86_400.0) == "opened"
    await handoffs.placed(key, 700)
    pair_ids: list[int] = []
    for mentor, message_id, text in replies:
        await mentors.mentor_said(700, mentor, message_id, text)
        await mentors.participant_said(700, ASKER, message_id + 1, "")
        async with qalog.db.sessions() as session:
            mentor_pairs = select(QAPair.id).where(QAPair.provenance == "mentor")
            pair_ids = list((await session.scalars(mentor_pairs.order_by(QAPair.id))).all())
    return pair_ids


async def test_accepting_a_mentor_reply_of_a_hand_off_marks_its_pair(
    qalog: QALog, tmp_path: Path
) -> None:
    solutions = SolutionLog(qalog.db)
    first, second = await _handed_off(qalog, (MENTOR, 80, "Usa datasets."), (4004, 90, "O git."))
    run = {80: "Usa datasets."}
    accepted = await solutions.accept(_post(), _answer(MENTOR, "mentor", run))
    assert accepted.pair_id == first and accepted.curated is not None
    later = await solutions.accept(_post(), _answer(4004, "mentor", {90: "O git."}))
    assert (later.pair_id, later.replaced_pair_id) == (second, first)
    mentor_pairs = [(a, r) for _, a, p, r in await _pairs(qalog) if p == "mentor"]
    assert mentor_pairs == [("Usa datasets.", "approved"), ("O git.", "approved")]
    await solutions.accept(_post(), _answer(MENTOR, "mentor", run))
    mentor_pairs = [(a, r) for _, a, p, r in await _pairs(qalog) if p == "mentor"]
    assert mentor_pairs == [("Usa datasets.", "approved"), ("O git.", "pending")]
    exported = await _exported(qalog, tmp_path / "mentor")
    assert len(exported) == len(set(exported)) == 3  # the bot's answer and the two replies


async def test_deletion_keeps_the_bot_pair_answering_someone_else(qalog: QALog) -> None:
    solutions = SolutionLog(qalog.db)
    _, bot_pair = await _bot_answered(qalog, MEMBER, "¿Y en privado?")
    await solutions.accept(_post(), _answer(BOT, "bot", {51: BOT_TEXT}))
    forgotten = await qalog.delete_user_data(ASKER)  # the post's asker, who accepted it
    assert bot_pair not in forgotten.pair_ids
    assert await _pairs(qalog) == [("¿Y en privado?", BOT_TEXT, "bot", "pending")]
    assert (await solutions.stats()).solved == 0
    await solutions.accept(_post(), _answer(BOT, "bot", {51: BOT_TEXT}))
    assert bot_pair in (await qalog.delete_user_data(MEMBER)).pair_ids  # their question
    assert await _pairs(qalog) == [] and (await solutions.stats()).solved == 0


async def test_deletion_by_the_mentor_of_an_accepted_hand_off_reply_removes_it(
    qalog: QALog,
) -> None:
    solutions = SolutionLog(qalog.db)
    (mentor_pair,) = await _handed_off(qalog, (MENTOR, 80, "Usa datasets."))
    await solutions.accept(_post(), _answer(MENTOR, "mentor", {80: "Usa datasets."}))
    assert mentor_pair in (await qalog.delete_user_data(MENTOR)).pair_ids
    assert [p for _, _, p, _ in await _pairs(qalog)] == ["bot"]
    assert (await solutions.stats()).solved == 0
