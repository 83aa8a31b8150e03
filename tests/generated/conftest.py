"""Fixtures for the end-to-end tests of the generated ``chat_client`` package: a real
HTTP server on 127.0.0.1, both client flavours, and the Prism mock server."""

from __future__ import annotations

import logging
import os
import ssl
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from chat_client import _base_client

from tests.generated.support import Flavor, PrismServer, RoutingServer, prism_executable

ENV_PREFIX = "CHAT_CLIENT_"


@pytest.fixture(scope="package", autouse=True)
def _shared_default_ssl_context() -> Iterator[None]:
    """Every ``httpx`` client builds an SSL context from certifi's bundle (~0.1 s, and
    hundreds of clients are made here); these tests never use TLS, so the default
    context is built once. Other ``verify``/``cert`` settings are passed through."""
    module = getattr(httpx, "_transports", None)
    default = getattr(module, "default", None)
    original = getattr(default, "create_ssl_context", None)
    if original is None:  # httpx internals changed: just be slower
        yield
        return
    shared: list[ssl.SSLContext] = []

    def create_ssl_context(verify: Any = True, cert: Any = None, trust_env: bool = True) -> Any:
        if verify is True and cert is None and trust_env:
            if not shared:
                shared.append(original(verify, cert, trust_env))
            return shared[0]
        return original(verify, cert, trust_env)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(default, "create_ssl_context", create_ssl_context)
        yield


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No credential, base URL or log level leaks in from the developer's shell."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _reset_package_logger() -> Iterator[None]:
    """``CHAT_CLIENT_LOG`` attaches a stderr handler to the package logger; undo it."""
    logger = logging.getLogger("chat_client")
    level, handlers = logger.level, list(logger.handlers)
    yield
    for handler in logger.handlers:
        if handler not in handlers:
            logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retry back-off of both clients recorded instead of slept."""
    recorded: list[float] = []

    def fake_sleep(self: object, seconds: float) -> None:
        recorded.append(seconds)

    async def fake_async_sleep(self: object, seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr(_base_client.SyncAPIClient, "_sleep", fake_sleep)
    monkeypatch.setattr(_base_client.AsyncAPIClient, "_sleep", fake_async_sleep)
    return recorded


@pytest.fixture
def server() -> Iterator[RoutingServer]:
    srv = RoutingServer()
    try:
        yield srv
    finally:
        srv.shutdown()


@pytest.fixture(params=["sync", "async"])
def flavor(request: pytest.FixtureRequest) -> Iterator[Flavor]:
    fl = Flavor(is_async=request.param == "async")
    try:
        yield fl
    finally:
        fl.teardown()


@pytest.fixture(scope="session")
def prism() -> Iterator[PrismServer]:
    executable = prism_executable()
    if executable is None:
        pytest.skip(
            "Prism is not installed (run `npm ci --prefix tests/npm` or set CLIENTGEN_NPM_DIR); "
            "node and node_modules/.bin/prism are needed for the mock-server tests"
        )
    srv = PrismServer(executable)
    try:
        yield srv
    finally:
        srv.stop()
