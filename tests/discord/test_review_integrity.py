"""Review buttons through the real bot: a decided pair is not silently re-decided; roles fresh."""

from typing import Any

from bot import strings
from tests.discord.conftest import StartBot, ask, rows
from tests.fakes.discord_server import FakeDiscord

STATE = "SELECT review_state, edited_answer FROM qa_pairs"


async def _callback(fake: FakeDiscord, interaction_id: str) -> dict[str, Any]:
    await fake.wait_until(lambda: interaction_id in fake.callbacks)
    return fake.callbacks[interaction_id][1]


async def _review_message(fake: FakeDiscord, **who: Any) -> dict[str, Any]:
    shown, token = await fake.slash("revisar", user_id=9, **who)
    assert "Pregunta:" in (await _callback(fake, shown))["data"]["content"]
    return fake.originals[token]


def _button(message: dict[str, Any], action: str) -> str:
    ids = [c["custom_id"] for c in message["components"][0]["components"]]
    return str(next(i for i in ids if i.endswith(f":{action}")))


async def test_edit_on_a_reviewed_pair_shows_its_answer_and_changes_nothing(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    fake = fake_discord
    async with start_bot():
        await ask(fake)
        message = await _review_message(fake, moderator=True)
        approved, _ = await fake.click(_button(message, "approve"), message, moderator=True)
        assert (await _callback(fake, approved))["type"] == 7
        (answer,) = rows(sample_data_dir, "SELECT answer FROM qa_pairs")
        # The same (now stale) review message, clicked again by another moderator.
        edit, _ = await fake.click(_button(message, "edit"), message, moderator=True, user_id=8)
        reply = await _callback(fake, edit)
        assert reply["type"] == 4 and reply["data"]["flags"] & 64  # a message, not a modal
        content = reply["data"]["content"]
        assert "ya se revisó" in content and strings.REVIEW_STATES["approved"] in content
        assert answer[0][:80] in content
        assert rows(sample_data_dir, STATE) == [("approved", None)]
        # Deciding again is possible, but never silently: the reply names the earlier decision.
        reject, _ = await fake.click(_button(message, "reject"), message, moderator=True)
        changed = await _callback(fake, reject)
        assert changed["data"]["content"].startswith(
            strings.REVIEW_CHANGED.format(
                pair_id=message["components"][0]["components"][0]["custom_id"].split(":")[2],
                state=strings.REVIEW_STATES["rejected"],
                previous=strings.REVIEW_STATES["approved"],
            )
        )
    assert rows(sample_data_dir, STATE) == [("rejected", None)]


async def test_a_role_set_for_the_server_opens_review_buttons_after_a_restart(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    fake = fake_discord
    async with start_bot(MODERATOR_ROLE_ID="") as running:  # no role from the environment
        await ask(fake)
        guild = int(fake.guild_id)
        await running.bot.cog_services.server_settings.update(
            guild, 1, moderator_role_id=int(fake.moderator_role_id)
        )
        message = await _review_message(fake, role=True)
    async with start_bot(MODERATOR_ROLE_ID=""):  # a fresh process: nothing cached yet
        clicked, _ = await fake.click(_button(message, "approve"), message, role=True, user_id=9)
        done = await _callback(fake, clicked)
    assert done["type"] == 7, done
    assert rows(sample_data_dir, "SELECT review_state, reviewer_id FROM qa_pairs") == [
        ("approved", 9)
    ]
