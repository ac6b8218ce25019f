import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from store.erasures import ERASURE_KEEP
from tests.discord.conftest import StartBot, ask, rows
from tests.fakes.discord_server import FakeDiscord


def _age_pair(data_dir, pair_id: int, days: int) -> None:
    """Move one pair's creation time `days` into the past, in the format the store wrote."""
    with sqlite3.connect(data_dir / "pide-ayuda.sqlite3") as db:
        query = "SELECT created_at FROM qa_pairs WHERE id = ?"
        (stored,) = db.execute(query, (pair_id,)).fetchone()
        older = datetime.fromisoformat(stored) - timedelta(days=days)
        db.execute(
            "UPDATE qa_pairs SET created_at = ? WHERE id = ?",
            (older.isoformat(sep=" "), pair_id),
        )


async def _two_pairs_the_first_60_days_old(
    start_bot: StartBot, fake: FakeDiscord, data_dir: Path
) -> None:
    """Ask twice (users 1001 and 1002), then move the first pair 60 days into the past."""
    async with start_bot():
        await ask(fake, user_id=1001)
        await ask(fake, user_id=1002)
    first = rows(data_dir, "SELECT min(id) FROM qa_pairs")[0][0]
    _age_pair(data_dir, first, days=60)


async def test_pairs_past_retention_are_purged_when_the_bot_starts(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    await _two_pairs_the_first_60_days_old(start_bot, fake_discord, sample_data_dir)

    async with start_bot(RETENTION_DAYS="30"):
        await fake_discord.wait_until(
            lambda: rows(sample_data_dir, "SELECT user_id FROM qa_pairs") == [(1002,)]
        )


async def test_retention_off_keeps_old_pairs(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    async with start_bot():
        await ask(fake_discord, user_id=1001)
    first = rows(sample_data_dir, "SELECT min(id) FROM qa_pairs")[0][0]
    _age_pair(sample_data_dir, first, days=3650)

    async with start_bot(RETENTION_DAYS="0"):
        await ask(fake_discord, user_id=1002)
    assert rows(sample_data_dir, "SELECT user_id FROM qa_pairs ORDER BY id") == [(1001,), (1002,)]


async def test_only_the_process_holding_shard_0_purges(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    await _two_pairs_the_first_60_days_old(start_bot, fake_discord, sample_data_dir)
    fake_discord.shard_count = 2
    shards = {"RETENTION_DAYS": "30", "SHARD_COUNT": "2"}

    async with start_bot(**shards, SHARD_IDS="1") as running:
        assert not running.bot.get_cog("Retention").purge.is_running()  # type: ignore[union-attr]
    assert len(rows(sample_data_dir, "SELECT id FROM qa_pairs")) == 2

    async with start_bot(**shards, SHARD_IDS="0"):
        await fake_discord.wait_until(
            lambda: rows(sample_data_dir, "SELECT user_id FROM qa_pairs") == [(1002,)]
        )


async def test_erasure_records_go_after_their_retention_even_with_retention_off(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    async with start_bot():  # creates the database
        pass
    now = datetime.now(UTC).replace(tzinfo=None)
    with sqlite3.connect(sample_data_dir / "pide-ayuda.sqlite3") as db:
        for user_id, age in ((1001, ERASURE_KEEP + timedelta(hours=1)), (1002, timedelta(days=1))):
            db.execute(
                "INSERT INTO erasure_requests (user_id, forgotten_at) VALUES (?, ?)",
                (user_id, (now - age).isoformat(sep=" ")),
            )

    async with start_bot(RETENTION_DAYS="0"):
        await fake_discord.wait_until(
            lambda: rows(sample_data_dir, "SELECT user_id FROM erasure_requests") == [(1002,)]
        )
