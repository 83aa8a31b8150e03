"""Fixtures for the runtime tests (servers bound to 127.0.0.1, shut down on teardown)."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from generator.runtime._base_client import AsyncAPIClient, SyncAPIClient
from tests.runtime.runtime_support import ENV_PREFIX, HTTPTestServer, client_kwargs


@pytest.fixture
def server() -> Iterator[HTTPTestServer]:
    srv = HTTPTestServer()
    try:
        yield srv
    finally:
        srv.shutdown()


@pytest.fixture
def refused_url() -> str:
    """URL of a 127.0.0.1 port nothing listens on (bound, then closed)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


# --------------------------------------------------------------------------- clients


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Replace the retry sleep of both clients; the list records requested delays."""
    recorded: list[float] = []

    def fake_sleep(self: SyncAPIClient, seconds: float) -> None:
        recorded.append(seconds)

    async def fake_async_sleep(self: AsyncAPIClient, seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr(SyncAPIClient, "_sleep", fake_sleep)
    monkeypatch.setattr(AsyncAPIClient, "_sleep", fake_async_sleep)
    return recorded


@pytest.fixture
def make_client(server: HTTPTestServer) -> Iterator[Callable[..., SyncAPIClient]]:
    created: list[SyncAPIClient] = []

    def factory(**overrides: Any) -> SyncAPIClient:
        overrides.setdefault("base_url", server.url)
        client = SyncAPIClient(**client_kwargs(**overrides))
        created.append(client)
        return client

    yield factory
    for client in created:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., SyncAPIClient]) -> SyncAPIClient:
    return make_client()
