"""The real bot on the fake Discord: a mentor's reply marked as the solution before its event.

In a help-forum post handed off to the mentors, a mentor replies; the bot handles the message's
event only after a moderator marked that reply "Marcar como solución" (the fake holds the event
back). The reply still makes one pair: the hand-off's `mentor` pair, approved, reused by the
solution record, the one curated answer; the export carries it once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from store.export_dataset import export_dataset
from store.export_rows import ExportFilters
from tests.discord.conftest import QUESTION, StartBot, rows
from tests.discord.forum import answered, bot_messages, mark
from tests.fakes.discord_server import FakeDiscord
from tests.waiting import eventually

TITLE = "Búsqueda semántica"
ASKER, MENTOR, MODERATOR = 1001, 4004, 9
REPLY = "Se guardan los embeddings en una base vectorial y se busca por similitud."
HUMAN_PAIRS = (
    "SELECT id, question, answer, provenance, review_state FROM qa_pairs WHERE mode = 'human'"
)
RECORDS = "SELECT pair_id, provenance, reused_review_state FROM forum_solutions"
CAPTURED = "SELECT COUNT(*) FROM mentor_answers WHERE pair_id IS NOT NULL"


def _hand_off_button(message: dict[str, Any]) -> str:
    ids = [c["custom_id"] for row in message["components"] for c in row["components"]]
    return str(next(i for i in ids if i.startswith("pa:human:")))


async def test_a_reply_marked_before_its_event_is_one_mentor_pair(
    start_bot: StartBot, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake, role = fake_discord, fake_discord.mentor_role_id
    env = {"HELP_FORUM_CHANNEL_IDS": fake.forum_id, "MENTOR_ROLE_ID": role}
    async with start_bot(**env) as running:
        data_dir = running.services.settings.data_dir
        post, _ = await fake.create_post(TITLE, QUESTION, user_id=ASKER)
        await fake.wait_until(lambda: answered(fake, post["id"], 1), within=60)
        answer = bot_messages(fake, post["id"])[1]
        await fake.click(_hand_off_button(answer), answer, user_id=ASKER, channel_id=post["id"])
        placed = f"SELECT COUNT(*) FROM handoffs WHERE thread_id = {post['id']}"
        await eventually(lambda: rows(data_dir, placed) == [(1,)])

        reply = await fake.post_message(
            REPLY, user_id=MENTOR, channel_id=post["id"], roles=[role], deliver=False
        )
        assert "Resuelto" in await mark(fake, reply, MODERATOR, moderator=True)
        ((own, *_),) = rows(data_dir, HUMAN_PAIRS)  # the solution's own pair, for now
        await fake.deliver(reply, roles=[role])  # the event the bot handles late
        await eventually(lambda: rows(data_dir, CAPTURED) == [(1,)])

        question = f"{TITLE}\n\n{QUESTION}"
        assert rows(data_dir, HUMAN_PAIRS) == [(own, question, REPLY, "mentor", "approved")]
        assert rows(data_dir, RECORDS) == [(own, "mentor", "approved")]
        curated = await running.services.answerer.curated_index()
        await eventually(lambda: own in curated.pair_ids())
        assert len(curated.pair_ids()) == 1

        only = ExportFilters(provenance="mentor")
        await export_dataset(
            running.services.db, tmp_path / "out", only, salt=b"s" * 32, fmt="jsonl"
        )
        exported = (tmp_path / "out" / "data" / "messages.jsonl").read_text().splitlines()
        assert len(exported) == 1
