"""A burst of simultaneous questions to the real `pide-ayuda run`: admitted up to the cap."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot import strings
from tests.discord.conftest import QUESTION, finished
from tests.discord.process import bot_process
from tests.fakes.chat_server import FakeChatServer
from tests.fakes.discord_server import FakeDiscord

IN_FLIGHT = 1
# docs/discord.md: at most MAX_ANSWERS_IN_FLIGHT answers run; once 8 x that many wait, new
# questions are refused with the estimated wait.
ADMITTED = IN_FLIGHT + 8 * IN_FLIGHT
BURST = 20
DEFERRED, MESSAGE, EPHEMERAL = 5, 4, 64


async def test_a_burst_is_admitted_up_to_the_cap_and_the_rest_are_told_to_wait(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, sample_data_dir: Path, tmp_path: Path
) -> None:
    bot_env.first_token_delay = 60  # nothing finishes during the burst
    async with bot_process(fake_discord, tmp_path, MAX_ANSWERS_IN_FLIGHT=str(IN_FLIGHT)):
        sent = await asyncio.gather(
            *(
                fake_discord.slash("pregunta", {"texto": QUESTION}, user_id=3000 + n)
                for n in range(BURST)
            )
        )
        ids = [interaction_id for interaction_id, _ in sent]
        await fake_discord.wait_until(lambda: all(i in fake_discord.callbacks for i in ids), 60)
        replies = [fake_discord.callbacks[i][1] for i in ids]
        refused = [r["data"] for r in replies if r["type"] == MESSAGE]
        assert sum(r["type"] == DEFERRED for r in replies) == ADMITTED
        assert len(refused) == BURST - ADMITTED
        busy = strings.BUSY.split("{")[0]
        assert all(r["content"].startswith(busy) and r["flags"] == EPHEMERAL for r in refused)

        bot_env.first_token_delay = 0
        admitted = [token for (_, token), r in zip(sent, replies, strict=True) if r["type"] == 5]
        await fake_discord.wait_until(
            lambda: all(finished(fake_discord, token) for token in admitted), within=120
        )
