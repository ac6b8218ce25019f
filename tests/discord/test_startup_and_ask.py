import asyncio
import sqlite3
from typing import Any

from bot import strings
from tests.discord.conftest import QUESTION, StartBot
from tests.fakes.discord_server import FakeDiscord
from tests.waiting import eventually

MODERATOR_COMMANDS = {"exportar", "revisar", "estadisticas", "reindexar", "configurar"}


def _pairs(data_dir) -> list[tuple[Any, ...]]:
    with sqlite3.connect(data_dir / "pide-ayuda.sqlite3") as db:
        return db.execute(
            "SELECT key, surface, status, question, answer, user_id, reply_message_ids "
            "FROM qa_pairs"
        ).fetchall()


async def test_startup_syncs_commands_to_dev_guild(start_bot: StartBot, fake_discord: FakeDiscord):
    async with start_bot():
        pass
    (sync,) = fake_discord.find("PUT", r"/guilds/\d+/commands$")
    assert fake_discord.guild_id in sync.path
    commands = {c["name"]: c for c in sync.body}
    everyone = {"pregunta", "privacidad", "borrar-mis-datos", strings.SOLUTION_COMMAND}
    assert set(commands) == everyone | MODERATOR_COMMANDS
    solution = commands[strings.SOLUTION_COMMAND]  # a message command, English for en-US
    assert (solution["type"], solution["name_localizations"]["en-US"]) == (3, "Mark as solution")
    (texto,) = commands["pregunta"]["options"]
    assert (texto["name"], texto["type"], texto["required"]) == ("texto", 3, True)
    for name in MODERATOR_COMMANDS:
        assert int(commands[name]["default_member_permissions"]) == 1 << 5
    assert commands["pregunta"]["default_member_permissions"] is None
    formato = commands["exportar"]["options"][0]
    assert formato["name"] == "formato" and not formato.get("required", False)  # parquet default
    assert [c["value"] for c in formato["choices"]] == ["parquet", "jsonl", "csv"]
    assert fake_discord.identify is not None
    assert fake_discord.identify["intents"] & (1 << 15), "message content intent not requested"


async def test_pregunta_defers_streams_and_finishes_with_sources_and_buttons(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    async with start_bot() as run:
        run.llm.chunk_delay = 0.15  # ~2.5 s of streaming: several throttled edits
        interaction_id, token = await fake_discord.slash("pregunta", {"texto": QUESTION})
        await fake_discord.wait_for("POST", rf"/interactions/{interaction_id}/")
        pattern = rf"/webhooks/\d+/{token}/messages/@original"
        deadline = asyncio.get_running_loop().time() + 30
        while not any(r.body.get("components") for r in fake_discord.find("PATCH", pattern)):
            assert asyncio.get_running_loop().time() < deadline
            await fake_discord.wait_for(
                "PATCH", pattern, len(fake_discord.find("PATCH", pattern)) + 1
            )
        await eventually(lambda: _pairs(sample_data_dir) and _pairs(sample_data_dir)[0][-1] != "[]")
    _, callback = fake_discord.callbacks[interaction_id]
    assert callback["type"] == 5
    edits = fake_discord.find("PATCH", pattern)
    assert len(edits) >= 3, "expected streamed edits before the final one"
    final = edits[-1].body
    assert strings.SOURCES_HEADER in final["content"]
    assert "Elena González-Blanco" in final["content"]
    assert all(e.body["allowed_mentions"]["parse"] == [] for e in edits)
    buttons = [c for row in final["components"] for c in row["components"]]
    ((key, surface, status, question, answer, user_id, reply_ids),) = _pairs(sample_data_dir)
    assert [b["custom_id"] for b in buttons] == [f"pa:vote:k{key}:up", f"pa:vote:k{key}:down"]
    assert (surface, status, question, user_id) == ("slash", "answered", QUESTION, 1001)
    assert "[1]" in answer
    assert reply_ids == f"[{fake_discord.originals[token]['id']}]"


async def test_long_answer_is_split_and_the_buttons_go_on_the_last_message(
    start_bot: StartBot, fake_discord: FakeDiscord
):
    sentence = "El punto {n} de la charla: la búsqueda semántica compara significados [1]. "
    async with start_bot() as run:
        # ~3,600 characters, ~500 words; numbered, since one sentence 45 times is a loop
        run.llm.reply = "".join(sentence.format(n=n) for n in range(45))
        _, token = await fake_discord.slash("pregunta", {"texto": QUESTION})
        await fake_discord.wait_until(lambda: bool(fake_discord.find("POST", rf"/{token}$")))
    first = fake_discord.originals[token]
    (follow_up,) = fake_discord.find("POST", rf"/webhooks/\d+/{token}$")
    assert first["components"] == [] and follow_up.body["components"]
    assert len(first["content"]) <= 2000 and len(follow_up.body["content"]) <= 2000
    assert strings.SOURCES_HEADER in follow_up.body["content"]
    joined = first["content"] + follow_up.body["content"]
    assert joined.count("[1]") == 45
    assert follow_up.body["allowed_mentions"]["parse"] == []


async def test_without_dev_guild_commands_sync_globally(
    start_bot: StartBot, fake_discord: FakeDiscord, monkeypatch
):
    monkeypatch.delenv("DEV_GUILD_ID")
    async with start_bot():
        pass
    (sync,) = fake_discord.find("PUT", r"/commands$")
    assert sync.path == f"/applications/{fake_discord.app_id}/commands"
    assert len(sync.body) == 9  # with /configurar and the "Marcar como solución" message command
