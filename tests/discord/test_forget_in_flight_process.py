"""Forgetting a person from the command line while `pide-ayuda run` answers them.

The bot saves the question on arrival and streams an answer the fake chat server holds; meanwhile
`pide-ayuda privacy forget` (another process) deletes the asker's data. Once the answer is
released the asker still sees it, and the bot writes none of it back; what they ask afterwards
is recorded as usual.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.discord.conftest import QUESTION, REPLY, finished, rows
from tests.discord.process import bot_process, pide_ayuda
from tests.fakes.chat_server import FakeChatServer
from tests.fakes.discord_server import FakeDiscord
from tests.store.text_scan import text_columns_holding
from tests.waiting import eventually

MARKER = "alcaudon5d"
ASKED = f"{QUESTION} ({MARKER})"
ASKER = 1001
ITS_ROWS = f"SELECT key, reply_message_id FROM qa_pairs WHERE user_id = {ASKER}"


async def test_a_question_in_flight_when_the_cli_forgets_its_asker_is_not_written_back(
    bot_env: FakeChatServer, fake_discord: FakeDiscord, sample_data_dir: Path, tmp_path: Path
) -> None:
    fake = fake_discord
    bot_env.hold = asyncio.Event()
    async with bot_process(fake, tmp_path, LLM_TIMEOUT="300") as bot:
        _, token = await fake.slash("pregunta", {"texto": ASKED}, user_id=ASKER)
        await eventually(lambda: bot_env.in_flight == 1, within=60)  # the answer is held
        await eventually(lambda: [r for r in rows(sample_data_dir, ITS_ROWS) if r[1]], within=60)
        ((key, _),) = rows(sample_data_dir, ITS_ROWS)

        code, out = await pide_ayuda("privacy", "forget", str(ASKER), HF_DATASETS_OFFLINE="1")
        assert code == 0 and f"forgot user {ASKER}" in out, out
        assert rows(sample_data_dir, ITS_ROWS) == []

        bot_env.hold.set()
        await fake.wait_until(lambda: finished(fake, token), within=60)
        await eventually(lambda: f"answer {key}: answered" in bot.log(), within=30)
        # Asked after the outcome above was queued: once this is written, that one was too.
        _, later = await fake.slash("pregunta", {"texto": QUESTION}, user_id=ASKER)
        await fake.wait_until(lambda: finished(fake, later), within=60)
        written = f"SELECT 1 FROM qa_pairs WHERE status = 'answered' AND key != '{key}'"
        await eventually(lambda: rows(sample_data_dir, written))
    recorded = f"SELECT question, status FROM qa_pairs WHERE user_id = {ASKER}"
    assert rows(sample_data_dir, recorded) == [(QUESTION, "answered")]
    assert fake.originals[token]["content"].startswith(REPLY.split("[")[0])  # the asker saw it
    assert text_columns_holding(sample_data_dir / "pide-ayuda.sqlite3", MARKER) == []
    assert "Traceback" not in bot.log()
