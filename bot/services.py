"""What one bot process runs on: opened and closed by `pide-ayuda run`, handed to the client."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.rag.answer import Answerer
from store.db import Database
from store.privacy import PrivacyLog
from store.recording import PairRecorder
from store.records import StaleReply
from store.review import ReviewLog


@dataclass(frozen=True, slots=True)
class Services:
    """The process's settings, answerer and store; built and closed by the runner."""

    settings: Settings
    answerer: Answerer
    recorder: PairRecorder
    reviews: ReviewLog
    privacy: PrivacyLog
    db: Database
    # Replies a previous run left unfinished: edited at start-up to say so.
    stale_replies: tuple[StaleReply, ...] = ()
