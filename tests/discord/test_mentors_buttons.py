"""The real bot on the fake Discord: the "ask a person" button; reviews feed curated answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot import strings
from bot.rag.prompts import NO_ANSWER
from tests.discord.conftest import StartBot, ask, rows
from tests.fakes.discord_server import FakeDiscord
from tests.waiting import eventually


async def _callback(fake: FakeDiscord, interaction_id: str) -> dict[str, Any]:
    await fake.wait_until(lambda: interaction_id in fake.callbacks)
    return fake.callbacks[interaction_id][1]


async def _followup(fake: FakeDiscord, count: int) -> str:
    """Return the text of the `count`-th ephemeral follow-up the bot sent."""
    sent = await fake.wait_for("POST", r"^/webhooks/\d+/[^/]+$", count=count)
    return str(sent[count - 1].body["content"])


def _custom_ids(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message["components"] for c in row["components"]]


async def test_only_the_asker_can_hand_off_once_and_within_the_limit(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir: object
) -> None:
    fake = fake_discord
    env = {"MENTOR_ROLE_ID": fake.mentor_role_id, "MENTOR_HANDOFFS_PER_DAY": "1"}
    async with start_bot(**env):
        first = fake.originals[await ask(fake, user_id=1001)]
        second = fake.originals[await ask(fake, user_id=1001)]
        up, down, human = _custom_ids(first)
        assert human.startswith("pa:human:") and up.endswith(":up") and down.endswith(":down")

        stranger, _ = await fake.click(human, first, user_id=2002)
        assert (await _callback(fake, stranger))["data"]["content"] == strings.HANDOFF_NOT_ASKER
        assert not fake.threads()

        await fake.click(human, first, user_id=1001)
        assert await _followup(fake, 1) == strings.HANDOFF_DONE
        (thread,) = fake.threads()
        assert thread["id"] == first["id"]  # opened from the answer message
        (call,) = fake.find("POST", rf"^/channels/{thread['id']}/messages$")
        assert call.body["allowed_mentions"] == {"parse": [], "roles": [int(fake.mentor_role_id)]}

        await fake.click(human, first, user_id=1001)
        assert await _followup(fake, 2) == strings.HANDOFF_ALREADY
        await fake.click(_custom_ids(second)[2], second, user_id=1001)
        assert await _followup(fake, 3) == strings.HANDOFF_LIMITED.format(limit=1)
        assert len(fake.threads()) == 1

        shown, _ = await fake.slash("estadisticas", moderator=True, user_id=9)
        stats = (await _callback(fake, shown))["data"]["content"]
        assert "**Ayuda de mentoría:** 1 pedidas · 0 respondidas · 1 abiertas" in stats


async def test_a_model_that_finds_no_answer_is_a_refusal_handed_to_the_mentors(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir: Path
) -> None:
    fake = fake_discord
    async with start_bot(MENTOR_ROLE_ID=fake.mentor_role_id) as run:
        run.llm.reply = NO_ANSWER
        shown = fake.originals[await ask(fake)]
        assert shown["content"].startswith(strings.NOT_COVERED)
        (thread,) = fake.threads()
        (call,) = await fake.wait_for("POST", rf"^/channels/{thread['id']}/messages$")
        assert call.body["content"].startswith(f"<@&{fake.mentor_role_id}>")
    assert rows(sample_data_dir, "SELECT status, mode FROM qa_pairs") == [("refused", "refused")]


async def test_without_a_mentor_role_answers_carry_only_the_votes(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir: object
) -> None:
    async with start_bot():
        message = fake_discord.originals[await ask(fake_discord)]
    assert [c.split(":")[-1] for c in _custom_ids(message)] == ["up", "down"]


async def test_review_approval_indexes_the_pair_and_rejection_takes_it_out(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir: object
) -> None:
    fake = fake_discord
    async with start_bot() as running:
        await ask(fake)
        shown, token = await fake.slash("revisar", moderator=True, user_id=9)
        await _callback(fake, shown)
        message = fake.originals[token]  # the ephemeral review message with its buttons
        approve, _, reject = _custom_ids(message)
        curated = await running.services.answerer.curated_index()

        clicked, _ = await fake.click(approve, message, moderator=True, user_id=9)
        await _callback(fake, clicked)
        pair_id = int(approve.split(":")[2])
        assert curated.pair_ids() == {pair_id}

        clicked, _ = await fake.click(reject, message, moderator=True, user_id=9)
        await _callback(fake, clicked)
        assert curated.pair_ids() == set()


async def test_a_mentor_deleting_their_data_takes_their_answers_out_everywhere(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir: Path
) -> None:
    fake = fake_discord
    role = fake.mentor_role_id
    async with start_bot(MENTOR_ROLE_ID=role) as running:
        answer = fake.originals[await ask(fake, user_id=1001)]
        await fake.click(_custom_ids(answer)[2], answer, user_id=1001)
        await _followup(fake, 1)
        (thread,) = fake.threads()
        await fake.post_message(
            "Mira la charla de Argilla.", user_id=4004, channel_id=thread["id"], roles=[role]
        )
        mentor_pairs = "SELECT id FROM qa_pairs WHERE provenance = 'mentor'"
        await eventually(lambda: len(rows(sample_data_dir, mentor_pairs)) == 1)
        ((pair_id,),) = rows(sample_data_dir, mentor_pairs)
        curated = await running.services.answerer.curated_index()
        await eventually(lambda: curated.pair_ids() == {pair_id})

        asked, token = await fake.slash("borrar-mis-datos", user_id=4004)
        await _callback(fake, asked)
        message = fake.originals[token]
        clicked, _ = await fake.click(_custom_ids(message)[0], message, user_id=4004)
        done = await _callback(fake, clicked)
        assert done["data"]["content"] == strings.DELETE_DONE.format(count=1)
        assert rows(sample_data_dir, mentor_pairs) == []
        assert curated.pair_ids() == set()
    assert rows(sample_data_dir, "SELECT user_id FROM qa_pairs") == [(1001,)]  # the asker's stays
