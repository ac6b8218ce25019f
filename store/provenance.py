"""Who wrote a pair's answer, as exported: the stored provenance, `edited` for a revised bot one."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import ColumnElement, and_

from store.models import QAPair

# `community`: an accepted help-forum answer by a member who is not a mentor (store/solutions.py).
Provenance = Literal["bot", "edited", "mentor", "moderator", "community"]
PROVENANCES: tuple[Provenance, ...] = ("bot", "edited", "mentor", "moderator", "community")


def provenance_of(pair: QAPair) -> str:
    """Return the exported provenance: a bot answer a moderator edited is `edited`."""
    if pair.provenance == "bot" and pair.review_state == "edited":
        return "edited"
    return pair.provenance


def provenance_condition(provenance: str) -> ColumnElement[bool]:
    """Select the pairs whose exported provenance is `provenance` (any stored value works)."""
    if provenance in ("bot", "edited"):
        edited = QAPair.review_state == "edited"
        return and_(QAPair.provenance == "bot", edited if provenance == "edited" else ~edited)
    return QAPair.provenance == provenance
