"""The dataset card (README.md) written beside every export."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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
| `status` | answered, refused (not in the keynotes), partial (cut short), error, cancelled |
| `review_state` | pending, approved, edited or rejected |
| `mode` | `llm` (generated) or `extractive` (verbatim passages, no LLM) |
| `surface` | slash command, mention, thread follow-up or cli |
| `model` | the chat model that answered |
| `feedback_up` / `feedback_down` | 👍 / 👎 votes from the community |
| `sources` | cited passages: talk id, title, speaker, chunk id, retrieval score |

A moderator's edited answer always replaces the bot's answer.
"""

LOADERS = {
    "jsonl": 'load_dataset("json", data_files="{name}")',
    "alpaca": 'load_dataset("json", data_files="{name}")',
    "csv": 'load_dataset("csv", data_files="{name}")',
    "parquet": 'load_dataset("parquet", data_files="{name}")',
}


@dataclass
class ExportSummary:
    """Counts gathered while rows stream through the writer."""

    rows: int = 0
    edited: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_review: Counter[str] = field(default_factory=Counter)
    by_surface: Counter[str] = field(default_factory=Counter)
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
            self.talks.update({s["title"] for s in row["sources"]})
            if row["asker"]:
                self.askers.add(row["asker"])
            self.votes_up += row["feedback_up"]
            self.votes_down += row["feedback_down"]
            self.first = min(self.first or row["created_at"], row["created_at"])
            self.last = max(self.last or row["created_at"], row["created_at"])


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{key}: {n}" for key, n in counter.most_common()) or "none"


def render_card(
    summary: ExportSummary, fmt: str, file_name: str, filters: str, made_at: datetime
) -> str:
    """Render the dataset card in Markdown."""
    talks = "\n".join(f"- {title}: {n}" for title, n in summary.talks.most_common(20))
    return f"""---
language:
- es
license: apache-2.0
task_categories:
- question-answering
- text-generation
pretty_name: pide-ayuda Q&A pairs (SomosNLP #Somos600M keynotes)
---

# pide-ayuda Q&A pairs

Spanish questions asked by participants of the SomosNLP #Somos600M hackathon, answered by the
pide-ayuda assistant from the hackathon keynote transcripts, with the passages it cited.

## Contents

- File: `{file_name}` ({fmt}), {summary.rows} rows; {summary.edited} answers edited by moderators.
- Asked between {summary.first or "-"} and {summary.last or "-"} by {len(summary.askers)} people.
- Status: {_counts(summary.by_status)}.
- Review: {_counts(summary.by_review)}.
- Surface: {_counts(summary.by_surface)}.
- Feedback: {summary.votes_up} 👍, {summary.votes_down} 👎.
- Talks cited (rows citing each, top 20):
{talks or "- none"}

## Fields

{FIELDS}
## Licence

The keynote transcripts the answers draw on are published under Apache-2.0, and this card
declares the same licence. The questions were contributed by community members on the hackathon
Discord, who could opt out of logging and delete their data at any time; askers appear only as
salted pseudonyms. Before publishing, check that the community's terms allow it, and credit the
SomosNLP community.

## How it was made

Exported on {made_at.isoformat(timespec="seconds")} by pide-ayuda {__version__} with
`pide-ayuda export --format {fmt}`.
Filters: {filters}.

Answers come from retrieval over the
keynote transcripts plus an OpenAI-compatible chat model (or verbatim passages in extractive
mode); moderators approve, edit or reject pairs with `pide-ayuda review`. Rejected pairs and
failed answers are left out unless asked for.

```python
from datasets import load_dataset
ds = {LOADERS[fmt].format(name=file_name)}
```
"""
