"""A help forum set with `/configurar`: its own notice and solved tag; the bot's answer accepted.

No HELP_FORUM_CHANNEL_IDS here: `/configurar foro` makes the fake's forum a help forum,
`foro-etiqueta` names its solved tag ("duda", any case) and `foro-aviso` the consent notice. The
author accepts the bot's own answer (provenance `bot`, sources left out); when Discord refuses the
tag (403) the pair is still saved and the reply says so; marking again applies it. Outside a help
forum, or on the post's question, the command is refused. The answerer's `/borrar-mis-datos`
removes the accepted answer.
"""

from __future__ import annotations

from bot import strings
from tests.discord.conftest import QUESTION, StartBot, rows
from tests.discord.forum import answered, bot_messages, mark
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.discord_shards import resolved
from tests.waiting import eventually

NOTICE = "Las publicaciones resueltas se guardan para un dataset abierto; `/privacidad` para salir."
BOT_PAIRS = "SELECT answer, review_state FROM qa_pairs WHERE provenance = 'bot'"
SOLUTIONS = "SELECT provenance, answerer_id FROM forum_solutions"
SAVED = strings.SETTINGS_SAVED.split("{", 1)[0]


async def _configure(fake: FakeDiscord, sub: str, options: dict[str, object]) -> str:
    forum = fake.channels[fake.forum_id]
    block = resolved(channels=[forum]) if sub == "foro" else None
    interaction_id, _ = await fake.slash(
        "configurar", options, subcommand=sub, resolved=block, moderator=True
    )
    await fake.wait_until(lambda: interaction_id in fake.callbacks)
    return str(fake.callbacks[interaction_id][1]["data"]["content"])


async def test_a_forum_set_with_configurar_uses_its_notice_and_tag(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    async with start_bot() as running:
        outside = await fake.post_message("Una respuesta en un canal de texto.", user_id=1001)
        assert await mark(fake, outside, 1001) == strings.SOLUTION_NOT_FORUM

        added = await _configure(fake, "foro", {"accion": "add", "canal": fake.forum_id})
        assert added.startswith(SAVED) and f"<#{fake.forum_id}>" in added
        assert (await _configure(fake, "foro-etiqueta", {"nombre": "duda"})).startswith(SAVED)
        assert (await _configure(fake, "foro-aviso", {"texto": NOTICE})).startswith(SAVED)

        post, starter = await fake.create_post("Búsqueda semántica", QUESTION, user_id=1001)
        await fake.wait_until(lambda: answered(fake, post["id"], 1), within=60)
        assert await mark(fake, starter, 1001) == strings.SOLUTION_IS_QUESTION
        notice, answer = bot_messages(fake, post["id"])[:2]
        assert notice["embeds"][0]["description"] == NOTICE
        assert strings.SOURCES_HEADER in answer["content"]

        fake.forbid("PATCH", rf"^/channels/{post['id']}$")
        refused_tag = await mark(fake, answer, 1001)
        assert refused_tag.endswith(strings.SOLUTION_TAG_FAILED)
        data_dir = running.services.settings.data_dir
        (saved,) = rows(data_dir, BOT_PAIRS)  # the bot's own logged pair, accepted: no copy
        assert saved[1] == "approved" and strings.SOURCES_HEADER not in saved[0]
        assert saved[0] and saved[0] in answer["content"]

        tagged = await mark(fake, answer, 1001)
        assert "«Duda»" in tagged and strings.SOLUTION_REPLACED in tagged
        (duda,) = [
            t["id"] for t in fake.channels[fake.forum_id]["available_tags"] if t["name"] == "Duda"
        ]
        await eventually(lambda: fake.channels[post["id"]]["applied_tags"] == [duda])
        assert rows(data_dir, BOT_PAIRS) == [saved]

        helper = await fake.post_message(
            "Usa una base vectorial.", user_id=3003, channel_id=post["id"]
        )
        assert strings.SOLUTION_REPLACED in await mark(fake, helper, 1001)
        assert rows(data_dir, SOLUTIONS) == [("community", 3003)]
        # Replaced: never two accepted answers; the bot's pair goes back to review, not away.
        assert rows(data_dir, BOT_PAIRS) == [(saved[0], "pending")]
        community = "SELECT review_state FROM qa_pairs WHERE provenance = 'community'"
        assert rows(data_dir, community) == [("pending",)]
        await _delete_my_data(fake, 3003)  # the answerer's deletion takes record and pair
        assert rows(data_dir, SOLUTIONS) == [] and rows(data_dir, community) == []


async def _delete_my_data(fake: FakeDiscord, user_id: int) -> None:
    """Run /borrar-mis-datos and confirm it, as `user_id`."""
    asked, token = await fake.slash("borrar-mis-datos", user_id=user_id)
    await fake.wait_until(lambda: asked in fake.callbacks)
    message = fake.originals[token]
    (button,) = message["components"][0]["components"]
    clicked, _ = await fake.click(button["custom_id"], message, user_id=user_id)
    await fake.wait_until(lambda: clicked in fake.callbacks)
