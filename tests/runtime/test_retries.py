"""Retry policy: which failures are retried, how often, and how long the client waits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.runtime._base_client import SyncAPIClient, backoff_delay, parse_retry_after
from generator.runtime._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    InternalServerError,
    RateLimitError,
)
from generator.runtime._operations import Operation
from tests.runtime.runtime_support import (
    CREATE_ITEM,
    DELETE_ITEM,
    GET_ITEM,
    IDEMPOTENT_POST,
    PATCH_ITEM,
    HTTPTestServer,
    Item,
    Reply,
    client_kwargs,
)

MakeClient = Callable[..., SyncAPIClient]
OK = Reply(json={"id": "a", "name": "n"})


def call(client: SyncAPIClient, op: Operation) -> object:
    path_params = {"itemId": "a"} if "{itemId}" in op.path else None
    body = {"name": "n"} if op.method in ("POST", "PATCH") else None
    if body is None:
        return client.request(op, cast_to=object, path_params=path_params)
    return client.request(op, cast_to=object, path_params=path_params, body=body)


# --------------------------------------------------------------------------- idempotent


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_get_retried_on_transient_status(
    client: SyncAPIClient, server: HTTPTestServer, sleeps: list[float], status: int
) -> None:
    server.enqueue(Reply(status=status, json={"e": 1}), OK)
    result = client.request(GET_ITEM, cast_to=Item, path_params={"itemId": "a"})
    assert result.id == "a"
    assert len(server.requests) == 2
    assert len(sleeps) == 1


def test_get_gives_up_after_max_retries(
    client: SyncAPIClient, server: HTTPTestServer, sleeps: list[float]
) -> None:
    server.default = Reply(status=500, json={"error": "boom"})
    with pytest.raises(InternalServerError):
        call(client, GET_ITEM)
    assert len(server.requests) == 3  # 1 + max_retries=2
    assert len(sleeps) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_client_errors_are_not_retried(
    client: SyncAPIClient, server: HTTPTestServer, status: int
) -> None:
    server.default = Reply(status=status, json={"error": "no"})
    with pytest.raises(APIStatusError):
        call(client, GET_ITEM)
    assert len(server.requests) == 1


@pytest.mark.parametrize("op", [DELETE_ITEM, IDEMPOTENT_POST], ids=["DELETE", "idempotent-POST"])
def test_idempotent_operations_retried_on_500(
    client: SyncAPIClient, server: HTTPTestServer, op: Operation
) -> None:
    server.enqueue(Reply(status=500), OK)
    call(client, op)
    assert len(server.requests) == 2


def test_get_retried_after_connection_dropped(
    client: SyncAPIClient, server: HTTPTestServer
) -> None:
    server.enqueue(Reply(action="close"), Reply(json={"x": 1}, action="truncate"), OK)
    assert call(client, GET_ITEM) == {"id": "a", "name": "n"}
    assert len(server.requests) == 3


def test_get_retried_on_read_timeout(make_client: MakeClient, server: HTTPTestServer) -> None:
    client = make_client(timeout=0.2)
    server.enqueue(Reply(action="hang"), OK)
    assert call(client, GET_ITEM) == {"id": "a", "name": "n"}
    assert len(server.requests) == 2


def test_connection_error_after_retries(
    make_client: MakeClient, refused_url: str, sleeps: list[float]
) -> None:
    client = make_client(base_url=refused_url)
    with pytest.raises(APIConnectionError) as info:
        call(client, GET_ITEM)
    assert not isinstance(info.value, APITimeoutError)
    assert len(sleeps) == 2
    assert info.value.request.url.path == "/items/a"


# --------------------------------------------------------------------------- non-idempotent


@pytest.mark.parametrize("op", [CREATE_ITEM, PATCH_ITEM], ids=["POST", "PATCH"])
@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
def test_post_not_retried_on_server_errors(
    client: SyncAPIClient, server: HTTPTestServer, op: Operation, status: int
) -> None:
    server.default = Reply(status=status, json={"error": "x"})
    with pytest.raises(APIStatusError) as info:
        call(client, op)
    assert info.value.status_code == status
    assert len(server.requests) == 1


def test_post_retried_on_429(client: SyncAPIClient, server: HTTPTestServer) -> None:
    server.enqueue(Reply(status=429), OK)
    call(client, CREATE_ITEM)
    assert len(server.requests) == 2


def test_post_retried_on_503_with_retry_after(
    client: SyncAPIClient, server: HTTPTestServer, sleeps: list[float]
) -> None:
    server.enqueue(Reply(status=503, headers={"Retry-After": "3"}), OK)
    call(client, CREATE_ITEM)
    assert len(server.requests) == 2
    assert sleeps == [3.0]
    assert server.requests[0].body == server.requests[1].body == b'{"name":"n"}'


def test_post_not_retried_on_read_timeout(make_client: MakeClient, server: HTTPTestServer) -> None:
    client = make_client(timeout=httpx.Timeout(5.0, read=0.2))
    server.enqueue(Reply(action="hang"), OK)
    with pytest.raises(APITimeoutError):
        call(client, CREATE_ITEM)
    assert len(server.requests) == 1


def test_post_not_retried_after_connection_dropped(
    client: SyncAPIClient, server: HTTPTestServer
) -> None:
    server.enqueue(Reply(action="close"), OK)
    with pytest.raises(APIConnectionError):
        call(client, CREATE_ITEM)
    assert len(server.requests) == 1


def test_post_retried_when_connection_refused(
    make_client: MakeClient, refused_url: str, sleeps: list[float]
) -> None:
    client = make_client(base_url=refused_url)
    with pytest.raises(APIConnectionError):
        call(client, CREATE_ITEM)
    assert len(sleeps) == 2


def test_post_retried_on_connect_refused_then_succeeds(
    server: HTTPTestServer, refused_url: str, sleeps: list[float]
) -> None:
    # The first connect fails (nothing sent), the retry reaches the real server.
    transport = httpx.HTTPTransport()
    calls = {"n": 0}

    class FlakyTransport(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            calls["n"] += 1
            if calls["n"] == 1:
                raise httpx.ConnectError("refused", request=request)
            url = request.url.copy_with(host="127.0.0.1", port=int(server.url.rsplit(":", 1)[1]))
            request.url = url
            return transport.handle_request(request)

    http_client = httpx.Client(transport=FlakyTransport())
    client = SyncAPIClient(**client_kwargs(base_url=refused_url, http_client=http_client))
    assert call(client, CREATE_ITEM) == {}
    assert calls["n"] == 2 and len(server.requests) == 1 and len(sleeps) == 1
    assert server.last.json() == {"name": "n"}
    http_client.close()


# --------------------------------------------------------------------------- headers & counts


def test_x_should_retry_header_overrides(client: SyncAPIClient, server: HTTPTestServer) -> None:
    server.enqueue(Reply(status=500, headers={"x-should-retry": "true"}), OK)
    call(client, CREATE_ITEM)
    assert len(server.requests) == 2
    server.requests.clear()
    server.enqueue(Reply(status=500, headers={"x-should-retry": "false"}), OK)
    with pytest.raises(InternalServerError):
        call(client, GET_ITEM)
    assert len(server.requests) == 1


def test_retry_after_http_date(
    client: SyncAPIClient, server: HTTPTestServer, sleeps: list[float]
) -> None:
    when = datetime.now(UTC) + timedelta(seconds=30)
    server.enqueue(Reply(status=429, headers={"Retry-After": format_datetime(when, usegmt=True)}))
    server.enqueue(OK)
    call(client, GET_ITEM)
    assert len(sleeps) == 1
    assert 0 < sleeps[0] <= 30


def test_retry_after_ms(client: SyncAPIClient, server: HTTPTestServer, sleeps: list[float]) -> None:
    server.enqueue(Reply(status=429, headers={"retry-after-ms": "250", "Retry-After": "9"}), OK)
    call(client, CREATE_ITEM)
    assert sleeps == [0.25]


def test_retry_after_above_cap_gives_up(
    client: SyncAPIClient, server: HTTPTestServer, sleeps: list[float]
) -> None:
    server.enqueue(Reply(status=429, headers={"Retry-After": "61"}), OK)
    with pytest.raises(RateLimitError) as info:
        call(client, GET_ITEM)
    assert info.value.response.headers["Retry-After"] == "61"
    assert len(server.requests) == 1 and sleeps == []


def test_retry_after_at_cap_is_waited(
    client: SyncAPIClient, server: HTTPTestServer, sleeps: list[float]
) -> None:
    server.enqueue(Reply(status=429, headers={"Retry-After": "60"}), OK)
    call(client, GET_ITEM)
    assert sleeps == [60.0]


def test_max_retries_zero(make_client: MakeClient, server: HTTPTestServer) -> None:
    client = make_client(max_retries=0)
    server.default = Reply(status=503)
    with pytest.raises(InternalServerError):
        call(client, GET_ITEM)
    assert len(server.requests) == 1


def test_max_retries_with_options(client: SyncAPIClient, server: HTTPTestServer) -> None:
    server.default = Reply(status=503)
    with pytest.raises(InternalServerError):
        call(client.with_options(max_retries=4), GET_ITEM)
    assert len(server.requests) == 5
    server.requests.clear()
    with pytest.raises(InternalServerError):
        call(client.with_options(max_retries=0), GET_ITEM)
    assert len(server.requests) == 1
    server.requests.clear()
    with pytest.raises(InternalServerError):
        call(client, GET_ITEM)
    assert len(server.requests) == 3


def test_backoff_sequence_uses_class_delays(
    make_client: MakeClient, server: HTTPTestServer, sleeps: list[float]
) -> None:
    client = make_client(max_retries=6)
    server.default = Reply(status=500)
    with pytest.raises(InternalServerError):
        call(client, GET_ITEM)
    expected_max = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert len(sleeps) == 6
    for got, top in zip(sleeps, expected_max, strict=True):
        assert top * 0.75 <= got <= top


# --------------------------------------------------------------------------- timeouts


def test_timeout_float_per_client(make_client: MakeClient, server: HTTPTestServer) -> None:
    client = make_client(timeout=0.2, max_retries=0)
    server.enqueue(Reply(action="hang"))
    with pytest.raises(APITimeoutError) as info:
        call(client, GET_ITEM)
    assert isinstance(info.value, APIConnectionError)
    assert client.timeout == httpx.Timeout(0.2)


def test_timeout_httpx_timeout_via_with_options(
    client: SyncAPIClient, server: HTTPTestServer
) -> None:
    server.enqueue(Reply(action="hang"))
    fast = client.with_options(timeout=httpx.Timeout(5.0, read=0.2), max_retries=0)
    with pytest.raises(APITimeoutError):
        call(fast, GET_ITEM)
    assert client.timeout.read == 60.0


def test_request_carries_timeout_extension(client: SyncAPIClient) -> None:
    request = client.with_options(timeout=7.5)._build_request(
        GET_ITEM, path_params={"itemId": "a"}, query=None, headers=None, cookies=None, body=None
    )
    assert request.extensions["timeout"] == httpx.Timeout(7.5).as_dict()


# --------------------------------------------------------------------------- pure functions


def test_parse_retry_after_forms() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after({"Retry-After": "5"}, now=now) == 5.0
    assert parse_retry_after({"retry-after": " 1.5 "}, now=now) == 1.5
    assert parse_retry_after({"Retry-After": "Wed, 01 Jan 2025 12:00:42 GMT"}, now=now) == 42.0
    assert parse_retry_after({"Retry-After": "Wed, 01 Jan 2025 11:00:00 GMT"}, now=now) == 0.0
    assert parse_retry_after({"Retry-After": "soon"}, now=now) is None
    assert parse_retry_after({"Retry-After": "-3"}, now=now) is None
    assert parse_retry_after({"Retry-After": "nan"}, now=now) is None
    assert parse_retry_after({"retry-after-ms": "1500"}, now=now) == 1.5
    assert parse_retry_after({"retry-after-ms": "x", "Retry-After": "2"}, now=now) == 2.0
    assert parse_retry_after({}, now=now) is None


@settings(database=None)
@given(st.integers(min_value=0, max_value=10**6))
def test_parse_retry_after_seconds_property(seconds: int) -> None:
    assert parse_retry_after({"Retry-After": str(seconds)}) == float(seconds)


@settings(database=None)
@given(st.integers(min_value=0, max_value=10**7))
def test_parse_retry_after_http_date_property(offset: int) -> None:
    now = datetime(2030, 6, 1, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=offset), usegmt=True)
    assert parse_retry_after({"Retry-After": header}, now=now) == float(offset)


@settings(database=None)
@given(st.text(max_size=40))
def test_parse_retry_after_never_raises(value: str) -> None:
    result = parse_retry_after({"Retry-After": value})
    assert result is None or result >= 0


@settings(database=None)
@given(st.integers(min_value=0, max_value=30), st.floats(min_value=0, max_value=0.999))
def test_backoff_delay_bounds(retries: int, rand: float) -> None:
    delay = backoff_delay(retries, rand=rand)
    top = min(0.5 * 2**retries, 8.0)
    assert top * 0.75 <= delay <= top
    assert backoff_delay(retries, rand=0.0) == top
