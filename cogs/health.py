"""`GET /healthz` and `GET /metrics` from inside the bot process, when METRICS_PORT is set.

Loaded as an extension: the server starts with the cogs and stops when they unload. It binds to
METRICS_HOST (127.0.0.1 by default): put it behind a firewall or a proxy, never on the Internet.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from discord.ext import commands
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot import metrics
from cogs.client import AssistantBot
from store.write_probe import can_write

log = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 3.0


class HealthServer:
    """The aiohttp application answering /healthz and /metrics for one bot."""

    def __init__(self, bot: AssistantBot) -> None:
        """Report on `bot` and its services."""
        self.bot = bot
        self._runner: web.AppRunner | None = None

    async def start(self, host: str, port: int) -> None:
        """Serve on host:port until `stop()`."""
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        log.info("serving /healthz and /metrics on http://%s:%d", host, port)

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def healthz(self, request: web.Request) -> web.Response:
        """Answer 200 with the checks, or 503 when the gateway is down or the database read-only."""
        report = await self.report()
        healthy = report["gateway_connected"] and report["database_writable"]
        return web.json_response(report, status=200 if healthy else 503)

    async def metrics(self, request: web.Request) -> web.Response:
        """Answer the Prometheus text exposition of this process's metrics."""
        self._refresh_gauges()
        body = generate_latest(metrics.REGISTRY)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def report(self) -> dict[str, Any]:
        """Collect every check of /healthz."""
        shards = {
            str(shard_id): {
                "connected": not info.is_closed(),
                "latency_seconds": _finite(info.latency),
            }
            for shard_id, info in self.bot.shards.items()
        }
        last = metrics.LlmHealth.last_success
        return {
            "gateway_connected": bool(shards) and all(s["connected"] for s in shards.values()),
            "shards": shards,
            "index_loaded": self.bot.services.answerer.index_loaded,
            "database_writable": await self._database_writable(),
            "spool_pending": self._spool_pending(),
            "held_in_memory": self.bot.services.recorder.held(),
            "llm_configured": self.bot.services.answerer.chat is not None,
            "llm_last_success": datetime.fromtimestamp(last, UTC).isoformat() if last else None,
        }

    async def _database_writable(self) -> bool:
        try:
            return await asyncio.wait_for(can_write(self.bot.services.db), PROBE_TIMEOUT_SECONDS)
        except TimeoutError:
            return False

    def _spool_pending(self) -> int:
        """Count the writes waiting in the spool for the database."""
        return self.bot.services.recorder.pending()

    def _refresh_gauges(self) -> None:
        metrics.set_spool_pending(self._spool_pending())
        metrics.set_held_in_memory(self.bot.services.recorder.held())
        metrics.set_gateway_latency(self.bot.latencies)


def _finite(seconds: float) -> float | None:
    return seconds if seconds == seconds and seconds != float("inf") else None


class Health(commands.Cog):
    """Run the health/metrics server for the life of the bot, when METRICS_PORT is set."""

    def __init__(self, bot: AssistantBot) -> None:
        """Prepare the server; it starts in `cog_load`."""
        self.settings = bot.services.settings
        self.server = HealthServer(bot)

    async def cog_load(self) -> None:
        """Start serving; a port that cannot be bound is one error line, not a crash."""
        port = self.settings.metrics_port
        if port is None:
            return
        try:
            await self.server.start(self.settings.metrics_host, port)
        except OSError as error:
            log.error(
                "cannot serve /healthz and /metrics on %s:%d (%s); set METRICS_PORT to a free port",
                self.settings.metrics_host,
                port,
                error.strerror or error,
            )

    async def cog_unload(self) -> None:
        """Stop serving."""
        await self.server.stop()


async def setup(bot: AssistantBot) -> None:
    """Load the health extension."""
    await bot.add_cog(Health(bot))
