r"""Decode Discord's JSON leniently, so that no frame a user can shape ends the process.

discord.py decodes every gateway frame and REST body with orjson when it is installed (chromadb
pulls it in). orjson rejects text that the JSON spec allows, such as a lone surrogate escape
(`"\ud800"`) that any user can put in a slash-command option, and the error escapes
`Client.start()`. This decoder falls back to the standard library for such text, replaces lone
surrogates (which no later step could encode as UTF-8) with U+FFFD, and turns a frame that is
not JSON at all into one that discord.py logs and skips.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import discord.utils

log = logging.getLogger(__name__)

_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SKIPPED_FRAME: dict[str, Any] = {"op": None, "t": None, "d": None, "s": None}
_strict = discord.utils._from_json


def lenient_loads(data: bytes | bytearray | memoryview | str) -> Any:
    """Decode like discord.py; on text it rejects, decode with the standard library instead."""
    try:
        return _strict(data)
    except ValueError as error:  # orjson.JSONDecodeError and json.JSONDecodeError both are
        try:
            decoded = json.loads(bytes(data) if isinstance(data, memoryview) else data)
        except ValueError:
            log.error("skipped a frame from Discord that is not JSON (%s)", error)
            return dict(_SKIPPED_FRAME)
        log.warning("decoded a frame from Discord that orjson rejects (%s)", error)
        return without_lone_surrogates(decoded)


def without_lone_surrogates(value: Any) -> Any:
    """Return `value` with every lone surrogate in its strings replaced by U+FFFD."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {key: without_lone_surrogates(item) for key, item in value.items()}
    return value


def install() -> None:
    """Make discord.py decode through `lenient_loads` (idempotent)."""
    discord.utils._from_json = lenient_loads
