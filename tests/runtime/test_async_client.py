"""AsyncAPIClient: mirror of the sync behaviour plus concurrency."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from generator.runtime._base_client import AsyncAPIClient
from generator.runtime._exceptions import (
    APIConnectionError,
    APITimeoutError,
    InternalServerError,
    MissingCredentialError,
    RateLimitError,
)
from tests.runtime.runtime_support import (
    CREATE_ITEM,
    GET_ITEM,
    JWT,
    LIST_ITEMS,
    AsyncHTTPTestServer,
    HTTPTestServer,
    Item,
    Reply,
    client_kwargs,
)


def make(server_url: str, **overrides: object) -> AsyncAPIClient:
    return AsyncAPIClient(**client_kwargs(base_url=server_url, **overrides))


async def test_async_wire_request(server: HTTPTestServer) -> None:
    server.enqueue(Reply(status=201, json={"id": "n", "name": "New"}))
    async with make(server.url) as client:
        item = await client.request(CREATE_ITEM, cast_to=Item, body={"name": "New"})
    assert item == Item(id="n", name="New")
    assert client.is_closed
    rec = server.last
    assert (rec.method, rec.path) == ("POST", "/items")
    assert rec.header("Authorization") == f"Bearer {JWT}"
    assert rec.json() == {"name": "New"}


async def test_async_retries(server: HTTPTestServer, sleeps: list[float]) -> None:
    async with make(server.url) as client:
        server.enqueue(Reply(status=502), Reply(json={"id": "a", "name": "n"}))
        assert (await client.request(GET_ITEM, cast_to=Item, path_params={"itemId": "a"})).id == "a"
        assert len(server.requests) == 2 and len(sleeps) == 1
        server.requests.clear()
        server.default = Reply(status=500)
        with pytest.raises(InternalServerError):
            await client.request(CREATE_ITEM, cast_to=object, body={})
        assert len(server.requests) == 1
        server.requests.clear()
        server.enqueue(Reply(status=429, headers={"Retry-After": "2"}), Reply(json={}))
        await client.request(CREATE_ITEM, cast_to=object, body={})
        assert sleeps[-1] == 2.0
        server.requests.clear()
        server.default = Reply(status=429, headers={"Retry-After": "120"})
        with pytest.raises(RateLimitError):
            await client.with_options(max_retries=5).request(CREATE_ITEM, cast_to=object, body={})
        assert len(server.requests) == 1


async def test_async_timeouts(server: HTTPTestServer) -> None:
    async with make(server.url, timeout=0.2) as client:
        server.enqueue(Reply(action="hang"))
        with pytest.raises(APITimeoutError):
            await client.request(CREATE_ITEM, cast_to=object, body={})
        assert len(server.requests) == 1
        server.enqueue(Reply(action="hang"), Reply(json={}))
        await client.request(LIST_ITEMS, cast_to=object)
        assert len(server.requests) == 3


async def test_async_connection_refused(refused_url: str, sleeps: list[float]) -> None:
    async with make(refused_url) as client:
        with pytest.raises(APIConnectionError):
            await client.request(CREATE_ITEM, cast_to=object, body={})
    assert len(sleeps) == 2


async def test_async_missing_credential(server: HTTPTestServer) -> None:
    async with make(server.url, credentials={}) as client:
        with pytest.raises(MissingCredentialError, match="TEST_CLIENT_MUDBASE_JWT"):
            await client.request(GET_ITEM, cast_to=object, path_params={"itemId": "a"})
    assert server.requests == []


async def test_async_close_only_owned_client(server: HTTPTestServer) -> None:
    http_client = httpx.AsyncClient()
    async with make(server.url, http_client=http_client) as client:
        copy = client.with_options(timeout=2.0)
        await copy.close()
        await client.request(LIST_ITEMS, cast_to=object)
    assert not http_client.is_closed
    await http_client.aclose()


async def test_thousand_concurrent_requests() -> None:
    async with AsyncHTTPTestServer() as server:
        client = make(server.url, max_retries=0)
        try:
            results = await asyncio.gather(
                *(
                    client.request(GET_ITEM, cast_to=Item, path_params={"itemId": str(i)})
                    for i in range(1000)
                )
            )
        finally:
            await client.close()
        assert [r.id for r in results] == [str(i) for i in range(1000)]
        assert server.requests == 1000
        assert server.peak_connections <= 100  # DEFAULT_CONNECTION_LIMITS.max_connections
        # every connection the client opened is closed once the client is closed
        for _ in range(500):
            if server.open_connections == 0:
                break
            await asyncio.sleep(0.01)
        assert server.open_connections == 0
