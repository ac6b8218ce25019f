"""`pide-ayuda doctor`: check every part the bot needs and say what to fix, one line each."""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from bot.config import Settings, load_settings
from bot.errors import UserFacingError
from bot.llm_credentials import llm_credential
from bot.rag.errors import RagError
from bot.rag.index import Index
from bot.rag.llm import ChatClient
from bot.rag.urls import public_url
from bot.storage import open_database
from cogs.support.login import try_login
from store.db import alembic_config

Level = Literal["ok", "warn", "fail"]
PROBE_QUESTION = "¿De qué trata la charla?"


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of one check."""

    level: Level
    name: str
    detail: str


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `doctor` subcommand."""
    parser = subparsers.add_parser(
        "doctor", help="check the data directory, database, index, LLM and Discord settings"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print one line per check; exit 1 when any check failed."""
    settings = load_settings()
    checks = asyncio.run(run_checks(settings))
    for check in checks:
        print(f"{check.level:<5} {check.name:<15} {check.detail}")
    return 1 if any(check.level == "fail" for check in checks) else 0


async def run_checks(settings: Settings) -> list[Check]:
    """Run every check in order; a failing check never stops the others."""
    probes: list[tuple[str, Callable[[Settings], Awaitable[Check]]]] = [
        ("data directory", _data_dir),
        ("database", _database),
        ("index", _index),
        ("gate calibration", _calibration),
        ("chat LLM", _llm),
        ("LLM credential", _llm_credential),
        ("Discord", _discord),
    ]
    results = []
    for name, probe in probes:
        try:
            results.append(await probe(settings))
        except UserFacingError as error:
            results.append(Check("fail", name, str(error)))
    return results


async def _data_dir(settings: Settings) -> Check:
    folder = settings.data_dir.resolve()
    existing = next((p for p in (folder, *folder.parents) if p.exists()), folder)
    if not os.access(existing, os.W_OK):
        return Check("fail", "data directory", f"{folder} cannot be written: fix its permissions")
    state = "exists" if folder.exists() else "will be created"
    return Check("ok", "data directory", f"{folder} ({state}, writable)")


async def _database(settings: Settings) -> Check:
    db = open_database(settings)  # an invalid DATABASE_URL fails here, in one line
    shown = make_url(settings.sqlalchemy_url).render_as_string(hide_password=True)
    try:
        current = await db.current()
    finally:
        await db.aclose()
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if current == head:
        return Check("ok", "database", f"{shown} at revision {current} (latest)")
    return Check(
        "ok",
        "database",
        f"{shown} at revision {current or 'none'}: `pide-ayuda run` (or `pide-ayuda db upgrade`) "
        f"migrates it to {head} at start",
    )


async def _index(settings: Settings) -> Check:
    index = await asyncio.to_thread(Index.open, settings)
    try:
        passages = await index.search(PROBE_QUESTION, k=1)
        talks = len(index.talks())
    finally:
        index.close()
    where = public_url(settings.chroma_url) if settings.chroma_url else settings.chroma_path
    if not passages:
        return Check("fail", "index", f"{where} returned nothing: run `pide-ayuda ingest`")
    return Check("ok", "index", f"{where}: {talks} talks, search answers")


async def _calibration(settings: Settings) -> Check:
    """Say whether the gate's calibration fits the index and embedder in use."""
    try:
        index = await asyncio.to_thread(Index.open, settings)
    except RagError:
        return Check("warn", "gate calibration", "no usable index to check (see the index line)")
    try:
        fitted, problem = index.calibration, index.calibration_problem
        point = index.operating_point
    finally:
        index.close()
    if problem or fitted is None:
        return Check("warn", "gate calibration", f"{problem}; using threshold {point.threshold}")
    return Check("ok", "gate calibration", fitted.describe())


async def _llm(settings: Settings) -> Check:
    if not settings.llm_base_url:
        return Check("ok", "chat LLM", "LLM_BASE_URL not set: answers are extractive (quotes)")
    client = ChatClient(settings)
    try:
        info = await client.model_info()
    finally:
        await client.aclose()
    window = f", context {info.max_model_len} tokens" if info.max_model_len else ""
    return Check("ok", "chat LLM", f"{client.base_url} serves {info.name}{window}")


async def _llm_credential(settings: Settings) -> Check:
    """Say which credential the chat client sends; warn when a URL's userinfo is ignored."""
    if not settings.llm_base_url:
        return Check("ok", "LLM credential", "none needed (no LLM_BASE_URL)")
    credential = llm_credential(settings)
    return Check(
        "warn" if credential.userinfo_ignored else "ok", "LLM credential", credential.describe()
    )


async def _discord(settings: Settings) -> Check:
    if settings.discord_token is None:
        return Check("warn", "Discord", "DISCORD_TOKEN not set: `pide-ayuda run` needs it")
    guild = (
        f"commands sync to guild {settings.dev_guild_id}"
        if settings.dev_guild_id
        else ("commands sync globally (set DEV_GUILD_ID for instant sync while testing)")
    )
    login = await try_login(settings.discord_token.get_secret_value())
    if login.outcome == "rejected":
        return Check(
            "fail", "Discord", "Discord rejected DISCORD_TOKEN: copy it again (Reset Token)"
        )
    if login.outcome == "unreachable":
        return Check(
            "warn", "Discord", f"token set but not checked (Discord unreachable: {login.detail})"
        )
    return Check("ok", "Discord", f"token valid for bot {login.detail}; {guild}")
