"""Forgetting through the real `pide-ayuda run` process and the fake Discord.

A participant's question is handed to the mentors; a mentor answers; a second participant gets
that curated answer, whose source names the first question; a mentor who opted out replies too.
After the first participant's `/borrar-mis-datos`, their question is in no table, no export and
no curated answer, and the opted-out mentor was never recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot import strings
from tests.discord.conftest import finished, rows
from tests.discord.process import bot_process, pide_ayuda
from tests.fakes.chat_server import FakeChatServer
from tests.fakes.discord_server import FakeDiscord
from tests.store.text_scan import text_columns_holding
from tests.waiting import eventually

MARKER = "quetzal9"
OFFLINE = {"HF_DATASETS_OFFLINE": "1"}  # the CLI commands' environment
QUESTION = f"¿Cómo subo mi dataset {MARKER} al Hub de Hugging Face para el hackatón?"
PARAPHRASE = "¿Cómo puedo subir mi conjunto de datos al Hub de Hugging Face?"
MENTOR_REPLY = "Con `push_to_hub('somosnlp/tu-dataset')` desde el cuaderno."
OPTED_OUT_REPLY = "Yo lo subiría arrastrando los ficheros en la web."
SECOND_ASKER_SOURCES = (
    "SELECT s.talk_id FROM pair_sources s JOIN qa_pairs q ON q.id = s.pair_id "
    "WHERE q.user_id = 1002"
)


async def _callback(fake: FakeDiscord, interaction_id: str) -> dict[str, Any]:
    await fake.wait_until(lambda: interaction_id in fake.callbacks, within=60)
    return fake.callbacks[interaction_id][1]


async def _hand_off_and_reuse(fake: FakeDiscord, data_dir: Path, log: Any) -> None:
    """Ask, let a mentor (and an opted-out mentor) answer, and let a second asker reuse it."""
    role = fake.mentor_role_id
    out, _ = await fake.slash("privacidad", {"registro": "no"}, user_id=5005)
    assert (await _callback(fake, out))["data"]["content"] == strings.PRIVACY_OPTED_OUT
    _, token = await fake.slash("pregunta", {"texto": QUESTION}, user_id=1001)
    await fake.wait_until(lambda: finished(fake, token), within=60)
    answer_id = fake.originals[token]["id"]
    await fake.wait_for("POST", rf"/channels/\d+/messages/{answer_id}/threads")
    thread_id = fake.threads()[0]["id"]
    await fake.wait_for("POST", rf"/channels/{thread_id}/messages")  # the mentors were called
    await fake.post_message(MENTOR_REPLY, user_id=4004, channel_id=thread_id, roles=[role])
    await fake.post_message(OPTED_OUT_REPLY, user_id=5005, channel_id=thread_id, roles=[role])
    await eventually(lambda: log().count("indexed curated pair") >= 1)
    _, second = await fake.slash("pregunta", {"texto": PARAPHRASE}, user_id=1002)
    await fake.wait_until(lambda: finished(fake, second), within=60)
    await eventually(lambda: rows(data_dir, SECOND_ASKER_SOURCES) == [("faq",)])


async def test_delete_my_data_forgets_the_question_everywhere(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, sample_data_dir: Path, tmp_path: Path
) -> None:
    fake = fake_discord
    env = {"MENTOR_ROLE_ID": fake.mentor_role_id, "RETRIEVAL_MIN_SCORE": "1.5"}
    database = sample_data_dir / "pide-ayuda.sqlite3"
    async with bot_process(fake, tmp_path, **env) as bot:
        await _hand_off_and_reuse(fake, sample_data_dir, bot.log)
        assert text_columns_holding(database, OPTED_OUT_REPLY) == []  # an opted-out mentor
        assert "pair_sources.title" in text_columns_holding(database, MARKER)

        asked, token = await fake.slash("borrar-mis-datos", user_id=1001)
        await _callback(fake, asked)
        confirm = fake.originals[token]
        (button,) = confirm["components"][0]["components"]
        clicked, _ = await fake.click(button["custom_id"], confirm, user_id=1001)
        done = await _callback(fake, clicked)
        assert done["data"]["content"].startswith(strings.DELETE_DONE.split("{")[0])
    assert "Traceback" not in bot.log()

    assert text_columns_holding(database, MARKER) == []
    assert text_columns_holding(database, OPTED_OUT_REPLY[:20]) == []  # never recorded
    assert rows(sample_data_dir, "SELECT count(*) FROM qa_pairs WHERE user_id = 1002") == [(1,)]
    folder = tmp_path / "export"
    code, out = await pide_ayuda("export", "--out", str(folder), "--format", "jsonl", **OFFLINE)
    assert code == 0, out
    exported = [p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file()]
    assert exported and not any(MARKER in text for text in exported)
    code, out = await pide_ayuda("ask", "--json", PARAPHRASE, **OFFLINE)
    assert code == 0, out
    assert MARKER not in out  # the curated answer left the collection with the question
