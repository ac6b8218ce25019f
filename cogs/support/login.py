"""Check a bot token by logging in to Discord's REST API once (no gateway): `pide-ayuda doctor`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

import aiohttp
import discord

from bot.rag.errors import first_line


@dataclass(frozen=True, slots=True)
class Login:
    """How a token fared: the bot's name when valid, else why not."""

    outcome: Literal["valid", "rejected", "unreachable"]
    detail: str


async def try_login(token: str) -> Login:
    """Log in with `token` and log out again."""
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    try:
        me = await http.static_login(token)
    except discord.LoginFailure:
        return Login("rejected", "")
    except (aiohttp.ClientError, OSError, discord.HTTPException) as error:
        return Login("unreachable", f"{type(error).__name__}: {first_line(error)}")
    finally:
        await http.close()
    return Login("valid", str(me["username"]))
