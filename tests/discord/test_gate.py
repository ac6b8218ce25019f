import asyncio

import pytest

from bot import strings
from cogs.support.gate import QUEUE_FACTOR, AnswerGate
from tests.discord.conftest import StartBot, ask, finished, rows
from tests.fakes.discord_server import FakeDiscord


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_cooldown_states_the_remaining_wait():
    clock = Clock()
    gate = AnswerGate(cooldown_seconds=20, max_in_flight=2, clock=clock)
    assert gate.admit(1) is None
    clock.now += 7.2
    assert gate.admit(1) == strings.COOLDOWN.format(seconds=13)
    assert gate.admit(2) is None
    clock.now += 13
    assert gate.admit(1) is None


async def test_full_gate_queues_then_refuses_with_a_wait():
    gate = AnswerGate(cooldown_seconds=0, max_in_flight=1)
    release = asyncio.Event()

    async def hold() -> None:
        async with gate.slot():
            await release.wait()

    tasks = [asyncio.create_task(hold()) for _ in range(1 + QUEUE_FACTOR)]
    await asyncio.sleep(0.01)
    assert gate.is_full()
    refusal = gate.admit(99)
    assert refusal == strings.BUSY.format(seconds=gate.expected_wait())
    release.set()
    await asyncio.gather(*tasks)
    assert not gate.is_full() and gate.admit(99) is None


async def test_drain_lets_short_answers_finish_and_cancels_long_ones():
    gate = AnswerGate(cooldown_seconds=0, max_in_flight=4)
    outcomes: list[str] = []

    async def answer(seconds: float) -> None:
        try:
            async with gate.tracked(), gate.slot():
                await asyncio.sleep(seconds)
            outcomes.append("done")
        except asyncio.CancelledError:
            outcomes.append("cancelled")
            raise

    tasks = [asyncio.create_task(answer(s)) for s in (0.05, 30)]
    await asyncio.sleep(0.01)
    await gate.drain(grace_seconds=0.5)
    assert sorted(outcomes) == ["cancelled", "done"]
    assert gate.admit(1) == strings.SHUTTING_DOWN
    with pytest.raises(asyncio.CancelledError):
        await tasks[1]


async def test_drain_waits_for_delivery_after_the_answer_slot():
    gate = AnswerGate(cooldown_seconds=0, max_in_flight=4)
    delivered: list[bool] = []

    async def answer() -> None:
        async with gate.tracked():
            async with gate.slot():
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.2)  # logging the pair and sending the reply
            delivered.append(True)

    task = asyncio.create_task(answer())
    await asyncio.sleep(0.05)  # past the slot, still delivering
    await gate.drain(grace_seconds=2)
    assert delivered == [True]
    await task


async def test_second_question_within_cooldown_gets_a_private_wait_message(
    start_bot: StartBot, fake_discord: FakeDiscord
):
    async with start_bot(USER_COOLDOWN_SECONDS="60"):
        await ask(fake_discord)
        again, _ = await fake_discord.slash("pregunta", {"texto": "¿Y otra cosa?"})
        await fake_discord.wait_until(lambda: again in fake_discord.callbacks)
    reply = fake_discord.callbacks[again][1]
    assert reply["type"] == 4 and reply["data"]["flags"] & 64
    assert reply["data"]["content"].startswith("Acabas de preguntar. Espera ")


async def test_shutdown_waits_for_a_question_whose_defer_is_still_in_flight(
    start_bot: StartBot, fake_discord: FakeDiscord, discord_logs, sample_data_dir
):
    discord_logs.expect("is rate limited")
    callback = r"/interactions/\d+/[^/]+/callback$"
    async with start_bot() as run:
        fake_discord.rate_limit("POST", callback, retry_after=1.0)  # the defer is retried in 1 s
        _, token = await fake_discord.slash("pregunta", {"texto": "¿Qué es Argilla?"})
        await fake_discord.wait_for("POST", callback)  # admitted, the defer refused once
        await run.bot.close()  # SIGTERM now
    assert finished(fake_discord, token)
    assert rows(sample_data_dir, "SELECT status FROM qa_pairs") == [("answered",)]
