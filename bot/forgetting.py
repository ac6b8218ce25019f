"""Forget a person everywhere: the store's one transaction, then the curated Chroma collection.

Both `/borrar-mis-datos` and `pide-ayuda privacy forget` call `forget_person`. The database is
the reference: once its transaction has committed, the curated collection is made to hold no
pair the database no longer curates (the forgotten ones and any left by an earlier failure).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

from bot.rag.curated import CuratedIndex
from bot.rag.errors import RagError, first_line
from store.curated import CuratedLog
from store.db import Database
from store.privacy import Forgotten, PrivacyLog

log = logging.getLogger(__name__)

OpenCurated = Callable[[], Awaitable[CuratedIndex]]


class CuratedNotUpdatedError(RagError):
    """The database forgot the person, but the curated collection could not be updated."""

    def __init__(self, message: str, forgotten: Forgotten) -> None:
        """Keep what the database forgot."""
        super().__init__(message)
        self.forgotten = forgotten


async def drop_from_curated(db: Database, curated: CuratedIndex, pair_ids: Iterable[int]) -> int:
    """Remove these pairs, and any the log no longer curates, from the collection; count them."""
    wanted = {pair.pair_id for pair in await CuratedLog(db).curated()}
    present = await asyncio.to_thread(curated.pair_ids)
    doomed = (present - wanted) | (present & set(pair_ids))
    await asyncio.to_thread(curated.remove, sorted(doomed))
    return len(doomed)


async def forget_person(
    db: Database, privacy: PrivacyLog, open_curated: OpenCurated, user_id: int
) -> Forgotten:
    """Delete a person's data in one transaction, then take their pairs out of the curated set.

    Raises `CuratedNotUpdatedError` when only the collection failed: running it again (or the
    bot's periodic curated sync) finishes the job.
    """
    forgotten = await privacy.delete_user_data(user_id)
    try:
        removed = await drop_from_curated(db, await open_curated(), forgotten.pair_ids)
    except Exception as error:  # Chroma's own errors too: the database already forgot
        raise CuratedNotUpdatedError(
            f"cannot update the curated answers ({first_line(error)})", forgotten
        ) from error
    log.info("forgot a person: %d rows, %d curated answers removed", forgotten.rows, removed)
    return forgotten
