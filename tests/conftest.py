"""Suite-wide fixtures: no network beyond loopback, an isolated data directory per test."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect


class NetworkLeakError(RuntimeError):
    """Raised when a test tries to reach a host other than loopback."""


def _is_loopback(host: Any) -> bool:
    if host in (None, "localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if not _is_loopback(host):
        raise NetworkLeakError(f"test tried to resolve non-loopback host {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
        raise NetworkLeakError(f"test tried to connect to non-loopback address {address!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail loudly on any attempt to reach a host beyond 127.0.0.0/8 or ::1."""
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    yield


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Point the data directory at a temporary folder and clear settings from the host."""
    for name in (
        "DATABASE_URL",
        "CHROMA_URL",
        "EMBEDDINGS_BASE_URL",
        "EMBEDDINGS_MODEL",
        "EMBEDDINGS_API_KEY",
        "LLM_BASE_URL",
        "LLM_MODEL",
        "LLM_API_KEY",
        "DISCORD_TOKEN",
        "DEV_GUILD_ID",
        "ALLOWED_CHANNEL_IDS",
        "MODERATOR_ROLE_ID",
        "EXPORT_SALT",
        "RETRIEVAL_MIN_SCORE",
    ):
        monkeypatch.delenv(name, raising=False)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("PIDE_AYUDA_DATA_DIR", str(data_dir))
    monkeypatch.chdir(tmp_path)  # no stray .env from the checkout is read
    return data_dir
