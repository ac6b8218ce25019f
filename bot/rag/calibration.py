"""The gate's calibration saved beside the index: the record, its file, and whether it fits."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.rag.calibration_rule import Anchors
from bot.rag.chroma import pages
from bot.rag.gate import OperatingPoint

log = logging.getLogger(__name__)

FORMAT = 1


@dataclass(frozen=True, slots=True)
class Calibration:
    """The fitted gate and curated thresholds, and what they were fitted for."""

    embedder: str
    corpus_digest: str
    collection_id: str
    anchors: Anchors
    point: OperatingPoint
    curated_threshold: float
    pseudo_questions: int
    fitted_at: str

    def as_json(self) -> str:
        """Serialise for the file saved beside the index."""
        return json.dumps({"format": FORMAT, **asdict(self)}, indent=2)

    @classmethod
    def from_json(cls, text: str) -> Calibration:
        """Read a file written by `as_json`."""
        raw = json.loads(text)
        if raw.pop("format", None) != FORMAT:
            raise ValueError("unknown calibration format")
        raw["anchors"] = Anchors(**raw["anchors"])
        raw["point"] = OperatingPoint(**raw["point"])
        return cls(**raw)

    def describe(self) -> str:
        """One line for the operator: the operating point and what it was fitted on."""
        p = self.point
        return (
            f"threshold {p.threshold:.4f}, coverage weight {p.coverage_weight:.4f}, other-topic "
            f"weight {p.other_topic_weight:.4f} above {p.other_topic_floor:.4f}, curated "
            f"{self.curated_threshold:.4f} (fitted for {self.embedder} on corpus "
            f"{self.corpus_digest}, {self.pseudo_questions} pseudo-questions)"
        )


def calibration_path(data_dir: Path, collection_name: str) -> Path:
    """Return the file holding the calibration of collection `collection_name`."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", collection_name)
    return data_dir / "calibration" / f"{safe}.json"


def corpus_digest(collection: Any) -> str:
    """Return the digest of the talks (id and content hash) a collection holds."""
    hashes: set[str] = set()
    for page in pages(collection, ["metadatas"]):
        hashes.update(f"{m['talk_id']}:{m.get('content_hash', '')}" for m in page["metadatas"])
    return corpus_digest_of(hashes)


def corpus_digest_of(hashes: set[str]) -> str:
    """Return the digest of a corpus' `talk_id:content_hash` strings."""
    return hashlib.sha256("\n".join(sorted(hashes)).encode()).hexdigest()[:16]


def save(calibration: Calibration, path: Path) -> None:
    """Write under a temporary name renamed into place: processes sharing the dir see no part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{uuid.uuid4().hex}.json")
    partial.write_text(calibration.as_json(), encoding="utf-8")
    os.replace(partial, path)


def load(path: Path) -> Calibration | None:
    """Return the saved calibration, or None when there is none (or it cannot be read)."""
    try:
        return Calibration.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError) as error:
        log.warning("ignoring unreadable calibration %s (%s)", path, error)
        return None


def check(calibration: Calibration | None, embedder: str, collection: Any) -> str | None:
    """Return why `calibration` does not fit the embedder and collection in use, or None."""
    if calibration is None:
        return "the relevance gate is not calibrated for this index: run `pide-ayuda calibrate`"
    if calibration.embedder != embedder:
        return (
            f"the relevance gate was calibrated for embedding model {calibration.embedder!r}, not "
            f"{embedder!r}: run `pide-ayuda calibrate`"
        )
    if calibration.collection_id != str(collection.id):
        digest = corpus_digest(collection)
        if digest != calibration.corpus_digest:
            return (
                f"the relevance gate was calibrated on corpus {calibration.corpus_digest}, the "
                f"index holds {digest}: run `pide-ayuda calibrate`"
            )
    return None
