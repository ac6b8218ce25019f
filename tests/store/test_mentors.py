"""Hand-offs and mentor answers on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from bot.storage import outcome_of
from store.curated import CuratedLog
from store.db import Database
from store.export_dataset import export_dataset
from store.export_rows import ExportFilters
from store.handoffs import HandOffLog
from store.mentors import MentorLog
from store.models import QAPair
from store.records import AskContext
from store.review import ReviewLog
from tests.store.conftest import QALog, make_answer

DAY = 86_400.0
THREAD = 555
SALT = b"s" * 32


async def _asked(qalog: QALog, user_id: int = 1001) -> str:
    question = await qalog.recorder.open("¿Cómo subo un dataset?", AskContext("slash", user_id))
    answer = make_answer(question="¿Cómo subo un dataset?", status="refused")
    qalog.recorder.finished(question, outcome_of(answer, "delivered"))
    await qalog.recorder.flush()
    return question.key


async def _pair(db: Database, pair_id: int) -> QAPair:
    async with db.sessions() as session:
        found = await session.scalar(select(QAPair).where(QAPair.id == pair_id))
    assert found is not None
    return found


async def test_one_hand_off_per_question_and_a_per_user_limit(qalog: QALog) -> None:
    handoffs = HandOffLog(qalog.db)
    first, second, third = [await _asked(qalog) for _ in range(3)]
    assert await handoffs.open(first, 1001, 1, limit=2, window=DAY) == "opened"
    assert await handoffs.open(second, 1001, 1, limit=2, window=DAY) == "opened"
    assert await handoffs.open(second, 1001, 1, limit=2, window=DAY) == "already"
    assert await handoffs.open(third, 1001, 1, limit=2, window=DAY) == "limited"
    assert await handoffs.open(await _asked(qalog, 2002), 2002, 1, limit=2, window=DAY) == "opened"


async def test_a_failed_call_releases_the_reservation(qalog: QALog) -> None:
    handoffs = HandOffLog(qalog.db)
    key = await _asked(qalog)
    await handoffs.open(key, 1001, 1, limit=1, window=DAY)
    await handoffs.placed(key, None)
    assert await handoffs.open(key, 1001, 1, limit=1, window=DAY) == "opened"


async def _mentor_pairs(db: Database) -> list[tuple[str, str]]:
    """Return (answer, review state) of every mentor pair, oldest first."""
    query = select(QAPair.answer, QAPair.review_state).where(QAPair.provenance == "mentor")
    async with db.sessions() as session:
        return [(a, r) for a, r in (await session.execute(query.order_by(QAPair.id))).all()]


async def test_consecutive_mentor_messages_and_edits_form_one_approved_mentor_pair(
    qalog: QALog,
) -> None:
    handoffs = HandOffLog(qalog.db)
    mentors = MentorLog(qalog.db)
    key = await _asked(qalog)
    await handoffs.open(key, 1001, 1, limit=3, window=DAY)
    await handoffs.placed(key, THREAD)
    assert await handoffs.handed_off(THREAD) and not await handoffs.handed_off(THREAD + 1)
    first = await mentors.mentor_said(THREAD, 42, 10, "Usa push_to_hub.")
    second = await mentors.mentor_said(THREAD, 42, 12, "Y pon una tarjeta.")
    assert first is not None and second is not None and first.pair_id == second.pair_id
    edited = await mentors.mentor_edited(THREAD, 10, "Usa `push_to_hub()`.")
    assert edited is not None
    pair = await _pair(qalog.db, edited.pair_id)
    assert pair.answer == "Usa `push_to_hub()`.\n\nY pon una tarjeta."
    assert (pair.provenance, pair.review_state, pair.question, pair.user_id) == (
        "mentor",
        "approved",
        "¿Cómo subo un dataset?",
        1001,
    )
    await mentors.participant_said(THREAD, 1001, 11, "¡Gracias!")
    assert await mentors.mentor_edited(THREAD, 10, "otra vez") is None  # the asker spoke since
    assert (await _pair(qalog.db, edited.pair_id)).answer == pair.answer
    stats = await handoffs.stats()
    assert (stats.opened, stats.answered, stats.open) == (1, 1, 0)
    assert stats.median_reply_seconds is not None and stats.median_reply_seconds >= 0


async def test_later_mentor_answers_are_kept_for_review_not_curated(qalog: QALog) -> None:
    handoffs = HandOffLog(qalog.db)
    mentors = MentorLog(qalog.db)
    curation = CuratedLog(qalog.db)
    key = await _asked(qalog)
    await handoffs.open(key, 1001, 1, limit=3, window=DAY)
    await handoffs.placed(key, THREAD)
    assert await mentors.mentor_said(THREAD, 42, 10, "Usa push_to_hub.") is not None
    # A second mentor, in two messages with an edit: one pending pair, never curated.
    assert await mentors.mentor_said(THREAD, 43, 11, "También vale la web") is None
    assert await mentors.mentor_said(THREAD, 43, 13, "(arrastrando el fichero).") is None
    assert await mentors.mentor_edited(THREAD, 11, "También vale la web del Hub") is None
    await mentors.participant_said(THREAD, 1001, 12, "¿Y si es privado?")
    # The first mentor after the asker spoke: another answer, also left to the moderators.
    assert await mentors.mentor_said(THREAD, 42, 14, "¿Te funcionó?") is None
    assert await _mentor_pairs(qalog.db) == [
        ("Usa push_to_hub.", "approved"),
        ("También vale la web del Hub\n\n(arrastrando el fichero).", "pending"),
        ("¿Te funcionó?", "pending"),
    ]
    assert [c.answer for c in await curation.curated()] == ["Usa push_to_hub."]
    queue, after = [], 0  # what a moderator reviewing pending pairs is shown
    while (pending := await ReviewLog(qalog.db).next_pending(after)) is not None:
        queue.append((pending.provenance, pending.answer))
        after = pending.id
    assert queue[1:] == [
        ("mentor", "También vale la web del Hub\n\n(arrastrando el fichero)."),
        ("mentor", "¿Te funcionó?"),
    ]
    stats = await handoffs.stats()
    assert (stats.opened, stats.answered, stats.open) == (1, 1, 0)
    assert (await qalog.delete_user_data(43)).pair_ids != ()
    assert [a for a, _ in await _mentor_pairs(qalog.db)] == ["Usa push_to_hub.", "¿Te funcionó?"]


async def test_curated_pairs_are_approved_edited_mentor_and_moderator_ones(qalog: QALog) -> None:
    curation = CuratedLog(qalog.db)
    approved = await qalog.record(make_answer(question="¿Qué es Argilla?"), AskContext("cli"))
    edited = await qalog.record(make_answer(question="¿Qué es RAG?"), AskContext("cli"))
    pending = await qalog.record(make_answer(question="¿Pendiente?"), AskContext("cli"))
    assert approved and edited and pending
    await qalog.review(approved, "approved", 9)
    await qalog.review(edited, "edited", 9, "RAG combina búsqueda y generación.")
    written = await curation.add_moderator_pair("¿Hay premios?", "Sí, tres.", 9)
    curated = {c.pair_id: (c.answer, c.provenance) for c in await curation.curated()}
    assert curated == {
        approved: ("Argilla es una herramienta de anotación.", "bot"),
        edited: ("RAG combina búsqueda y generación.", "edited"),
        written.pair_id: ("Sí, tres.", "moderator"),
    }
    assert [c.pair_id for c in await curation.curated(pending)] == []
    assert await curation.withdraw(written.pair_id, 9) and await curation.withdraw(approved, 9)
    assert [c.pair_id for c in await curation.curated()] == [edited]
    assert not await curation.withdraw(written.pair_id, 9)  # a moderator's pair is deleted


async def test_a_mentor_deleting_their_data_removes_the_answers_they_wrote(qalog: QALog) -> None:
    handoffs = HandOffLog(qalog.db)
    mentors = MentorLog(qalog.db)
    curation = CuratedLog(qalog.db)
    key = await _asked(qalog)
    await handoffs.open(key, 1001, 1, limit=3, window=DAY)
    await handoffs.placed(key, THREAD)
    written = await mentors.mentor_said(THREAD, 42, 10, "Usa push_to_hub.")
    assert written is not None
    assert (await qalog.delete_user_data(42)).pair_ids == (written.pair_id,)
    assert [c.pair_id for c in await curation.curated()] == []
    stats = await handoffs.stats()
    assert (stats.opened, stats.answered, stats.open) == (1, 0, 1)


async def test_an_asker_deleting_their_data_removes_their_hand_offs(qalog: QALog) -> None:
    handoffs = HandOffLog(qalog.db)
    key = await _asked(qalog)
    await handoffs.open(key, 1001, 1, limit=3, window=DAY)
    await handoffs.placed(key, THREAD)
    assert (await qalog.delete_user_data(1001)).rows > 0  # their question and hand-off
    assert not await handoffs.handed_off(THREAD)


def _messages(folder: Path) -> str:
    return (folder / "data" / "messages.jsonl").read_text()


async def test_exports_carry_the_provenance_filter_on_it_and_the_card_counts_it(
    qalog: QALog, tmp_path: Path
) -> None:
    handoffs = HandOffLog(qalog.db)
    mentors = MentorLog(qalog.db)
    curation = CuratedLog(qalog.db)
    bot_pair = await qalog.record(make_answer(question="¿Qué es Argilla?"), AskContext("cli"))
    edited = await qalog.record(make_answer(question="¿Qué es RAG?"), AskContext("cli"))
    assert bot_pair and edited
    await qalog.review(edited, "edited", 9, "RAG combina búsqueda y generación.")
    await curation.add_moderator_pair("¿Hay premios?", "Sí, tres.", 9)
    key = await _asked(qalog)
    await handoffs.open(key, 1001, 1, limit=3, window=DAY)
    await handoffs.placed(key, THREAD)
    await mentors.mentor_said(THREAD, 42, 10, "Usa push_to_hub.")

    everything = tmp_path / "all"
    await export_dataset(qalog.db, everything, ExportFilters(), salt=SALT, fmt="jsonl")
    rows = [json.loads(line) for line in _messages(everything).splitlines()]
    assert sorted(r["provenance"] for r in rows) == ["bot", "bot", "edited", "mentor", "moderator"]
    card = (everything / "README.md").read_text()
    assert "Provenance: bot: 2" in card and "mentor: 1" in card

    only = ExportFilters(provenance="mentor")
    await export_dataset(qalog.db, tmp_path / "mentor", only, salt=SALT, fmt="jsonl")
    (mentor,) = [json.loads(line) for line in _messages(tmp_path / "mentor").splitlines()]
    assert mentor["messages"][1]["content"] == "Usa push_to_hub."
    assert mentor["provenance"] == "mentor"
    assert mentor["asker"] and not any("mentor" in name for name in mentor)  # no mentor id out
