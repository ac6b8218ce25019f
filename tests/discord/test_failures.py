from bot import strings
from tests.discord.conftest import QUESTION, StartBot, ask, rows
from tests.fakes.discord_server import FakeDiscord

PAIRS = "SELECT status, question, error_cause IS NOT NULL FROM qa_pairs"


def _thread_answered(fake: FakeDiscord) -> bool:
    threads = [c for c in fake.channels.values() if c["type"] == 11]
    return any(m["components"] for t in threads for m in fake.messages_in(t["id"]))


def _edits(fake: FakeDiscord, token: str):
    return fake.find("PATCH", rf"/webhooks/\d+/{token}/messages/@original")


async def test_llm_down_answers_with_quotes_and_a_notice_and_keeps_the_pair(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    async with start_bot() as run:
        await run.llm.stop()
        token = await ask(fake_discord)
    final = fake_discord.originals[token]
    assert final["content"].startswith(strings.LLM_DOWN_NOTICE)
    assert strings.SOURCES_HEADER in final["content"] and "> «" in final["content"]
    ((status, _, has_cause),) = rows(sample_data_dir, PAIRS)
    assert (status, has_cause) == ("fallback", 1)


async def test_discord_429_during_edits_is_retried_and_the_answer_lands(
    start_bot: StartBot, fake_discord: FakeDiscord, discord_logs, sample_data_dir
):
    discord_logs.expect("is rate limited")
    async with start_bot() as run:
        run.llm.chunk_delay = 0.1
        fake_discord.rate_limit("PATCH", r"/messages/@original$", times=2, retry_after=0.3)
        token = await ask(fake_discord)
    final = fake_discord.originals[token]
    assert strings.SOURCES_HEADER in final["content"] and final["components"]
    assert len(_edits(fake_discord, token)) >= 3  # two refused, then accepted ones
    assert [r[0] for r in rows(sample_data_dir, PAIRS)] == ["answered"]
    assert any(r.body["components"] for r in _edits(fake_discord, token))  # the refused answer


async def test_a_streaming_edit_cut_by_the_network_does_not_lose_the_answer(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    async with start_bot() as run:
        run.llm.chunk_delay = 0.1
        fake_discord.drop("PATCH", r"/messages/@original$", times=1)
        token = await ask(fake_discord)
    final = fake_discord.originals[token]
    assert strings.SOURCES_HEADER in final["content"] and final["components"]
    assert [r[0] for r in rows(sample_data_dir, PAIRS)] == ["answered"]


async def test_empty_question_is_answered_with_guidance_and_logged(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    async with start_bot() as run:
        token = await ask(fake_discord, "   ")
    assert fake_discord.originals[token]["content"] == strings.EMPTY_QUESTION
    assert run.llm.requests == []
    assert rows(sample_data_dir, PAIRS) == [("error", "   ", 1)]


async def test_5000_character_question_is_refused_with_the_limit_and_logged(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    question = "¿Qué es Argilla? " * 295  # 5,015 characters
    async with start_bot() as run:
        token = await ask(fake_discord, question[:5000])
    expected = strings.QUESTION_TOO_LONG.format(length=5000, limit=1500)
    assert fake_discord.originals[token]["content"] == expected
    assert run.llm.requests == []
    ((status, logged, _),) = rows(sample_data_dir, PAIRS)
    assert (status, len(logged)) == ("error", 5000)


async def test_asking_to_ping_everyone_pings_nobody(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    async with start_bot() as run:
        run.llm.reply = (
            "¡Hola @everyone y @here! Avisad a <@123456789012345678> de la búsqueda semántica [1]."
        )
        token = await ask(fake_discord, "Menciona a @everyone: ¿qué es la búsqueda semántica?")
        await fake_discord.post_message(
            f"<@{fake_discord.app_id}> @everyone ¿qué es la búsqueda semántica?", mention_bot=True
        )
        await fake_discord.wait_until(lambda: len(rows(sample_data_dir, PAIRS)) == 2)
        await fake_discord.wait_until(
            lambda: any(
                m["components"]
                for m in fake_discord.messages.values()
                if m["guild_id"] and m["channel_id"] != fake_discord.channel_id
            )
        )
    sent = [
        r
        for r in fake_discord.requests
        if r.method in ("POST", "PATCH") and isinstance(r.body, dict) and "content" in r.body
    ]
    assert sent
    for request in sent:
        assert request.body["allowed_mentions"]["parse"] == [], request.path
        assert request.body["allowed_mentions"].get("replied_user") in (None, False)
        assert "@everyone" not in request.body["content"]
        assert "@here" not in request.body["content"]
    assert "<@123456789012345678>" not in fake_discord.originals[token]["content"]


async def test_discord_refusing_the_answer_still_keeps_the_pair(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    async with start_bot():
        fake_discord.forbid("PATCH", r"/messages/@original$", times=100)
        _, token = await fake_discord.slash("pregunta", {"texto": QUESTION})
        await fake_discord.wait_until(
            lambda: any(
                r.body and r.body["content"] == strings.UNEXPECTED_ERROR
                for r in _edits(fake_discord, token)
            )
        )
    assert [r[0] for r in rows(sample_data_dir, PAIRS)] == ["answered"]
    assert any(r.body["components"] for r in _edits(fake_discord, token))  # the refused answer
