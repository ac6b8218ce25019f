"""50 questions at once against a chat server taking 1 s per answer.

The bounds below are functional, not performance targets (those are measured by
bench/discord_load.py): Discord drops an interaction not acknowledged within 3 s, so every defer
must arrive within 1 s; the gateway closes a session whose heartbeats stop, so no gap between
heartbeats may exceed the interval by more than a second.
"""

import asyncio
import itertools

from tests.discord.conftest import QUESTION, StartBot, rows
from tests.fakes.discord_server import FakeDiscord

USERS = 50
DEFER_BOUND_S = 1.0
HEARTBEAT_SLACK_S = 1.0


async def test_fifty_questions_at_once_are_all_deferred_quickly_and_answered(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    async with start_bot(LLM_MAX_CONCURRENCY="8") as run:
        run.llm.first_token_delay = 1.0
        beats_before = len(fake_discord.heartbeats)
        sent = await asyncio.gather(
            *(
                fake_discord.slash("pregunta", {"texto": f"{QUESTION} ({n})"}, user_id=5000 + n)
                for n in range(USERS)
            )
        )
        tokens = [token for _, token in sent]
        await fake_discord.wait_until(
            lambda: all(fake_discord.originals.get(t, {}).get("components") for t in tokens),
            within=120,
        )
        beats = fake_discord.heartbeats[beats_before:]
    delays = [fake_discord.callbacks[i][0] - fake_discord.interactions_sent[i] for i, _ in sent]
    assert max(delays) < DEFER_BOUND_S, f"slowest defer {max(delays):.3f} s"
    assert all(fake_discord.callbacks[i][1]["type"] == 5 for i, _ in sent)
    gaps = [later - earlier for earlier, later in itertools.pairwise(beats)]
    assert len(gaps) >= 2, "the load ended before two heartbeats"
    assert max(gaps) < fake_discord.heartbeat_interval_ms / 1000 + HEARTBEAT_SLACK_S
    statuses = rows(sample_data_dir, "SELECT status, COUNT(*) FROM qa_pairs GROUP BY status")
    assert statuses == [("answered", USERS)]
    assert len(run.llm.requests) == USERS
    queued = [
        r
        for r in fake_discord.find("PATCH", r"/messages/@original$")
        if r.body["content"].startswith("Hay muchas preguntas en curso")
    ]
    assert len(queued) >= USERS // 2, "questions beyond MAX_ANSWERS_IN_FLIGHT were not told to wait"
