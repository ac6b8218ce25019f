"""Point an unchanged `pide-ayuda run` process at the fake Discord (tests only).

Put this folder on PYTHONPATH and set PIDE_AYUDA_FAKE_DISCORD (http://127.0.0.1:PORT). Any attempt
to resolve a host other than loopback fails, as in the test process.
"""

from __future__ import annotations

import os
import socket
from typing import Any

_base = os.environ.get("PIDE_AYUDA_FAKE_DISCORD")
if _base:
    import discord.gateway
    import discord.http
    import yarl

    discord.http.Route.BASE = f"{_base}/api/v10"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(
        _base.replace("http://", "ws://") + "/gateway"
    )
    _real_getaddrinfo = socket.getaddrinfo

    def _loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in (None, "localhost") and not str(host).startswith("127."):
            raise OSError(f"test process tried to resolve {host!r}")
        return _real_getaddrinfo(host, *args, **kwargs)

    socket.getaddrinfo = _loopback_only
