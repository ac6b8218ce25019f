"""Load the keynote transcripts (HF dataset, bundled sample, parquet/jsonl/csv) as Talk records."""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from bot.rag.errors import CorpusError, first_line
from bot.rag.types import Talk

log = logging.getLogger(__name__)

HF_FILENAME = "Transcripciones.parquet"
TITLE_COLUMN, TEXT_COLUMN, AUTHOR_COLUMN = "Nombre", "Transcripción", "Autor"
COLUMNS = (TITLE_COLUMN, TEXT_COLUMN, AUTHOR_COLUMN)


def load_talks(source: str | None, hf_dataset: str) -> list[Talk]:
    """Load every talk from `source`: None (HF dataset), "sample", or a local file path."""
    if source is None:
        path = _download_dataset(hf_dataset)
        origin = f"dataset {hf_dataset}"
    elif source == "sample":
        path = Path(str(resources.files("bot.rag") / "data" / "keynotes_sample.parquet"))
        origin = "bundled sample"
    else:
        path = Path(source)
        origin = str(path)
    return talks_from_rows(_read_rows(path), origin)


def talks_from_rows(rows: Iterable[Mapping[str, Any]], origin: str) -> list[Talk]:
    """Turn raw rows into Talk records, skipping empty rows and refusing missing columns."""
    talks: dict[str, Talk] = {}
    for number, row in enumerate(rows, start=1):
        missing = [name for name in COLUMNS if name not in row]
        if missing:
            raise CorpusError(
                f"{origin}: row {number} lacks column(s) {', '.join(missing)}; "
                f"the corpus needs columns {', '.join(COLUMNS)}"
            )
        talk = make_talk(row[TITLE_COLUMN], row[AUTHOR_COLUMN], row[TEXT_COLUMN])
        if talk is None:
            log.warning("%s: skipping row %d with an empty title or transcript", origin, number)
            continue
        talks[talk.talk_id] = talk
    if not talks:
        raise CorpusError(f"{origin}: no row has both a title and a transcript; check the file")
    return list(talks.values())


def make_talk(title: object, author: object, text: object) -> Talk | None:
    """Build one normalised Talk, or None when the title or the transcript is empty."""
    clean_title = normalise_whitespace(_as_text(title))
    clean_author = normalise_whitespace(_as_text(author))
    clean_text = normalise_whitespace(_as_text(text))
    if not clean_title or not clean_text:
        return None
    key = f"{clean_title}\x1f{clean_author}"
    talk_id = f"{_slug(clean_title)[:40]}-{hashlib.sha1(key.encode()).hexdigest()[:8]}"
    digest = hashlib.sha256(f"{key}\x1f{clean_text}".encode()).hexdigest()
    return Talk(talk_id, clean_title, clean_author, clean_text, digest)


def normalise_whitespace(text: str) -> str:
    """Collapse runs of whitespace (including one-word-a-line transcripts) to single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _as_text(value: object) -> str:
    return "" if value is None else str(value)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "talk"


def _read_rows(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise CorpusError(f"{path}: no such file; pass a parquet, jsonl or csv file, or 'sample'")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
            return rows
        if suffix in (".jsonl", ".ndjson"):
            return _read_jsonl(path)
        if suffix == ".csv":
            with path.open(newline="", encoding="utf-8-sig") as handle:
                return list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise CorpusError(
            f"{path}: cannot read it ({first_line(error)}); check the file"
        ) from error
    raise CorpusError(f"{path}: unsupported file type {suffix!r}; use .parquet, .jsonl or .csv")


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            if not isinstance(row, dict):
                raise CorpusError(f"{path}: line {number} is not a JSON object")
            rows.append(row)
    return rows


def _download_dataset(repo_id: str) -> Path:
    from huggingface_hub import hf_hub_download
    from huggingface_hub.utils import logging as hub_logging

    # The hub logs every retry as a warning; the failure below is reported once, in one line.
    verbosity = hub_logging.get_verbosity()
    hub_logging.set_verbosity(logging.ERROR)
    try:
        return Path(hf_hub_download(repo_id, HF_FILENAME, repo_type="dataset"))
    except Exception as error:  # offline, DNS, HTTP, auth: all mean "cannot fetch it now"
        raise CorpusError(
            f"cannot reach the Hugging Face Hub for {repo_id} ({first_line(error)}); "
            "use --source sample for the bundled sample or --source PATH for a local file"
        ) from error
    finally:
        hub_logging.set_verbosity(verbosity)
