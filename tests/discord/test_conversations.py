"""Conversations in the store, through the real bot on the fake Discord.

A follow-up's history is read from the rows (the asker's questions and the answers given to them,
by the bot and by mentors), never from the messages the bot rendered; each row keeps the ids of
the messages that show its answer; what the asker says after a mentor's reply is the question of
the mentor's next answer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot import strings
from tests.discord.conftest import QUESTION, StartBot, ask, rows, unfinished_rows
from tests.fakes.discord_server import FakeDiscord
from tests.waiting import eventually

FOLLOW_UP = "¿Y quién lo explicó?"
MENTOR_FIRST = "Mira la charla de Elena, lo cuenta con ejemplos."
ASKER_AGAIN = "¿Hay código de ejemplo para eso?"
MENTOR_SECOND = "Sí: el cuaderno del taller de Argilla."
LAST = "¿Y cómo lo pruebo en local?"
MENTOR_PAIRS = (
    "SELECT question, answer, review_state, message_id, answers_key FROM qa_pairs "
    "WHERE provenance = 'mentor' ORDER BY id"
)


def _final_in(fake: FakeDiscord, channel_id: str) -> list[dict[str, Any]]:
    """Messages in a channel the bot finished (they carry the vote buttons)."""
    return [m for m in fake.messages_in(channel_id) if m["components"]]


def _history_of_last_prompt(llm: Any) -> str:
    prompt = str(llm.requests[-1]["messages"][-1]["content"])
    return prompt.split("</historial>", 1)[0]


async def test_history_comes_from_the_store_not_from_the_rendered_messages(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir: Path
) -> None:
    fake = fake_discord
    async with start_bot() as run:
        asked = await fake.post_message(f"<@{fake.app_id}> {QUESTION}", mention_bot=True)
        thread_id = asked["id"]
        await fake.wait_until(lambda: bool(_final_in(fake, thread_id)))
        await eventually(lambda: not unfinished_rows(sample_data_dir))
        (shown,) = _final_in(fake, thread_id)
        # What Discord shows changes (a notice, another text): the history does not follow it.
        shown["content"] = f"{strings.CANCELLED}\n\nTexto que el bot nunca dio."
        run.llm.reply = "Lo explicó Elena González-Blanco [1]."
        await fake.post_message(FOLLOW_UP, channel_id=thread_id)
        await fake.wait_until(lambda: len(_final_in(fake, thread_id)) == 2)
    history = _history_of_last_prompt(run.llm)
    assert QUESTION in history and "compara significados con vectores" in history
    assert "nunca dio" not in history and strings.CANCELLED not in history
    assert strings.SOURCES_HEADER not in history, "the sources footer reached the model"


async def test_each_row_keeps_the_asker_message_and_every_message_of_its_answer(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir: Path
) -> None:
    fake = fake_discord
    long_reply = " ".join(
        f"En el punto {n}, la búsqueda semántica compara {n * 7} vectores de significado [1]."
        for n in range(1, 61)
    )
    async with start_bot() as run:
        run.llm.reply = long_reply
        asked = await fake.post_message(f"<@{fake.app_id}> {QUESTION}", mention_bot=True)
        thread_id = asked["id"]
        await fake.wait_until(lambda: bool(_final_in(fake, thread_id)))
        await eventually(lambda: not unfinished_rows(sample_data_dir))
    shown = [m["id"] for m in fake.messages_in(thread_id) if m["author"]["id"] == fake.app_id]
    assert len(shown) >= 2, "the answer was expected in several messages"
    ((reply_ids, message_id, stored_thread),) = rows(
        sample_data_dir, "SELECT reply_message_ids, message_id, thread_id FROM qa_pairs"
    )
    assert [str(i) for i in json.loads(reply_ids)] == shown
    assert (str(message_id), str(stored_thread)) == (asked["id"], thread_id)


async def test_mentor_answers_pair_with_what_the_asker_said_and_join_the_history(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir: Path
) -> None:
    fake = fake_discord
    role = fake.mentor_role_id
    async with start_bot(MENTOR_ROLE_ID=role) as run:
        answer = fake.originals[await ask(fake, user_id=1001)]
        human = next(c["custom_id"] for r in answer["components"] for c in r["components"][2:])
        await fake.click(human, answer, user_id=1001)
        await fake.wait_until(lambda: bool(fake.threads()))
        thread_id = fake.threads()[0]["id"]
        await fake.wait_for("POST", rf"^/channels/{thread_id}/messages$")  # the mentors' call
        await fake.post_message(MENTOR_FIRST, user_id=4004, channel_id=thread_id, roles=[role])
        again = await fake.post_message(ASKER_AGAIN, user_id=1001, channel_id=thread_id)
        await fake.post_message("Yo también", user_id=3003, channel_id=thread_id)  # not the asker
        await fake.post_message(MENTOR_SECOND, user_id=4004, channel_id=thread_id, roles=[role])
        await eventually(lambda: len(rows(sample_data_dir, MENTOR_PAIRS)) == 2)

        run.llm.reply = "Con el servidor local de ejemplo [1]."
        await fake.post_message(
            f"<@{fake.app_id}> {LAST}", user_id=1001, channel_id=thread_id, mention_bot=True
        )
        await fake.wait_until(lambda: bool(_final_in(fake, thread_id)))
    ((key,),) = rows(sample_data_dir, "SELECT key FROM qa_pairs WHERE surface = 'slash'")
    assert rows(sample_data_dir, MENTOR_PAIRS) == [
        (QUESTION, MENTOR_FIRST, "approved", None, key),
        (ASKER_AGAIN, MENTOR_SECOND, "pending", int(again["id"]), None),
    ]
    history = _history_of_last_prompt(run.llm)
    said = [QUESTION, "compara significados", MENTOR_FIRST, ASKER_AGAIN, MENTOR_SECOND]
    positions = [history.find(text) for text in said]
    assert -1 not in positions and positions == sorted(positions), history
    assert "Yo también" not in history
