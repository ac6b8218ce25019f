"""Whether the database takes a write now: one small row updated and committed."""

from __future__ import annotations

import logging

from sqlalchemy import insert, update

from store.db import Database
from store.errors import translate
from store.models import WriteProbe, utcnow

log = logging.getLogger(__name__)

PROBE_ID = 1


async def can_write(db: Database) -> bool:
    """Commit a write of the probe row; tell whether it reached the database."""
    try:
        async with db.writing() as session:
            now = utcnow()
            result = await session.execute(
                update(WriteProbe).where(WriteProbe.id == PROBE_ID).values(written_at=now)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                await session.execute(insert(WriteProbe).values(id=PROBE_ID, written_at=now))
    except Exception as error:
        log.debug("database not writable: %s", translate(error, "probing a write"))
        return False
    return True
