"""Wait on a condition that no event announces (a row in a database, a file), within a bound."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def eventually(check: Callable[[], object], within: float = 15, every: float = 0.02) -> None:
    """Return once `check()` is truthy; raise TimeoutError after `within` seconds."""
    async with asyncio.timeout(within):
        # Another process or thread changes what `check` reads: there is nothing to await but time.
        while not check():  # noqa: ASYNC110
            await asyncio.sleep(every)
