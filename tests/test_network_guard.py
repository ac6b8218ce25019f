"""The suite-wide guard really blocks non-loopback traffic."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import NetworkLeakError


def test_resolving_a_public_host_fails() -> None:
    with pytest.raises(NetworkLeakError):
        socket.getaddrinfo("discord.com", 443)


def test_connecting_to_a_public_address_fails() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(NetworkLeakError):
        sock.connect(("162.159.128.233", 443))


def test_loopback_is_allowed() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
            client.connect(server.getsockname())
