"""The LLM stream relay: renumbered text to the caller as it grows, degenerate output stopped."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from bot.rag.citations import renumber
from bot.rag.degenerate import Degeneracy, Verdict
from bot.rag.llm import OnText
from bot.rag.types import Passage

OnDelta = Callable[[str], Awaitable[None]]


class DegenerateStreamError(Exception):
    """Raised from the stream relay to stop a degenerate stream."""

    def __init__(self, verdict: Verdict) -> None:
        """Keep why the stream was stopped."""
        super().__init__(str(verdict))
        self.verdict = verdict


def checked_relay(
    passages: Sequence[Passage], degeneracy: Degeneracy, on_delta: OnDelta | None
) -> OnText:
    """Return the stream callback: stop a degenerate stream, else relay renumbered text."""
    shown = ""

    async def relay(text: str) -> None:
        nonlocal shown
        verdict = degeneracy.check(text)
        if verdict is not None:
            raise DegenerateStreamError(verdict)  # closes the stream: the server stops generating
        # Stripped like the final text, so each streamed text is a prefix of the answer.
        current = renumber(text, passages, final=False).text.lstrip()
        if on_delta is not None and current != shown:
            shown = current
            await on_delta(current)

    return relay
