"""Connections: context managers close them (sync and async), borrowed ``httpx``
clients stay open, and 1,000 concurrent async calls neither fail nor leak."""

from __future__ import annotations

import asyncio
import json
import threading

import httpx
from chat_client import AsyncChatClient, ChatClient

from tests.generated.support import IW_TOKEN, MUDBASE_JWT, Flavor, RoutingServer, wait_until
from tests.runtime.runtime_support import Recorded, Reply


def test_sync_context_manager_closes_connections(server: RoutingServer) -> None:
    with ChatClient(
        iw_erp_session_token=IW_TOKEN, mudbase_jwt=MUDBASE_JWT, base_url=server.url
    ) as client:
        client.iw_erp.add_chatroom_participant(data={"first_name": "Ada"})
        client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u")
        assert server.open_connections == 1  # kept alive and reused
        assert not client.is_closed
    assert client.is_closed
    assert wait_until(lambda: server.open_connections == 0), server.open_connections
    assert server.total_connections == 1


async def test_async_context_manager_closes_connections(server: RoutingServer) -> None:
    async with AsyncChatClient(
        iw_erp_session_token=IW_TOKEN, mudbase_jwt=MUDBASE_JWT, base_url=server.url
    ) as client:
        await client.iw_erp.add_chatroom_participant(data={"first_name": "Ada"})
        await client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u")
        assert server.open_connections == 1
    assert client.is_closed
    for _ in range(500):  # the server notices the close on its own threads
        if server.open_connections == 0:
            break
        await asyncio.sleep(0.01)
    assert server.open_connections == 0
    assert server.total_connections == 1


def test_close_without_context_manager(flavor: Flavor, server: RoutingServer) -> None:
    client = flavor.client(mudbase_jwt=MUDBASE_JWT, base_url=server.url)
    flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"))
    flavor.close(client)
    assert client.is_closed
    assert wait_until(lambda: server.open_connections == 0)
    flavor.close(client)  # closing twice is harmless


def test_borrowed_http_client_is_not_closed(flavor: Flavor, server: RoutingServer) -> None:
    http_client = flavor.http_client()
    client = flavor.client(mudbase_jwt=MUDBASE_JWT, base_url=server.url, http_client=http_client)
    flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"))
    flavor.close(client)
    assert not http_client.is_closed
    flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"))
    flavor.run(http_client.aclose() if flavor.is_async else http_client.close())
    assert client.is_closed
    assert wait_until(lambda: server.open_connections == 0)


def test_with_options_copy_does_not_close_the_original(
    flavor: Flavor, server: RoutingServer
) -> None:
    client = flavor.client(mudbase_jwt=MUDBASE_JWT, base_url=server.url)
    copy = client.with_options(max_retries=0)
    flavor.close(copy)
    assert not client.is_closed
    flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"))
    assert len(server.requests) == 1


def test_borrowed_http_client_settings_are_used(flavor: Flavor, server: RoutingServer) -> None:
    http_client = flavor.http_client(headers={"X-From-Http-Client": "yes"})
    client = flavor.client(mudbase_jwt=MUDBASE_JWT, base_url=server.url, http_client=http_client)
    flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"))
    assert server.last.header("X-From-Http-Client") == "yes"
    assert server.last.header("Authorization") == f"Bearer {MUDBASE_JWT}"
    flavor.run(http_client.aclose() if flavor.is_async else http_client.close())


# --------------------------------------------------------------------------- concurrency


def _echo_user(recorded: Recorded) -> Reply:
    user_id = json.loads(recorded.body)["userId"]
    chat_id = recorded.path.split("/")[6]
    return Reply(
        json={
            "success": True,
            "data": {
                "participants": [
                    {"userId": user_id, "role": chat_id, "addedAt": "2024-01-15T11:00:00Z"}
                ]
            },
        }
    )


async def test_thousand_concurrent_async_calls(server: RoutingServer) -> None:
    server.handler = _echo_user
    client = AsyncChatClient(mudbase_jwt=MUDBASE_JWT, base_url=server.url, max_retries=0)
    async with client:
        results = await asyncio.gather(
            *(
                client.mudbase.add_participant(
                    project_id="proj", chat_id=f"chat-{i}", user_id=f"usr_{i}", role="member"
                )
                for i in range(1000)
            ),
            return_exceptions=True,
        )
        errors = [r for r in results if isinstance(r, BaseException)]
        assert errors == []
        # every answer belongs to its own request (no mix-ups between connections)
        for i, result in enumerate(results):
            entry = result.data.participants[0]  # type: ignore[union-attr]
            assert (entry.user_id, entry.role) == (f"usr_{i}", f"chat-{i}")
        pool = client._client._transport._pool  # type: ignore[attr-defined]
        assert 1 <= len(pool.connections) <= 100
    assert len(server.requests) == 1000
    assert server.peak_connections <= 100
    assert client.is_closed
    assert pool.connections == []
    for _ in range(500):
        if server.open_connections == 0:
            break
        await asyncio.sleep(0.01)
    assert server.open_connections == 0


async def test_concurrent_calls_on_a_borrowed_client(server: RoutingServer) -> None:
    limits = httpx.Limits(max_connections=10, max_keepalive_connections=10)
    async with httpx.AsyncClient(limits=limits) as http_client:
        client = AsyncChatClient(
            iw_erp_session_token=IW_TOKEN, base_url=server.url, http_client=http_client
        )
        results = await asyncio.gather(
            *(client.iw_erp.add_chatroom_participant(data={"id": i}) for i in range(200))
        )
        assert len(results) == 200
        assert server.peak_connections <= 10
    for _ in range(500):
        if server.open_connections == 0:
            break
        await asyncio.sleep(0.01)
    assert server.open_connections == 0


async def test_cancelled_calls_release_their_connections(server: RoutingServer) -> None:
    gate = threading.Event()

    def slow(recorded: Recorded) -> Reply:
        gate.wait(10)
        return Reply(action="close")

    server.handler = slow
    client = AsyncChatClient(mudbase_jwt=MUDBASE_JWT, base_url=server.url, max_retries=0)
    try:
        tasks = [
            asyncio.create_task(
                client.mudbase.add_participant(project_id="p", chat_id="c", user_id=f"u{i}")
            )
            for i in range(5)
        ]
        for _ in range(1000):  # until the server holds all five requests
            if len(server.requests) == 5:
                break
            await asyncio.sleep(0.01)
        assert len(server.requests) == 5
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(r, asyncio.CancelledError) for r in results)
        pool = client._client._transport._pool  # type: ignore[attr-defined]
        assert pool.connections == []  # half-used connections are dropped, not pooled
        # the client still works afterwards
        server.handler = None
        server.default = Reply(json={"success": True})
        result = await client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u")
        assert result.success is True
    finally:
        gate.set()
        await client.close()
    for _ in range(500):
        if server.open_connections == 0:
            break
        await asyncio.sleep(0.01)
    assert server.open_connections == 0
