"""A loopback TCP proxy the tests can kill mid-stream, standing in for a server that dies."""

from __future__ import annotations

import asyncio
import contextlib


class KillableProxy:
    """Forward 127.0.0.1:<port> to an upstream port; `kill()` drops every connection at once."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = 0
        self.content_chunks = 0
        self.streaming = asyncio.Event()
        self.stream_after_chunks = 5
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        """Listen on a free loopback port."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        self._writers += [writer, up_writer]
        await asyncio.gather(
            self._pump(reader, up_writer, count=False),
            self._pump(up_reader, writer, count=True),
            return_exceptions=True,
        )

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, count: bool
    ) -> None:
        while data := await reader.read(65536):
            if count:
                self.content_chunks += data.count(b'"content":"')
                if self.content_chunks >= self.stream_after_chunks:
                    self.streaming.set()
            writer.write(data)
            await writer.drain()
        with contextlib.suppress(OSError):
            writer.write_eof()

    async def kill(self) -> None:
        """Stop listening and abort every open connection, like a server that was killed."""
        if self._server is not None:
            self._server.close()
        for writer in self._writers:
            writer.transport.abort()
        if self._server is not None:
            await self._server.wait_closed()
