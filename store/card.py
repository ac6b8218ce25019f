"""The dataset card (README.md) of an export folder: one section per data file in it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from huggingface_hub import DatasetCardData

from bot import __version__

FIELDS = """\
| field | meaning |
|---|---|
| `messages` | jsonl, parquet: the user question and the assistant answer |
| `instruction`, `output` | alpaca: the question and the answer (`input` is empty) |
| `question`, `answer` | csv: the question and the answer |
| `id` | the pair's id in the bot's log |
| `edited` | true when a moderator rewrote the answer |
| `asker` | salted pseudonym of the person who asked (HMAC-SHA256); never a Discord id |
| `created_at` | when the question was asked (UTC, ISO 8601) |
| `status` | answered, partial (cut short), fallback, refused (not in the talks), error, cancelled |
| `review_state` | pending, approved, edited or rejected |
| `mode` | `llm` (generated) or `extractive` (verbatim passages, no LLM) |
| `surface` | slash command, mention, thread follow-up or cli |
| `model` | the chat model that answered |
| `feedback_up` / `feedback_down` | 👍 / 👎 votes from the community |
| `sources` | cited passages: talk id, title, speaker, passage text, chunk id, retrieval score |

A moderator's edited answer always replaces the bot's answer.
"""

PRIVACY = """\
- Askers appear only as salted pseudonyms. Discord mentions typed in questions and answers
  (`<@…>`, `<@!…>`, `<@&…>`, `<#…>`, and `@`/`#` followed by a bare Discord id) are replaced
  by `@usuario`, `@rol` and `#canal`, so no file holds the Discord id of a user, role or channel.
- Answers hold only the answer: display notes the bot showed around it (the extractive-answer
  banner, the "incomplete" or "cancelled" note) are left out.
- csv files are meant for spreadsheets: a cell that a spreadsheet would run as a formula (one
  starting with `=`, `+`, `-`, `@`, a tab, a carriage return or a line feed, after optional
  spaces, or with the full-width `＝＋－＠`) starts with an added `'`. Remove that leading `'`
  when reading a csv file as data. jsonl and parquet files are data formats: apart from the
  mention placeholders and the display notes above, their text is exactly as asked and answered.
"""

BUILDERS = {"jsonl": "json", "alpaca": "json", "csv": "csv", "parquet": "parquet"}
SIZES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"))


@dataclass
class ExportSummary:
    """Counts gathered while rows stream through the writer."""

    rows: int = 0
    edited: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_review: Counter[str] = field(default_factory=Counter)
    by_surface: Counter[str] = field(default_factory=Counter)
    by_provenance: Counter[str] = field(default_factory=Counter)
    talks: Counter[str] = field(default_factory=Counter)
    askers: set[str] = field(default_factory=set)
    votes_up: int = 0
    votes_down: int = 0
    first: str | None = None
    last: str | None = None

    def add(self, rows: list[dict[str, Any]]) -> None:
        """Count a batch of rows."""
        for row in rows:
            self.rows += 1
            self.edited += row["edited"]
            self.by_status[row["status"]] += 1
            self.by_review[row["review_state"]] += 1
            self.by_surface[row["surface"]] += 1
            self.by_provenance[row["provenance"]] += 1
            # keynotes only: an `faq` source's title is someone's curated question
            self.talks.update({s["title"] for s in row["sources"] if s["talk_id"] != "faq"})
            if row["asker"]:
                self.askers.add(row["asker"])
            self.votes_up += row["feedback_up"]
            self.votes_down += row["feedback_down"]
            self.first = min(self.first or row["created_at"], row["created_at"])
            self.last = max(self.last or row["created_at"], row["created_at"])


@dataclass(frozen=True, slots=True)
class FileEntry:
    """What the card says about one data file; kept in the folder's manifest between exports."""

    name: str
    fmt: str
    rows: int
    edited: int
    people: int
    votes_up: int
    votes_down: int
    first: str | None
    last: str | None
    by_status: dict[str, int]
    by_review: dict[str, int]
    by_surface: dict[str, int]
    talks: dict[str, int]
    filters: str
    made_at: str
    version: str = __version__
    by_provenance: dict[str, int] = field(default_factory=dict)  # absent from older manifests

    @classmethod
    def of(
        cls, name: str, fmt: str, summary: ExportSummary, filters: str, made_at: str
    ) -> FileEntry:
        """Describe a file just written from its summary."""
        return cls(
            name=name,
            fmt=fmt,
            rows=summary.rows,
            edited=summary.edited,
            people=len(summary.askers),
            votes_up=summary.votes_up,
            votes_down=summary.votes_down,
            first=summary.first,
            last=summary.last,
            by_status=dict(summary.by_status.most_common()),
            by_review=dict(summary.by_review.most_common()),
            by_surface=dict(summary.by_surface.most_common()),
            talks=dict(summary.talks.most_common(20)),
            filters=filters,
            made_at=made_at,
            by_provenance=dict(summary.by_provenance.most_common()),
        )


def config_names(entries: Sequence[FileEntry]) -> dict[str, str]:
    """Name one Hub subset per file (`qa.jsonl` -> `qa-jsonl`), unique within the folder."""
    names: dict[str, str] = {}
    for entry in entries:
        base = re.sub(r"[^A-Za-z0-9_-]+", "-", entry.name).strip("-") or "data"
        name, n = base, 2
        while name in names.values():
            name, n = f"{base}-{n}", n + 1
        names[entry.name] = name
    return names


def _header(entries: Sequence[FileEntry], names: dict[str, str]) -> str:
    most = max((e.rows for e in entries), default=0)
    size = next((label for limit, label in SIZES if most < limit), "1M<n<10M")
    configs: list[dict[str, Any]] = [
        {"config_name": names[e.name], "data_files": e.name} for e in entries
    ]
    if configs:
        configs[0]["default"] = True
    data = DatasetCardData(
        language=["es"],
        license="apache-2.0",
        task_categories=["question-answering", "text-generation"],
        size_categories=[size],
        pretty_name="pide-ayuda Q&A pairs (SomosNLP #Somos600M keynotes)",
        configs=configs,
    )
    return f"---\n{data.to_yaml()}\n---\n"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{key}: {n}" for key, n in counts.items()) or "none"


def _section(entry: FileEntry, config: str) -> str:
    talks = "\n".join(f"  - {title}: {n}" for title, n in entry.talks.items()) or "  - none"
    loader = f'load_dataset("{BUILDERS[entry.fmt]}", data_files="{entry.name}")'
    return f"""### `{entry.name}`

- Format {entry.fmt}, {entry.rows} rows; {entry.edited} answers edited by moderators.
- Asked between {entry.first or "-"} and {entry.last or "-"}; {entry.people} distinct askers
  (pseudonymous; pairs written from the command line have none).
- Status: {_counts(entry.by_status)}.
- Review: {_counts(entry.by_review)}.
- Surface: {_counts(entry.by_surface)}.
- Written by (provenance): {_counts(entry.by_provenance)}.
- Feedback: {entry.votes_up} 👍, {entry.votes_down} 👎.
- Talks cited (rows citing each, top 20):
{talks}
- Exported on {entry.made_at} by pide-ayuda {entry.version} with
  `pide-ayuda export --format {entry.fmt}`; filters: {entry.filters}.
- Load it: `{loader}`, or the subset `"{config}"` of this folder.
"""


def render_card(entries: Sequence[FileEntry]) -> str:
    """Render the folder's dataset card in Markdown, one Hub subset per data file."""
    names = config_names(entries)
    table = "\n".join(
        f"| `{e.name}` | {e.fmt} | {e.rows} | {e.made_at} | `{names[e.name]}` |" for e in entries
    )
    sections = "\n".join(_section(e, names[e.name]) for e in entries)
    return f"""{_header(entries, names)}
# pide-ayuda Q&A pairs

Spanish questions asked by participants of the SomosNLP #Somos600M hackathon, answered by the
pide-ayuda assistant from the hackathon keynote transcripts, with the passages it cited.

## Files

| file | format | rows | exported | subset |
|---|---|---|---|---|
{table}

{sections}
## Fields

{FIELDS}
## Privacy and safety

{PRIVACY}
## Licence

The keynote transcripts the answers draw on are published under Apache-2.0, and this card
declares the same licence. The questions were contributed by community members on the hackathon
Discord, who could opt out of logging and delete their data at any time; askers appear only as
salted pseudonyms. Before publishing, check that the community's terms allow it, and credit the
SomosNLP community.

## How it was made

Answers come from retrieval over the keynote transcripts plus an OpenAI-compatible chat model
(or verbatim passages in extractive mode); moderators approve, edit or reject pairs with
`pide-ayuda review`. Rejected pairs, failed, cancelled or interrupted answers and answers the
user never saw are left out unless asked for.

```python
from datasets import load_dataset
ds = load_dataset("path/to/this/folder", "{names[entries[0].name] if entries else "default"}")
```
"""
