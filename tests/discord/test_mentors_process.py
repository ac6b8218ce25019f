"""Mentors in the loop through the real `pide-ayuda run` process and the fake Discord.

A greeting gets a greeting and no mentor, nor does a request for code the talks do not teach
(refused as a task); a refused question is handed off in a thread opened
from the answer, pinging only the mentor role; a mentor's reply there becomes an approved
`mentor` pair (a non-mentor's does not), and a mentor's reply after the asker spoke again answers
the asker's words, not the first question; the bot stays quiet in that thread; a second participant
asking a paraphrase gets the mentor's answer, cited as an `faq` source, in Discord and in
`pide-ayuda ask --json`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot import strings
from tests.discord.conftest import finished, rows
from tests.discord.process import bot_process, pide_ayuda
from tests.fakes.chat_server import FakeChatServer
from tests.fakes.discord_server import FakeDiscord
from tests.waiting import eventually

QUESTION = "¿Cómo subo mi dataset al Hub de Hugging Face para el hackatón?"
PARAPHRASE = "¿Cómo puedo subir mi conjunto de datos al Hub de Hugging Face?"
MENTOR_REPLY = "Con `datasets`: `load_dataset(...)` y luego `push_to_hub('somosnlp/tu-dataset')`."
MENTOR_MORE = "Y añade una tarjeta del dataset con la licencia."
CODE_ELSEWHERE = "Escríbeme un script de bash que renombre las fotos de una carpeta"
NON_MENTOR_REPLY = "Yo también tengo esa duda, ¿alguien sabe?"
SECOND_ASKER_SOURCES = (
    "SELECT s.talk_id FROM pair_sources s JOIN qa_pairs q ON q.id = s.pair_id "
    "WHERE q.user_id = 1002"
)
MENTOR_PAIRS = (
    "SELECT question, answer, review_state FROM qa_pairs WHERE provenance = 'mentor' ORDER BY id"
)
SECOND_MENTOR_REPLY = "También puedes arrastrar los ficheros en la web del Hub."


def _bodies_with_content(fake: FakeDiscord) -> list[dict[str, Any]]:
    """Return every message body the bot sent or edited with text in it."""
    return [
        r.body
        for r in fake.requests
        if r.method in ("POST", "PATCH") and isinstance(r.body, dict) and r.body.get("content")
    ]


async def test_refusal_hands_off_and_a_mentor_reply_answers_the_next_asker(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, sample_data_dir: Path, tmp_path: Path
) -> None:
    fake = fake_discord
    role = fake.mentor_role_id
    # relevance = cosine + 0.15 * coverage <= 1.15: with 1.5 the gate refuses every question
    env = {"MENTOR_ROLE_ID": role, "RETRIEVAL_MIN_SCORE": "1.5"}
    async with bot_process(fake, tmp_path, **env) as bot:
        _, hello = await fake.slash("pregunta", {"texto": "hola"}, user_id=1003)
        await fake.wait_until(lambda: finished(fake, hello))
        assert fake.originals[hello]["content"].startswith(strings.GREETING_REPLY)
        # Code the talks do not teach: refused as a task, not handed to the mentors.
        _, request = await fake.slash("pregunta", {"texto": CODE_ELSEWHERE}, user_id=1003)
        await fake.wait_until(lambda: finished(fake, request))
        assert fake.originals[request]["content"].startswith(strings.TASK_REFUSED)
        _, token = await fake.slash("pregunta", {"texto": QUESTION}, user_id=1001)
        answer_id = await _until(
            fake, lambda: finished(fake, token) and fake.originals[token]["id"]
        )
        await fake.wait_for("POST", rf"/channels/\d+/messages/{answer_id}/threads")
        (thread,) = fake.threads()  # the question's hand-off only
        thread_id = thread["id"]
        (call,) = await fake.wait_for("POST", rf"/channels/{thread_id}/messages")
        assert f"<@&{role}>" in call.body["content"] and QUESTION in call.body["content"]
        assert call.body["allowed_mentions"] == {"parse": [], "roles": [int(role)]}
        others = [b for b in _bodies_with_content(fake) if b is not call.body]
        assert others and all(b["allowed_mentions"] == {"parse": []} for b in others)
        assert strings.NOT_COVERED in fake.originals[token]["content"]

        await fake.post_message(NON_MENTOR_REPLY, user_id=3003, channel_id=thread_id)
        await fake.post_message(MENTOR_REPLY, user_id=4004, channel_id=thread_id, roles=[role])
        more = await fake.post_message(
            "Y añade una tarjeta.", user_id=4004, channel_id=thread_id, roles=[role]
        )
        await fake.edit_posted(more, MENTOR_MORE, roles=[role])  # before the asker spoke again
        await fake.post_message(
            SECOND_MENTOR_REPLY, user_id=5005, channel_id=thread_id, roles=[role]
        )
        both = f"{MENTOR_REPLY}\n\n{MENTOR_MORE}"
        approved = (QUESTION, both, "approved")
        second_mentor = (QUESTION, SECOND_MENTOR_REPLY, "pending")
        await eventually(lambda: rows(sample_data_dir, MENTOR_PAIRS) == [approved, second_mentor])
        await eventually(lambda: bot.log().count("indexed curated pair") == 3)
        await fake.post_message("¡Gracias!", user_id=1001, channel_id=thread_id)
        late = await fake.post_message("Tarde", user_id=4004, channel_id=thread_id, roles=[role])
        await fake.edit_posted(more, "Editado después", roles=[role])
        await fake.edit_posted(late, "Tarde, editado", roles=[role])

        _, second = await fake.slash("pregunta", {"texto": PARAPHRASE}, user_id=1002)
        await fake.wait_until(lambda: finished(fake, second))
        shown = fake.originals[second]["content"]
        assert (
            MENTOR_REPLY.split("`")[0] in shown
            and QUESTION in shown.split(strings.SOURCES_HEADER)[1]
        )
        bot_posts = [m for m in fake.messages_in(thread_id) if m["author"]["id"] == fake.app_id]
        assert len(bot_posts) == 1, "the bot answered in a thread the mentors took over"
        await eventually(lambda: rows(sample_data_dir, SECOND_ASKER_SOURCES) == [("faq",)])
    late_answer = ("¡Gracias!", "Tarde, editado", "pending")  # answers what the asker said last
    assert rows(sample_data_dir, MENTOR_PAIRS) == [approved, second_mentor, late_answer]
    assert "Traceback" not in bot.log()

    code, out = await pide_ayuda("ask", "--json", PARAPHRASE)
    assert code == 0, out
    (source,) = json.loads(out)["sources"]
    assert (source["kind"], source["title"]) == ("faq", QUESTION)
    code, out = await pide_ayuda("stats")
    assert code == 0, out
    assert "hand-offs to mentors: 1 opened, 1 answered, 0 open; median time" in out


async def _until(fake: FakeDiscord, check: Any) -> Any:
    """Wait until `check()` returns something truthy and return it."""
    found: list[Any] = [None]

    def holds() -> bool:
        found[0] = check()
        return bool(found[0])

    await fake.wait_until(holds, within=60)
    return found[0]
