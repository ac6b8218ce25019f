"""Wire the store to the bot: open it from the settings, turn answers into the store's records."""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import Settings
from bot.rag.types import Answer
from bot.rag.urls import public_url
from bot.redact import redact
from store.db import Database
from store.pseudonym import load_salt
from store.recording import PairRecorder
from store.records import Delivery, OutcomeRecord, SourceRecord
from store.spool import SPOOL_FILE


def open_database(settings: Settings) -> Database:
    """Open the database named by DATABASE_URL (default: SQLite in the data directory)."""
    return Database.open(settings.sqlalchemy_url, settings.data_dir)


def open_recorder(db: Database, settings: Settings) -> PairRecorder:
    """Build the recorder, with its spool in the data directory."""
    return PairRecorder(
        db, settings.data_dir / SPOOL_FILE, replay_seconds=settings.spool_replay_seconds
    )


def export_salt(settings: Settings) -> bytes:
    """Return the key of exported pseudonyms: EXPORT_SALT, or one kept in the data directory."""
    configured = settings.export_salt.get_secret_value() if settings.export_salt else None
    return load_salt(configured, settings.data_dir)


def outcome_of(
    answer: Answer, delivery: Delivery, reply_message_ids: Sequence[int] = ()
) -> OutcomeRecord:
    """Describe how an answer ended and the messages that show it, as the store records it."""
    return OutcomeRecord(
        answer=answer.text,
        status=answer.status,
        mode=answer.mode,
        delivery=delivery,
        reply_message_ids=tuple(reply_message_ids),
        model=answer.model,
        endpoint=public_url(answer.endpoint) if answer.endpoint else None,  # stored: no secrets
        error_cause=redact(answer.error_cause) if answer.error_cause else None,  # upstream echoes
        notice=answer.notice,
        timings=dict(answer.timings),
        sources=tuple(
            SourceRecord(
                s.title, s.author, s.quote, s.talk_id, s.chunk_id, float(s.score), text=s.text
            )
            for s in answer.sources
        ),
    )
