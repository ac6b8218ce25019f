"""`/configurar`: two servers with different settings, each obeying its own; Manage Server only."""

from bot import strings
from tests.discord.conftest import StartBot, finished
from tests.fakes import discord_payloads as p
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.discord_shards import FakeGuild, Json, resolved

GLOBAL_COMMANDS = {"DEV_GUILD_ID": ""}  # two servers: commands synced globally


async def subcommand(
    fake: FakeDiscord,
    guild: FakeGuild,
    sub: str,
    options: dict[str, object],
    *,
    moderator: bool = True,
    resolved_block: dict[str, object] | None = None,
) -> Json:
    """Run `/configurar <sub>` in `guild` and return the interaction's reply (type 4 callback)."""
    interaction_id, _ = await fake.slash_in(
        guild, "configurar", options, moderator=moderator, resolved=resolved_block, subcommand=sub
    )
    return await _reply(fake, interaction_id)


async def _reply(fake: FakeDiscord, interaction_id: str) -> Json:
    """Wait for the bot's first response to an interaction and return its body."""
    await fake.wait_until(lambda: interaction_id in fake.callbacks)
    return fake.callbacks[interaction_id][1]


async def ask_in(fake: FakeDiscord, guild: FakeGuild, user_id: int, channel_id: str) -> Json:
    """Ask with /pregunta in a channel of `guild`; return the first callback's body."""
    interaction_id, token = await fake.slash_in(
        guild, "pregunta", {"texto": "¿Qué es Argilla?"}, user_id=user_id, channel_id=channel_id
    )
    await fake.wait_until(lambda: interaction_id in fake.callbacks)
    body = fake.callbacks[interaction_id][1]
    if body["type"] == 5:  # deferred: the answer is on its way
        await fake.wait_until(lambda: finished(fake, token))
    return body


async def test_two_servers_each_obey_their_own_settings(
    start_bot: StartBot, fake_discord: FakeDiscord
):
    strict, relaxed = fake_discord.add_guild(), fake_discord.add_guild()
    async with start_bot(**GLOBAL_COMMANDS, USER_COOLDOWN_SECONDS="0"):
        channel = fake_discord.channels[strict.other_channel_id]
        reply = await subcommand(
            fake_discord,
            strict,
            "canal",
            {"accion": "add", "canal": strict.other_channel_id},
            resolved_block=resolved(channels=[channel]),
        )
        assert f"<#{strict.other_channel_id}>" in reply["data"]["content"]
        reply = await subcommand(fake_discord, strict, "espera", {"segundos": 600})
        assert "600 s ⚙️" in reply["data"]["content"] and reply["data"]["flags"] & 64

        refused = await ask_in(fake_discord, strict, 2001, strict.channel_id)
        assert refused["data"]["content"] == strings.CHANNEL_NOT_ALLOWED
        assert (await ask_in(fake_discord, strict, 2001, strict.other_channel_id))["type"] == 5
        again = await ask_in(fake_discord, strict, 2001, strict.other_channel_id)
        assert again["data"]["content"].startswith(strings.COOLDOWN.split("{", 1)[0])

        # the other server set nothing: every channel, no cooldown (the environment's defaults)
        for channel_id in (relaxed.channel_id, relaxed.other_channel_id):
            assert (await ask_in(fake_discord, relaxed, 2002, channel_id))["type"] == 5

        shown = await subcommand(fake_discord, relaxed, "ver", {})
        assert "**Canales de preguntas:** todos\n" in shown["data"]["content"]
        assert "⚙️ =" in shown["data"]["content"] and shown["data"]["content"].count("⚙️") == 1


async def test_only_manage_server_may_configure_even_if_discord_shows_the_command(
    start_bot: StartBot, fake_discord: FakeDiscord
):
    guild = fake_discord.add_guild()
    async with start_bot(**GLOBAL_COMMANDS):
        reply = await subcommand(fake_discord, guild, "espera", {"segundos": 0}, moderator=False)
        assert reply["data"]["content"] == strings.MANAGE_SERVER_ONLY
        shown = await subcommand(fake_discord, guild, "ver", {})
        assert "⚙️ =" in shown["data"]["content"] and shown["data"]["content"].count("⚙️") == 1


async def test_a_server_moderator_role_opens_the_moderator_commands_there_only(
    start_bot: StartBot, fake_discord: FakeDiscord
):
    first, second = fake_discord.add_guild(), fake_discord.add_guild()
    async with start_bot(**GLOBAL_COMMANDS, MODERATOR_ROLE_ID=""):
        role = p.role(first.mentor_role_id, "mentoría", p.MEMBER_PERMISSIONS, 2)
        await subcommand(
            fake_discord,
            first,
            "rol-moderador",
            {"rol": first.mentor_role_id},
            resolved_block=resolved(roles=[role]),
        )
        for guild, expected_refusal in ((first, False), (second, True)):
            interaction_id, _ = await fake_discord.slash_in(
                guild, "estadisticas", {}, user_id=3001, roles=(first.mentor_role_id,)
            )
            body = await _reply(fake_discord, interaction_id)
            refused = body["type"] == 4 and body["data"]["content"] == strings.MODERATORS_ONLY
            assert refused is expected_refusal


async def test_a_server_mentor_role_set_here_is_the_one_called_on_a_refusal(
    start_bot: StartBot, fake_discord: FakeDiscord
):
    fake = fake_discord
    with_role, without_role = fake.add_guild(), fake.add_guild()
    # No MENTOR_ROLE_ID default, and a gate that refuses every question (relevance <= 1.15).
    env = {**GLOBAL_COMMANDS, "MENTOR_ROLE_ID": "", "RETRIEVAL_MIN_SCORE": "1.5"}
    async with start_bot(**env):
        role = p.role(with_role.mentor_role_id, "mentoría", p.MEMBER_PERMISSIONS, 2)
        reply = await subcommand(
            fake,
            with_role,
            "rol-mentor",
            {"rol": with_role.mentor_role_id},
            resolved_block=resolved(roles=[role]),
        )
        assert f"<@&{with_role.mentor_role_id}>" in reply["data"]["content"]

        refused = await ask_in(fake, without_role, 2002, without_role.channel_id)
        assert refused["type"] == 5
        await ask_in(fake, with_role, 2001, with_role.channel_id)
        await fake.wait_until(lambda: len(fake.threads()) == 1)
        (thread,) = fake.threads()
        assert thread["guild_id"] == with_role.id
        (call,) = await fake.wait_for("POST", rf"/channels/{thread['id']}/messages")
        assert call.body["content"].startswith(f"<@&{with_role.mentor_role_id}>")
        assert call.body["allowed_mentions"] == {
            "parse": [],
            "roles": [int(with_role.mentor_role_id)],
        }
