"""The dataset card (README.md) of a dataset folder: Hub metadata, counts, fields, privacy."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from huggingface_hub import DatasetCardData

from bot import __version__
from store.writers import SCHEMAS

CONFIGS = ("messages", "alpaca", "preferences")
TRANSCRIPTS = "Danielbrdz/Barcenas-Hackathon-2024-Somos-NLP-Transcripcion"
SIZES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"))
PURPOSE = {
    "messages": "chat format for SFT: a user turn (the question), an assistant turn (the answer)",
    "alpaca": "`instruction` (the question), `input` (empty), `output` (the answer)",
    "preferences": "TRL's conversational preference format: `prompt`, `chosen`, `rejected`",
}


@dataclass
class DatasetSummary:
    """Counts gathered while rows stream through the writers."""

    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CONFIGS, 0))
    by_status: Counter[str] = field(default_factory=Counter)
    by_review: Counter[str] = field(default_factory=Counter)
    by_provenance: Counter[str] = field(default_factory=Counter)
    by_surface: Counter[str] = field(default_factory=Counter)
    preference_origins: Counter[str] = field(default_factory=Counter)
    talks: Counter[str] = field(default_factory=Counter)
    askers: set[str] = field(default_factory=set)
    without_asker: int = 0
    extractive_left_out: int = 0
    first: str | None = None
    last: str | None = None

    def add_pairs(self, rows: list[dict[str, Any]]) -> None:
        """Count pairs written to `messages` and `alpaca`."""
        self.rows["messages"] += len(rows)
        self.rows["alpaca"] += len(rows)
        for row in rows:
            self.by_status[row["status"]] += 1
            self.by_review[row["review_state"]] += 1
            self.by_provenance[row["provenance"]] += 1
            self.by_surface[row["surface"]] += 1
            self.talks.update({s["title"] for s in row["sources"] if s["talk_id"] != "faq"})
            if row["asker"]:
                self.askers.add(row["asker"])
            else:
                self.without_asker += 1
            self.first = min(self.first or row["created_at"], row["created_at"])
            self.last = max(self.last or row["created_at"], row["created_at"])

    def add_preferences(self, rows: list[dict[str, Any]]) -> None:
        """Count preference rows by who wrote the chosen answer."""
        self.rows["preferences"] += len(rows)
        self.preference_origins.update(row["chosen_provenance"] for row in rows)


def data_path(config: str, fmt: str) -> str:
    """Return where a config's data file sits in the folder."""
    return f"data/{config}.{'jsonl' if fmt == 'jsonl' else 'parquet'}"


def _type_name(kind: pa.DataType) -> str:
    if pa.types.is_list(kind):
        return f"list of {_type_name(kind.value_type)}"
    if pa.types.is_struct(kind):
        return "{" + ", ".join(f"{f.name}: {_type_name(f.type)}" for f in kind) + "}"
    return str(kind).replace("large_", "")


def _feature(field: pa.Field) -> dict[str, Any]:
    """Describe an Arrow field as the Hub's `dataset_info` features do."""
    kind = field.type
    if pa.types.is_list(kind) and pa.types.is_struct(kind.value_type):
        return {"name": field.name, "list": [_feature(f) for f in kind.value_type]}
    dtype = {"double": "float64", "bool": "bool"}.get(str(kind), str(kind))
    return {"name": field.name, "dtype": dtype}


def dataset_info(loadable: list[str]) -> list[dict[str, Any]]:
    """Return the Hub metadata of each config's features (`datasets` casts the data to them).

    Rows per config are in the card's text: the Hub's `splits` also wants the Arrow size in
    bytes, which only `datasets` itself can tell.
    """
    return [
        {"config_name": name, "features": [_feature(f) for f in SCHEMAS[name]]} for name in loadable
    ]


def _header(summary: DatasetSummary, fmt: str, loadable: list[str]) -> str:
    most = max(summary.rows.values(), default=0)
    size = next((label for limit, label in SIZES if most < limit), "1M<n<10M")
    configs: list[dict[str, Any]] = [
        {"config_name": name, "data_files": [{"split": "train", "path": data_path(name, fmt)}]}
        for name in loadable
    ]
    if configs:
        configs[0]["default"] = True
    data = DatasetCardData(
        language=["es"],
        license="apache-2.0",
        task_categories=["text-generation", "question-answering"],
        size_categories=[size],
        pretty_name="pide-ayuda: Spanish Q&A over the SomosNLP hackathon keynotes",
        source_datasets=[TRANSCRIPTS],
        tags=["instruction-tuning", "preference", "dpo", "rag", "spanish"],
        configs=configs,
        dataset_info=dataset_info(loadable),
    )
    return f"---\n{data.to_yaml()}\n---\n"


def _counts(counts: Counter[str]) -> str:
    return ", ".join(f"{key}: {n}" for key, n in counts.most_common()) or "none"


def _config_section(name: str, summary: DatasetSummary, fmt: str, loadable: list[str]) -> str:
    features = "\n".join(f"| `{f.name}` | {_type_name(f.type)} |" for f in SCHEMAS[name])
    rows = summary.rows[name]
    where = (
        f"`{data_path(name, fmt)}`, {rows} rows"
        if name in loadable
        else "No rows in this export, so the folder declares no such config"
    )
    return f"""### `{name}`

{PURPOSE[name]}. {where}.

| feature | type |
|---|---|
{features}
"""


MEANINGS = """\
- `provenance`: who wrote the answer. `bot` (generated by the assistant, or quoted from the
  transcripts in extractive mode), `edited` (a bot answer a moderator rewrote), `mentor` (a
  mentor answering in a hand-off thread), `moderator` (written by a moderator); other values
  name other human sources the bot records (e.g. `community`).
- `review_state`: `pending` (not reviewed yet), `approved` (a moderator accepted it as is),
  `edited` (a moderator rewrote the answer: the row carries the rewrite), `rejected` (left out
  unless asked for). Mentors' first answers in a hand-off are approved when written.
- `status`: how the answer ended: `answered`, `partial` (cut short), `fallback` (the model's
  output was unusable and transcript passages were given instead), `refused` (not in the talks).
- `mode`: `llm` (generated), `extractive` (verbatim transcript passages, no model), `human`.
- `sources`: the passages the answer was built from or quoted: talk id, talk `title`,
  `speaker`, the passage `text`, chunk id and retrieval score. `[n]` in an answer cites the
  n-th source. A source with talk id `faq` is an earlier curated answer reused (its title is
  that answer's question).
- `asker`: a salted pseudonym (HMAC-SHA256) of the person who asked; empty for pairs written
  from the command line. `id` / `rejected_id`: the pairs' ids in the bot's log.
"""

PRIVACY = """\
- No Discord id (user, server, channel, message, reviewer) is written. Askers appear only as
  salted pseudonyms; mentions typed in text become `@usuario`, `@rol` and `#canal`.
- Participants can opt out of logging (`/privacidad`; a mentor who opted out is not recorded
  either) and delete their data (`/borrar-mis-datos`, or `pide-ayuda privacy forget` for a
  request by mail). Deletion removes their questions, answers, votes, hand-offs and mentor
  messages from the log, and every source elsewhere that named their question, before any
  later export; the SQLite database runs with `secure_delete`.
- With a retention period set (`RETENTION_DAYS`), older pairs, hand-offs and mentor messages
  are deleted from the log.
- Display notes the bot showed around an answer (banners, "incomplete" notes) are left out.
"""


def _overview(summary: DatasetSummary, filters: str, options: str) -> str:
    people = f"{len(summary.askers)} distinct askers (pseudonymous)"
    if summary.without_asker:
        people += f"; {summary.without_asker} pairs written from the command line have no asker"
    talks = "\n".join(f"  - {title}: {n}" for title, n in summary.talks.most_common(20))
    return f"""- Pairs in `messages` and `alpaca`: {summary.rows["messages"]}, asked between \
{summary.first or "-"} and {summary.last or "-"}; {people}.
- Status: {_counts(summary.by_status)}.
- Review: {_counts(summary.by_review)}.
- Provenance: {_counts(summary.by_provenance)}.
- Surface: {_counts(summary.by_surface)}.
- Extractive answers left out of `messages` and `alpaca`: {summary.extractive_left_out}.
- Preference pairs: {summary.rows["preferences"]} (chosen answer by: \
{_counts(summary.preference_origins)}).
- Filters: {filters}. Options: {options}.
- Keynotes cited (pairs citing each, top 20):
{talks or "  - none"}
"""


def render_dataset_card(
    summary: DatasetSummary, fmt: str, loadable: list[str], filters: str, options: str, made: str
) -> str:
    """Render the folder's README.md: Hub YAML, counts, configs, fields, privacy, licence."""
    sections = "\n".join(_config_section(n, summary, fmt, loadable) for n in CONFIGS)
    loads = "\n".join(f'{n} = load_dataset("path/to/this/folder", "{n}")' for n in loadable)
    return f"""{_header(summary, fmt, loadable)}
# pide-ayuda: Spanish questions and answers over the SomosNLP hackathon keynotes

Questions asked in Spanish by participants of the SomosNLP #Somos600M hackathon on Discord,
answered by the pide-ayuda assistant from the hackathon's keynote transcripts (retrieval plus a
chat model), by mentors and by moderators, with the passages each answer cites. Exported on
{made} by pide-ayuda {__version__} (`pide-ayuda export`, {fmt}).

## Contents

{_overview(summary, filters, options)}
## How to load

```python
from datasets import load_dataset

{loads or "# this export holds no rows"}
```

## Configs

{sections}
## Fields

{MEANINGS}
## Privacy

{PRIVACY}
## Licence and attribution

The answers draw on the keynote transcripts of the SomosNLP #Somos600M hackathon, published as
[{TRANSCRIPTS}](https://huggingface.co/datasets/{TRANSCRIPTS}) under Apache-2.0; the passages
in `sources` are quoted from it. Credit the speakers and the SomosNLP community
(https://somosnlp.org). This card declares Apache-2.0; the questions were contributed by
community members on the hackathon's Discord: check that its terms allow publishing them.
"""
