from typing import Any

from bot import strings
from tests.discord.conftest import StartBot, ask, rows
from tests.fakes.discord_server import FakeDiscord


async def _callback(fake: FakeDiscord, interaction_id: str) -> dict[str, Any]:
    await fake.wait_until(lambda: interaction_id in fake.callbacks)
    return fake.callbacks[interaction_id][1]


async def test_opt_out_stops_logging_and_opt_in_resumes(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    async with start_bot():
        out, _ = await fake_discord.slash("privacidad", {"registro": "no"})
        reply = await _callback(fake_discord, out)
        assert reply["data"]["content"] == strings.PRIVACY_OPTED_OUT
        assert reply["data"]["flags"] & 64
        unlogged = await ask(fake_discord)
        back, _ = await fake_discord.slash("privacidad", {"registro": "si"})
        assert (await _callback(fake_discord, back))["data"]["content"] == strings.PRIVACY_OPTED_IN
        await ask(fake_discord)
    assert fake_discord.originals[unlogged]["components"] == []  # nothing to vote on
    assert strings.SOURCES_HEADER in fake_discord.originals[unlogged]["content"]
    assert rows(sample_data_dir, "SELECT user_id FROM qa_pairs") == [(1001,)]


async def test_delete_my_data_asks_for_confirmation_then_deletes(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    async with start_bot():
        await ask(fake_discord)
        await ask(fake_discord, user_id=1002)
        asked, token = await fake_discord.slash("borrar-mis-datos")
        confirm = await _callback(fake_discord, asked)
        assert confirm["data"]["flags"] & 64
        assert confirm["data"]["content"] == strings.DELETE_CONFIRM
        assert len(rows(sample_data_dir, "SELECT id FROM qa_pairs")) == 2
        message = fake_discord.originals[token]
        (button,) = message["components"][0]["components"]
        clicked, _ = await fake_discord.click(button["custom_id"], message)
        done = await _callback(fake_discord, clicked)
    assert done["type"] == 7
    assert done["data"]["content"] == strings.DELETE_DONE.format(count=1)
    assert rows(sample_data_dir, "SELECT user_id FROM qa_pairs") == [(1002,)]
