"""Retry policy and timeouts of the generated client against a real local server.

Both operations are POSTs (not idempotent): they are retried only when the server
provably did not process them (429; 503 with Retry-After; connection refused)."""

from __future__ import annotations

import socket

import httpx
import pytest
from chat_client import (
    APIConnectionError,
    APITimeoutError,
    InternalServerError,
    RateLimitError,
)

from tests.generated.support import IW_TOKEN, MUDBASE_JWT, Flavor, mudbase_ok
from tests.runtime.runtime_support import HTTPTestServer, Reply


def make(flavor: Flavor, server: HTTPTestServer, **kwargs: object) -> object:
    kwargs.setdefault("iw_erp_session_token", IW_TOKEN)
    kwargs.setdefault("mudbase_jwt", MUDBASE_JWT)
    kwargs.setdefault("base_url", server.url)
    return flavor.client(**kwargs)


def add_participant(flavor: Flavor, client: object) -> object:
    return flavor.run(
        client.mudbase.add_participant(project_id="proj_1", chat_id="chat_1", user_id="u")  # type: ignore[attr-defined]
    )


def add_chatroom_participant(flavor: Flavor, client: object) -> object:
    return flavor.run(client.iw_erp.add_chatroom_participant(data={"first_name": "Ada"}))  # type: ignore[attr-defined]


CALLS = pytest.mark.parametrize(
    "call", [add_participant, add_chatroom_participant], ids=["mudbase", "iw_erp"]
)


@CALLS
@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_post_is_never_retried_on_5xx_without_retry_after(
    flavor: Flavor, server: HTTPTestServer, sleeps: list[float], call: object, status: int
) -> None:
    server.default = Reply(status=status, json={"error": "boom"})
    client = make(flavor, server, max_retries=3)
    with pytest.raises(InternalServerError):
        call(flavor, client)  # type: ignore[operator]
    assert len(server.requests) == 1
    assert sleeps == []


@CALLS
def test_post_not_retried_on_read_error_after_sending(
    flavor: Flavor, server: HTTPTestServer, sleeps: list[float], call: object
) -> None:
    server.default = Reply(action="close")  # request read, connection dropped, no answer
    client = make(flavor, server, max_retries=3)
    with pytest.raises(APIConnectionError):
        call(flavor, client)  # type: ignore[operator]
    assert len(server.requests) == 1
    assert sleeps == []


@CALLS
def test_retried_on_429(
    flavor: Flavor, server: HTTPTestServer, sleeps: list[float], call: object
) -> None:
    server.enqueue(Reply(status=429, json={"error": "slow down"}), Reply(status=429))
    client = make(flavor, server)
    call(flavor, client)  # type: ignore[operator]
    assert len(server.requests) == 3
    assert len(sleeps) == 2 and all(0 < s <= 8 for s in sleeps)
    # the retried requests are identical (same body, same credential)
    assert (
        len(
            {
                (r.path, r.body, r.header("Authorization"), r.header("x-session-token"))
                for r in server.requests
            }
        )
        == 1
    )


def test_429_exhausts_retries(flavor: Flavor, server: HTTPTestServer, sleeps: list[float]) -> None:
    server.default = Reply(status=429, json={"error": "slow down"}, headers={"Retry-After": "3"})
    client = make(flavor, server, max_retries=2)
    with pytest.raises(RateLimitError) as info:
        add_participant(flavor, client)
    assert len(server.requests) == 3
    assert sleeps == [3.0, 3.0]
    assert info.value.response.headers["Retry-After"] == "3"


@CALLS
def test_retried_on_503_with_retry_after(
    flavor: Flavor, server: HTTPTestServer, sleeps: list[float], call: object
) -> None:
    server.enqueue(Reply(status=503, headers={"Retry-After": "2"}))
    client = make(flavor, server)
    result = call(flavor, client)  # type: ignore[operator]
    assert result is not None
    assert len(server.requests) == 2
    assert sleeps == [2.0]


def test_retry_after_ms_and_http_date(
    flavor: Flavor, server: HTTPTestServer, sleeps: list[float]
) -> None:
    server.enqueue(
        Reply(status=429, headers={"retry-after-ms": "250"}),
        Reply(status=503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),  # past
    )
    client = make(flavor, server)
    add_participant(flavor, client)
    assert len(server.requests) == 3
    assert sleeps == [0.25, 0.0]


def test_too_long_retry_after_is_not_waited_for(
    flavor: Flavor, server: HTTPTestServer, sleeps: list[float]
) -> None:
    server.enqueue(Reply(status=429, headers={"Retry-After": "3600"}))
    client = make(flavor, server)
    with pytest.raises(RateLimitError):
        add_participant(flavor, client)
    assert len(server.requests) == 1 and sleeps == []


def test_server_can_veto_retries(
    flavor: Flavor, server: HTTPTestServer, sleeps: list[float]
) -> None:
    server.enqueue(Reply(status=429, headers={"x-should-retry": "false"}))
    client = make(flavor, server)
    with pytest.raises(RateLimitError):
        add_participant(flavor, client)
    assert len(server.requests) == 1 and sleeps == []


def test_with_options_max_retries_zero(
    flavor: Flavor, server: HTTPTestServer, sleeps: list[float]
) -> None:
    server.default = Reply(status=429, json={})
    client = make(flavor, server, max_retries=5)
    with pytest.raises(RateLimitError):
        add_participant(flavor, client.with_options(max_retries=0))
    assert len(server.requests) == 1 and sleeps == []
    assert client.max_retries == 5  # the original is unchanged
    server.requests.clear()
    server.default = Reply(status=200, json={})
    server.enqueue(Reply(status=429))
    add_participant(flavor, client)
    assert len(server.requests) == 2


def test_max_retries_zero_on_the_client(
    flavor: Flavor, server: HTTPTestServer, sleeps: list[float]
) -> None:
    server.default = Reply(status=503, headers={"Retry-After": "1"})
    client = make(flavor, server, max_retries=0)
    with pytest.raises(InternalServerError):
        add_chatroom_participant(flavor, client)
    assert len(server.requests) == 1 and sleeps == []


def test_connection_refused_is_retried_then_raised(flavor: Flavor, sleeps: list[float]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = flavor.client(
        mudbase_jwt=MUDBASE_JWT, base_url=f"http://127.0.0.1:{port}", max_retries=2
    )
    with pytest.raises(APIConnectionError) as info:
        add_participant(flavor, client)
    assert not isinstance(info.value, APITimeoutError)
    assert len(sleeps) == 2  # nothing was sent, so even a POST is retried
    assert MUDBASE_JWT not in str(info.value)


def test_retry_succeeds_after_a_refused_connection(
    flavor: Flavor, server: HTTPTestServer, sleeps: list[float]
) -> None:
    """A connect error on the first attempt, the real server on the second."""
    attempts: list[httpx.Request] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        attempts.append(request)
        if len(attempts) == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json=mudbase_ok().json)

    http_client = flavor.http_client(transport=httpx.MockTransport(flaky))
    client = flavor.client(mudbase_jwt=MUDBASE_JWT, http_client=http_client)
    result = add_participant(flavor, client)
    assert result.success is True  # type: ignore[attr-defined]
    assert len(attempts) == 2 and len(sleeps) == 1


# --------------------------------------------------------------------------- timeouts


@CALLS
def test_client_timeout(
    flavor: Flavor, server: HTTPTestServer, sleeps: list[float], call: object
) -> None:
    server.default = Reply(action="hang")
    client = make(flavor, server, timeout=0.3, max_retries=2)
    with pytest.raises(APITimeoutError) as info:
        call(flavor, client)  # type: ignore[operator]
    assert isinstance(info.value, APIConnectionError)
    assert len(server.requests) == 1 and sleeps == []  # a POST read timeout is not retried
    assert info.value.request.extensions["timeout"]["read"] == 0.3


def test_per_call_timeout_with_options(flavor: Flavor, server: HTTPTestServer) -> None:
    client = make(flavor, server, timeout=30.0)
    server.enqueue(Reply(action="hang"))
    with pytest.raises(APITimeoutError) as info:
        add_participant(flavor, client.with_options(timeout=httpx.Timeout(0.3, connect=1.0)))
    assert info.value.request.extensions["timeout"] == {
        "connect": 1.0,
        "read": 0.3,
        "write": 0.3,
        "pool": 0.3,
    }
    assert client.timeout == httpx.Timeout(30.0)
    # the original client still works, with its own timeout
    raw = flavor.run(
        client.mudbase.with_raw_response.add_participant(project_id="p", chat_id="c", user_id="u")
    )
    assert raw.request.extensions["timeout"]["read"] == 30.0


def test_default_timeout_is_sent_with_every_request(flavor: Flavor, server: HTTPTestServer) -> None:
    client = make(flavor, server)
    raw = flavor.run(
        client.iw_erp.with_raw_response.add_chatroom_participant(data={"first_name": "Ada"})
    )
    assert raw.request.extensions["timeout"] == {
        "connect": 5.0,
        "read": 60.0,
        "write": 60.0,
        "pool": 60.0,
    }


def test_timeout_none_waits_forever(flavor: Flavor, server: HTTPTestServer) -> None:
    client = make(flavor, server, timeout=None)
    raw = flavor.run(client.iw_erp.with_raw_response.add_chatroom_participant(data={}))
    assert set(raw.request.extensions["timeout"].values()) == {None}


@pytest.mark.parametrize("bad", [-1, "10", True])
def test_bad_timeout_refused(flavor: Flavor, bad: object) -> None:
    with pytest.raises(ValueError, match="timeout"):
        flavor.client_class(timeout=bad)
