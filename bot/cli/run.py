"""`pide-ayuda run`: start the Discord bot and own the lifetimes of its resources."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import aiohttp
import discord

from bot.cli import CliError
from bot.config import Settings, load_settings
from bot.logs import use_format
from bot.rag.answer import Answerer
from bot.rag.errors import RagError, first_line
from bot.rag.index import Index
from bot.services import Services
from bot.storage import open_database, open_recorder
from cogs.client import AssistantBot
from store.errors import StoreError
from store.privacy import PrivacyLog
from store.recording import PairRecorder
from store.records import StaleReply
from store.review import ReviewLog

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    """Add the `run` subcommand."""
    parser = subparsers.add_parser("run", help="run the Discord bot (needs DISCORD_TOKEN)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the bot until SIGTERM/SIGINT; return 0 after a clean shutdown."""
    settings = load_settings()
    use_format(settings.log_format)
    token = settings.discord_token.get_secret_value() if settings.discord_token else ""
    if not token:
        raise CliError("DISCORD_TOKEN is not set; put the bot token in .env (see docs/discord.md)")
    if not args.verbose:
        logging.getLogger().setLevel(settings.log_level.upper())
        # The HTTP clients under openai log every request at INFO; keep the operator's log readable.
        for noisy in ("httpx", "httpx2"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        asyncio.run(serve(settings, token))
    except StoreError as error:
        raise CliError(str(error)) from error
    except discord.LoginFailure as error:
        raise CliError(
            "Discord rejected DISCORD_TOKEN; copy the bot token again "
            "(Developer Portal > Bot > Reset Token)"
        ) from error
    except discord.Forbidden as error:  # at start-up, only the slash-command sync can get a 403
        raise CliError(
            f"Discord refused to register the slash commands ({error.text or error.status}); "
            "set DEV_GUILD_ID to a server the bot was invited to (scope applications.commands)"
        ) from error
    except discord.PrivilegedIntentsRequired as error:
        raise CliError(
            "enable the Message Content intent "
            "(Developer Portal > Bot > Privileged Gateway Intents), then start again"
        ) from error
    except (
        aiohttp.ClientError,
        OSError,
        discord.GatewayNotFound,
        discord.DiscordServerError,
    ) as error:
        raise CliError(
            f"cannot reach Discord ({type(error).__name__}: {first_line(error)}); check the "
            "network and https://discordstatus.com, then start again"
        ) from error
    return 0


@asynccontextmanager
async def open_services(settings: Settings) -> AsyncIterator[Services]:
    """Open the database (migrated to head), the recorder and the answerer; close in reverse."""
    async with AsyncExitStack() as stack:
        db = open_database(settings)
        stack.push_async_callback(db.aclose)
        await db.upgrade()
        recorder = open_recorder(db, settings)
        stack.push_async_callback(recorder.aclose)
        stale = await _finish_previous_run(recorder, settings)
        recorder.start()
        answerer = Answerer.from_settings(settings)
        stack.push_async_callback(answerer.aclose)
        services = Services(
            settings=settings,
            answerer=answerer,
            recorder=recorder,
            reviews=ReviewLog(db),
            privacy=PrivacyLog(db, recorder),
            db=db,
            stale_replies=tuple(stale),
        )
        try:
            _report_calibration(await services.answerer.index())
        except RagError as error:
            log.warning("starting without a usable index: %s", error)
        yield services


def _report_calibration(index: Index) -> None:
    """Log the relevance gate's operating point, or why its calibration does not fit."""
    if index.calibration_problem or index.calibration is None:
        point = index.operating_point
        log.warning(
            "%s; answering with gate threshold %s", index.calibration_problem, point.threshold
        )
    else:
        log.info("relevance gate: %s", index.calibration.describe())


async def _finish_previous_run(recorder: PairRecorder, settings: Settings) -> list[StaleReply]:
    """Write what a previous run spooled, and mark what it left unfinished as interrupted.

    Only the servers of this process's shards: another process's answers may be in progress.
    """
    await recorder.replay()
    try:
        return await recorder.interrupt_unfinished(settings.serves_guild)
    except StoreError as error:
        log.warning("could not mark unfinished answers of a previous run: %s", error)
        return []


async def serve(settings: Settings, token: str, **bot_options: Any) -> None:
    """Connect to Discord and answer until a signal asks to stop."""
    async with open_services(settings) as services, AssistantBot(services, **bot_options) as bot:
        loop = asyncio.get_running_loop()
        closing: set[asyncio.Task[None]] = set()

        def stop(name: str) -> None:
            log.info("%s received: finishing answers in flight, then stopping", name)
            task = loop.create_task(bot.close())
            closing.add(task)
            task.add_done_callback(closing.discard)

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop, sig.name)
        try:
            await bot.start(token)
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
            if closing:
                await asyncio.wait(closing)
    log.info("stopped cleanly")
