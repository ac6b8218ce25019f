"""Help forums through the real `pide-ayuda run` process and the fake Discord.

With HELP_FORUM_CHANNEL_IDS naming the fake's forum: a new post gets the consent notice and the
bot's answer inside the post, its author's follow-up is answered with the post as history, and
other members' replies are not; "Marcar como solución" is refused to a member who is neither the
author, a mentor nor a moderator, and on an opted-out member's message; the author's marking of
the bot's answer approves the bot's own pair (no copy), then marking a community reply and then a
mentor's two messages gives the bot's pair its review back, tags the post solved once and leaves
one accepted answer, the mentor's, which `pide-ayuda export --provenance mentor` carries.
"""

from __future__ import annotations

import json
from pathlib import Path

from bot import strings
from tests.discord.conftest import QUESTION, rows
from tests.discord.forum import answered, bot_messages, mark
from tests.discord.process import bot_process, pide_ayuda
from tests.fakes.chat_server import FakeChatServer
from tests.fakes.discord_server import FakeDiscord
from tests.waiting import eventually

TITLE = "Búsqueda semántica"
SALTED = {"EXPORT_SALT": "s" * 32}  # the CLI commands' environment
ASKER, MENTOR, MEMBER, OPTED_OUT = 1001, 4004, 3003, 5005
MENTOR_REPLY = "Se guardan los embeddings en una base vectorial y se busca por similitud."
MENTOR_MORE = "Mira la charla sobre RAG para un ejemplo completo."
FOLLOW_UP = "¿Y qué son las bases de datos vectoriales en la búsqueda semántica?"
COMMUNITY_REPLY = "Creo que es como buscar con palabras clave, ¿no?"
MENTOR_ANSWER = "SELECT answer FROM qa_pairs WHERE provenance = 'mentor'"
SOLUTIONS = "SELECT provenance, answerer_id FROM forum_solutions"
BOT_PAIRS = "SELECT review_state FROM qa_pairs WHERE mode != 'human' ORDER BY id"
FORUM_PAIRS = (
    "SELECT question, answer, provenance, review_state FROM qa_pairs WHERE surface = 'forum' "
    "AND mode = 'human' ORDER BY id"
)


async def test_a_post_is_answered_and_its_solution_saved_tagged_and_exported(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, sample_data_dir: Path, tmp_path: Path
) -> None:
    fake, role = fake_discord, fake_discord.mentor_role_id
    env = {"HELP_FORUM_CHANNEL_IDS": fake.forum_id, "MENTOR_ROLE_ID": role}
    async with bot_process(fake, tmp_path, **env) as bot:
        (menu,) = [c for c in fake.commands[fake.guild_id] if c.get("type") == 3]
        assert menu["name"] == strings.SOLUTION_COMMAND
        assert menu["name_localizations"]["en-US"] == "Mark as solution"
        post, _ = await fake.create_post(TITLE, QUESTION, user_id=ASKER)
        await fake.wait_until(lambda: answered(fake, post["id"], 1), within=60)
        notice, answer = bot_messages(fake, post["id"])[:2]
        assert notice["embeds"][0]["description"] == strings.FORUM_NOTICE
        assert "búsqueda semántica" in answer["content"].lower()
        assert strings.SOURCES_HEADER in answer["content"]  # cited, through the same pipeline
        asked = json.dumps(bot_env.requests[-1]["messages"], ensure_ascii=False)
        assert TITLE in asked and QUESTION in asked

        follow = await fake.post_message(FOLLOW_UP, user_id=ASKER, channel_id=post["id"])
        await fake.wait_until(lambda: answered(fake, post["id"], 2), within=60)
        reply = bot_messages(fake, post["id"])[-1]
        assert reply["message_reference"]["message_id"] == follow["id"]
        asked = json.dumps(bot_env.requests[-1]["messages"], ensure_ascii=False)
        assert FOLLOW_UP in asked and QUESTION in asked, "answered without the post as history"
        community = await fake.post_message(COMMUNITY_REPLY, user_id=MEMBER, channel_id=post["id"])
        mentor = await fake.post_message(
            MENTOR_REPLY, user_id=MENTOR, channel_id=post["id"], roles=[role]
        )
        more = await fake.post_message(
            "Mira la charla.", user_id=MENTOR, channel_id=post["id"], roles=[role]
        )

        assert await mark(fake, mentor, MEMBER) == strings.SOLUTION_NOT_ALLOWED
        _, opt_out = await fake.slash("privacidad", {"registro": "no"}, user_id=OPTED_OUT)
        await fake.wait_until(lambda: opt_out in fake.originals)
        private = await fake.post_message(
            "Yo lo haría así.", user_id=OPTED_OUT, channel_id=post["id"]
        )
        assert await mark(fake, private, ASKER) == strings.SOLUTION_OPTED_OUT
        assert not fake.find("PATCH", rf"^/channels/{post['id']}$")

        assert strings.SOLUTION_REPLACED not in await mark(fake, answer, ASKER)
        assert rows(sample_data_dir, SOLUTIONS) == [("bot", int(fake.app_id))]
        assert rows(sample_data_dir, BOT_PAIRS) == [("approved",), ("pending",)]
        assert rows(sample_data_dir, FORUM_PAIRS) == [], "the bot's answer was copied"
        assert strings.SOLUTION_REPLACED in await mark(fake, community, ASKER)
        assert rows(sample_data_dir, SOLUTIONS) == [("community", MEMBER)]
        assert rows(sample_data_dir, BOT_PAIRS) == [("pending",), ("pending",)]
        replaced = await mark(fake, mentor, ASKER)
        assert "Resuelto" in replaced and strings.SOLUTION_REPLACED in replaced
        (tagging,) = fake.find("PATCH", rf"^/channels/{post['id']}$")
        assert tagging.body["applied_tags"] == [fake.solved_tag_id]
        assert fake.channels[post["id"]]["applied_tags"] == [fake.solved_tag_id]
        assert len(bot_messages(fake, post["id"])) == 3, "the bot answered a non-author reply"
        await fake.edit_posted(more, MENTOR_MORE, roles=[role])  # edits are followed
        edited = (f"{MENTOR_REPLY}\n\n{MENTOR_MORE}",)
        await eventually(lambda: rows(sample_data_dir, MENTOR_ANSWER) == [edited])
        await eventually(lambda: bot.log().count("indexed curated pair") == 3)  # bot, mentor, edit

    assert rows(sample_data_dir, SOLUTIONS) == [("mentor", MENTOR)]
    question = f"{TITLE}\n\n{QUESTION}"
    mentor_pair = (question, f"{MENTOR_REPLY}\n\n{MENTOR_MORE}", "mentor", "approved")
    assert rows(sample_data_dir, FORUM_PAIRS) == [mentor_pair]
    assert "Traceback" not in bot.log()

    out = tmp_path / "mentor"  # the export is a dataset folder
    code, said = await pide_ayuda(
        "export", "--format", "jsonl", "--out", str(out), "--provenance", "mentor", **SALTED
    )
    assert code == 0, said
    exported = (out / "data" / "messages.jsonl").read_text()
    (row,) = [json.loads(line) for line in exported.splitlines()]
    assert row["provenance"] == "mentor"
    assert [m["content"] for m in row["messages"]][-2:] == [question, mentor_pair[1]]
    code, said = await pide_ayuda("stats", **SALTED)
    assert code == 0 and "help forums: 1 solved posts" in said and "mentor 1" in said, said
