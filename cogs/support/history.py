"""Read what the store knows of a conversation right after an answer: wait briefly for its row.

An answer's row is completed off the reply path (store/recording.py), so a follow-up or a marked
solution may arrive before it is written. Both wait at most `SETTLE_SECONDS` for the queued writes,
then read; past that they go on without (and log why).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from bot.rag.types import Turn
from store.conversations import ConversationLog
from store.errors import StoreError
from store.recording import PairRecorder

log = logging.getLogger(__name__)

SETTLE_SECONDS = 0.5


async def settled(recorder: PairRecorder) -> None:
    """Wait up to `SETTLE_SECONDS` for the recorder's queued writes."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(recorder.flush(), SETTLE_SECONDS)


async def read_history(
    recorder: PairRecorder,
    conversations: ConversationLog,
    thread_id: int,
    user_id: int,
    before: datetime,
) -> list[Turn]:
    """Return the asker's conversation in a thread or post (none if the store cannot say)."""
    await settled(recorder)
    try:
        reading = conversations.history(thread_id, user_id, before)
        turns = await asyncio.wait_for(reading, SETTLE_SECONDS)
    except (StoreError, TimeoutError) as error:
        log.warning("answering without the history of thread %s: %r", thread_id, error)
        return []
    return [Turn(turn.role, turn.text) for turn in turns]
