import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from huggingface_hub import DatasetCard

from bot import strings
from tests.discord.conftest import StartBot, ask, rows
from tests.fakes.discord_server import FakeDiscord

datasets = pytest.importorskip("datasets")


@pytest.fixture
def offline_datasets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep `datasets` on this machine: offline, with its cache in the test's folder."""
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf" / "datasets"))


async def _callback(fake: FakeDiscord, interaction_id: str) -> dict[str, Any]:
    await fake.wait_until(lambda: interaction_id in fake.callbacks)
    return fake.callbacks[interaction_id][1]


async def test_vote_is_recorded_and_buttons_survive_a_restart(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    async with start_bot():
        token = await ask(fake_discord)
    message = fake_discord.originals[token]
    up, down = [c["custom_id"] for row in message["components"] for c in row["components"]]
    async with start_bot():  # a new process would see only the custom_id on the old message
        clicked, _ = await fake_discord.click(up, message, user_id=2002)
        reply = await _callback(fake_discord, clicked)
        assert reply["type"] == 4
        assert reply["data"]["flags"] & 64  # ephemeral
        assert reply["data"]["content"] == strings.VOTE_THANKS
        assert rows(sample_data_dir, "SELECT user_id, value FROM feedback") == [(2002, 1)]
        changed, _ = await fake_discord.click(down, message, user_id=2002)
        await _callback(fake_discord, changed)
    assert rows(sample_data_dir, "SELECT user_id, value FROM feedback") == [(2002, -1)]


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
async def test_review_approve_then_export_sends_a_zipped_dataset_that_loads(
    fmt: str,
    start_bot: StartBot,
    fake_discord: FakeDiscord,
    sample_data_dir,
    offline_datasets: None,
    tmp_path: Path,
):
    async with start_bot():
        await ask(fake_discord)
        shown, shown_token = await fake_discord.slash("revisar", moderator=True, user_id=9)
        review = await _callback(fake_discord, shown)
        assert review["data"]["flags"] & 64
        assert "Pregunta:" in review["data"]["content"]
        assert "responde el bot" in review["data"]["content"]
        message = fake_discord.originals[shown_token]
        approve = message["components"][0]["components"][0]["custom_id"]
        assert approve.endswith(":approve")
        clicked, _ = await fake_discord.click(approve, message, moderator=True, user_id=9)
        done = await _callback(fake_discord, clicked)
        assert done["type"] == 7  # the review message is updated in place
        assert strings.REVIEW_NONE in done["data"]["content"]

        exported, token = await fake_discord.slash(
            "exportar", {"formato": fmt, "estado": "approved"}, moderator=True, user_id=9
        )
        (upload,) = await fake_discord.wait_for("POST", rf"/webhooks/\d+/{token}$")
    assert fake_discord.callbacks[exported][1]["data"]["flags"] & 64
    assert upload.body["flags"] & 64
    name = f"pide-ayuda-approved-{fmt}"
    assert list(upload.files) == [f"{name}.zip"]
    with zipfile.ZipFile(io.BytesIO(upload.files[f"{name}.zip"])) as archive:
        archive.extractall(tmp_path / "unzipped")
    folder = tmp_path / "unzipped" / name
    configs = DatasetCard.load(folder / "README.md").data.to_dict()["configs"]
    names = [config["config_name"] for config in configs]
    assert names == ["messages", "alpaca"]  # no preference yet: nothing was edited
    loaded = {n: datasets.load_dataset(str(folder), n)["train"] for n in names}
    (row,) = list(loaded["messages"])
    assert "búsqueda semántica" in json.dumps(row, ensure_ascii=False)
    (alpaca,) = list(loaded["alpaca"])
    assert alpaca["id"] == row["id"] and alpaca["output"] == row["messages"][1]["content"]
    assert rows(sample_data_dir, "SELECT review_state, reviewer_id FROM qa_pairs") == [
        ("approved", 9)
    ]


async def test_export_that_is_empty_or_too_big_says_so_without_a_file(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    async with start_bot():
        await ask(fake_discord)  # pending, not approved
        empty, empty_token = await fake_discord.slash("exportar", moderator=True, user_id=9)
        (nothing,) = await fake_discord.wait_for("POST", rf"/webhooks/\d+/{empty_token}$")
        fake_discord.attachment_size_limit = 1_000  # below any zipped folder with its card
        big, big_token = await fake_discord.slash(
            "exportar", {"estado": "all"}, moderator=True, user_id=9
        )
        (too_big,) = await fake_discord.wait_for("POST", rf"/webhooks/\d+/{big_token}$")
    for interaction in (empty, big):
        assert fake_discord.callbacks[interaction][1]["data"]["flags"] & 64
    assert nothing.body["content"] == strings.EXPORT_EMPTY and nothing.body["flags"] & 64
    too_big_text = re.escape(strings.EXPORT_TOO_BIG).replace(re.escape("{size}"), r"\d+\.\d")
    assert re.fullmatch(too_big_text, too_big.body["content"]) and too_big.body["flags"] & 64
    assert not nothing.files and not too_big.files
    assert not [r for r in fake_discord.requests if r.files]


async def test_edit_modal_stores_the_corrected_answer(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    async with start_bot():
        await ask(fake_discord)
        shown, shown_token = await fake_discord.slash("revisar", role=True, user_id=9)
        await _callback(fake_discord, shown)
        message = fake_discord.originals[shown_token]
        edit = message["components"][0]["components"][1]["custom_id"]
        clicked, _ = await fake_discord.click(edit, message, role=True, user_id=9)
        modal = await _callback(fake_discord, clicked)
        assert modal["type"] == 9
        submitted, _ = await fake_discord.submit_modal(
            modal["data"]["custom_id"], {"answer": "Respuesta corregida [1]."}, role=True, user_id=9
        )
        await _callback(fake_discord, submitted)
    assert rows(sample_data_dir, "SELECT review_state, edited_answer FROM qa_pairs") == [
        ("edited", "Respuesta corregida [1].")
    ]


async def test_non_moderators_are_refused_on_every_moderator_command(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    async with start_bot():
        await ask(fake_discord)
        for name, options in (
            ("exportar", {"formato": "csv"}),
            ("revisar", {}),
            ("estadisticas", {}),
            ("reindexar", {}),
        ):
            refused, _ = await fake_discord.slash(name, options, user_id=3003)
            reply = await _callback(fake_discord, refused)
            assert (reply["type"], reply["data"]["content"]) == (4, strings.MODERATORS_ONLY)
            assert reply["data"]["flags"] & 64
        stats, _ = await fake_discord.slash("estadisticas", role=True, user_id=9)
        assert "Pares registrados:** 1" in (await _callback(fake_discord, stats))["data"]["content"]
    assert not [r for r in fake_discord.requests if r.files]
    assert rows(sample_data_dir, "SELECT review_state FROM qa_pairs") == [("pending",)]


async def test_reindex_from_the_sample_then_answers_from_the_fresh_index(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    async with start_bot():
        started, token = await fake_discord.slash(
            "reindexar", {"fuente": "sample"}, moderator=True, user_id=9
        )
        assert (await _callback(fake_discord, started))["data"][
            "content"
        ] == strings.REINDEX_STARTED
        pattern = rf"/webhooks/\d+/{token}/messages/@original"
        (done,) = await fake_discord.wait_for("PATCH", pattern, within=120)
        answered = await ask(fake_discord)
    assert done.body["content"].startswith("Índice actualizado: 4 charlas, ")
    assert fake_discord.originals[answered]["components"]


async def test_non_moderators_cannot_use_review_buttons_or_submit_the_edit_modal(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    async with start_bot():
        await ask(fake_discord)
        shown, shown_token = await fake_discord.slash("revisar", moderator=True, user_id=9)
        await _callback(fake_discord, shown)
        message = fake_discord.originals[shown_token]
        pair_id = rows(sample_data_dir, "SELECT id FROM qa_pairs")[0][0]
        for button in message["components"][0]["components"]:  # approve, edit, reject
            clicked, _ = await fake_discord.click(button["custom_id"], message, user_id=1005)
            reply = await _callback(fake_discord, clicked)
            assert reply["type"] == 4 and reply["data"]["flags"] & 64
            assert reply["data"]["content"] == strings.MODERATORS_ONLY
        # A moderator opens the edit box, then loses the role before sending it.
        edit = message["components"][0]["components"][1]["custom_id"]
        opened, _ = await fake_discord.click(edit, message, role=True, user_id=9)
        assert (await _callback(fake_discord, opened))["type"] == 9  # the modal
        submitted, _ = await fake_discord.submit_modal(
            f"pa:edit:{pair_id}", {"answer": "Respuesta de quien ya no modera"}, user_id=9
        )
        reply = await _callback(fake_discord, submitted)
        assert reply["data"]["content"] == strings.MODERATORS_ONLY
    assert rows(sample_data_dir, "SELECT review_state, edited_answer FROM qa_pairs") == [
        ("pending", None)
    ]


async def test_a_vote_on_a_deleted_answer_gets_a_spanish_reply(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    async with start_bot():
        token = await ask(fake_discord)
        message = fake_discord.originals[token]
        up = message["components"][0]["components"][0]["custom_id"]
        asked, confirm_token = await fake_discord.slash("borrar-mis-datos")
        await _callback(fake_discord, asked)
        confirm = fake_discord.originals[confirm_token]
        (button,) = confirm["components"][0]["components"]
        deleted, _ = await fake_discord.click(button["custom_id"], confirm)
        await _callback(fake_discord, deleted)
        clicked, _ = await fake_discord.click(up, message, user_id=2002)
        reply = await _callback(fake_discord, clicked)
    assert reply["data"]["content"] == strings.PAIR_NOT_SAVED_YET
    assert reply["data"]["flags"] & 64
