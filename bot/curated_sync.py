"""Keep the curated collection in line with the Q&A log: one pair at once, or all of it.

Reviews on Discord, mentor answers and deletions update it at once (`curate_pair`, `resync`);
the bot's periodic pass (cogs/curated.py) picks up what other processes changed (`pide-ayuda faq`,
`review`, retention).
Failures are logged: the database stays the reference, and the next pass catches up.
"""

from __future__ import annotations

import asyncio
import logging

from bot.rag.curated import CuratedEntry
from bot.services import Services
from store.curated import CuratedLog, CuratedPair

log = logging.getLogger(__name__)


def as_entry(pair: CuratedPair) -> CuratedEntry:
    """Turn a curated pair of the store into an entry of the curated collection."""
    return CuratedEntry(pair.pair_id, pair.question, pair.answer, pair.provenance)


async def add_pair(services: Services, pair: CuratedPair) -> bool:
    """Index one curated pair now; return whether it was indexed."""
    try:
        curated = await services.answerer.curated_index()
        await asyncio.to_thread(curated.add, [as_entry(pair)])
    except Exception as error:  # the pair is saved; the next pass indexes it
        log.warning("could not index curated pair %s: %s", pair.pair_id, error)
        return False
    log.info("indexed curated pair %s (%s)", pair.pair_id, pair.provenance)
    return True


async def curate_pair(services: Services, pair_id: int) -> None:
    """Index a pair that is now approved or edited, or take out one that no longer is."""
    try:
        found = await CuratedLog(services.db).curated(pair_id)
        if found:
            await add_pair(services, found[0])
            return
        curated = await services.answerer.curated_index()
        await asyncio.to_thread(curated.remove, [pair_id])
    except Exception as error:
        log.warning("could not update curated pair %s: %s", pair_id, error)
        return
    log.info("curated pair %s left the collection", pair_id)


async def resync(services: Services) -> None:
    """Make the curated collection hold exactly the log's approved pairs; never raises."""
    try:
        pairs = await CuratedLog(services.db).curated()
        curated = await services.answerer.curated_index()
        added, removed = await asyncio.to_thread(curated.sync, [as_entry(p) for p in pairs])
    except Exception as error:
        log.warning("could not sync the curated answers: %s", error)
        return
    if added or removed:
        log.info("curated answers synced: %d added, %d removed", added, removed)
