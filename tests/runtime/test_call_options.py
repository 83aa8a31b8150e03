"""Per-call options of ``request``: ``extra_headers``, ``extra_query``, ``extra_body`` and
``timeout``, seen on the wire, sync and async; precedence call > ``with_options`` > client;
credentials and the operation's own parameters cannot be replaced by them."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from generator.runtime._base_client import AsyncAPIClient, SyncAPIClient
from generator.runtime._exceptions import APITimeoutError, RequestValidationError
from generator.runtime._response import APIResponse, to_raw_response_wrapper
from tests.runtime.runtime_support import (
    CREATE_ITEM,
    GET_ITEM,
    JWT,
    VENDOR_KEY,
    HTTPTestServer,
    Reply,
    client_kwargs,
)

#: an operation that accepts either credential, so both schemes are configured
EITHER = GET_ITEM.__class__(
    operation_id="either",
    method="GET",
    path="/either",
    servers=GET_ITEM.servers,
    security=(("mudbaseJwt",), ("vendorKey",)),
)


def _options(**kwargs: Any) -> dict[str, Any]:
    return kwargs


def test_extra_headers_query_body_on_the_wire(
    make_client: Callable[..., SyncAPIClient], server: HTTPTestServer
) -> None:
    client = make_client()
    client.request(
        CREATE_ITEM,
        cast_to=object,
        query={"page": 2},
        body={"name": "n"},
        extra_headers={"X-Extra": "1", "User-Agent": "mine/1.0"},
        extra_query={"debug": True, "tag": ["a", "b"]},
        extra_body={"beta": {"on": True}},
    )
    seen = server.last
    assert seen.header("X-Extra") == "1"
    assert seen.header("User-Agent") == "mine/1.0"  # a generated header may be replaced
    assert seen.header("Authorization") == f"Bearer {JWT}"
    assert seen.path == "/items?page=2&debug=true&tag=a&tag=b"
    assert seen.json() == {"name": "n", "beta": {"on": True}}


def test_extra_body_without_a_body_is_the_body(
    make_client: Callable[..., SyncAPIClient], server: HTTPTestServer
) -> None:
    make_client().request(CREATE_ITEM, cast_to=object, extra_body={"only": 1})
    assert server.last.json() == {"only": 1}
    assert server.last.header("Content-Type") == "application/json"


def test_header_precedence_call_over_copy_over_client(
    make_client: Callable[..., SyncAPIClient], server: HTTPTestServer
) -> None:
    client = make_client(default_headers={"X-Trace": "client", "X-Keep": "k"})
    copy = client.with_options(default_headers={"X-Trace": "copy"})
    client.request(GET_ITEM, cast_to=object, path_params={"itemId": "1"})
    assert server.last.header("X-Trace") == "client"
    copy.request(GET_ITEM, cast_to=object, path_params={"itemId": "1"})
    assert (server.last.header("X-Trace"), server.last.header("X-Keep")) == ("copy", "k")
    copy.request(
        GET_ITEM, cast_to=object, path_params={"itemId": "1"}, extra_headers={"x-trace": "call"}
    )
    assert server.last.header("X-Trace") == "call"
    assert [k for k, _ in server.last.headers if k.lower() == "x-trace"] == ["x-trace"]


def test_timeout_precedence_call_over_copy_over_client(
    make_client: Callable[..., SyncAPIClient],
) -> None:
    client = make_client(timeout=30.0)
    copy = client.with_options(timeout=20.0)
    raw_get = to_raw_response_wrapper(client.request)
    raw_copy = to_raw_response_wrapper(copy.request)

    def timeout_of(response: APIResponse[object]) -> object:
        return response.request.extensions["timeout"]

    args: dict[str, Any] = {"cast_to": object, "path_params": {"itemId": "1"}}
    assert timeout_of(raw_get(GET_ITEM, **args)) == httpx.Timeout(30.0).as_dict()
    assert timeout_of(raw_copy(GET_ITEM, **args)) == httpx.Timeout(20.0).as_dict()
    assert timeout_of(raw_copy(GET_ITEM, **args, timeout=1.5)) == httpx.Timeout(1.5).as_dict()
    full = httpx.Timeout(3.0, connect=1.0)
    assert timeout_of(raw_get(GET_ITEM, **args, timeout=full)) == full.as_dict()
    assert timeout_of(raw_get(GET_ITEM, **args, timeout=None)) == httpx.Timeout(None).as_dict()


def test_per_call_timeout_ends_a_hanging_request(
    make_client: Callable[..., SyncAPIClient], server: HTTPTestServer
) -> None:
    client = make_client(max_retries=0, timeout=30.0)
    server.enqueue(Reply(action="hang"))
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        client.request(GET_ITEM, cast_to=object, path_params={"itemId": "1"}, timeout=0.3)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("options", "match"),
    [
        (_options(extra_headers={"authorization": "Basic eDp5"}), "carries credentials"),
        (_options(extra_headers={"X-Vendor-Key": VENDOR_KEY}), "carries credentials"),
        (_options(extra_headers={"Cookie": "session=x"}), "carries credentials"),
        (_options(extra_headers={"proxy-authorization": "x"}), "carries credentials"),
        (_options(extra_query={"api_key": "k"}), "carries credentials"),
        (_options(extra_headers={"x-request-flag": "2"}), "parameter of this operation"),
        (_options(extra_query={"page": 3}), "parameter of this operation"),
        (_options(extra_body={"name": "other"}), "already set by the method"),
        (_options(extra_headers={"X-Bad": "a\r\nb"}), "control characters"),
    ],
)
def test_options_cannot_replace_credentials_or_own_parameters(
    make_client: Callable[..., SyncAPIClient],
    server: HTTPTestServer,
    options: dict[str, Any],
    match: str,
) -> None:
    client = make_client(credentials={"mudbaseJwt": JWT, "vendorKey": VENDOR_KEY})
    with pytest.raises(RequestValidationError, match=match):
        client.request(
            CREATE_ITEM,
            cast_to=object,
            query={"page": 2},
            headers={"X-Request-Flag": "1"},
            body={"name": "n"},
            **options,
        )
    assert server.requests == []


def test_extra_body_needs_an_object_body(
    make_client: Callable[..., SyncAPIClient], server: HTTPTestServer
) -> None:
    with pytest.raises(RequestValidationError, match="not a JSON object"):
        make_client().request(CREATE_ITEM, cast_to=object, body=[1, 2], extra_body={"a": 1})
    assert server.requests == []


def test_the_scheme_in_use_stays_the_configured_one(
    make_client: Callable[..., SyncAPIClient], server: HTTPTestServer
) -> None:
    """No per-call option moves an operation from one credential scheme to another."""
    client = make_client(credentials={"mudbaseJwt": JWT, "vendorKey": VENDOR_KEY})
    for header in ("Authorization", "X-Vendor-Key"):
        with pytest.raises(RequestValidationError):
            client.request(EITHER, cast_to=object, extra_headers={header: "other"})
    client.request(EITHER, cast_to=object, extra_headers={"X-Other": "1"})
    assert server.last.header("Authorization") == f"Bearer {JWT}"
    assert server.last.header("X-Vendor-Key") is None


async def test_async_options_on_the_wire_and_precedence(server: HTTPTestServer) -> None:
    kwargs = client_kwargs(base_url=server.url, default_headers={"X-Trace": "client"}, timeout=30)
    async with AsyncAPIClient(**kwargs) as client:
        copy = client.with_options(default_headers={"X-Trace": "copy"}, timeout=20.0)
        await copy.request(
            CREATE_ITEM,
            cast_to=object,
            body={"name": "n"},
            extra_headers={"X-Trace": "call"},
            extra_query={"debug": 1},
            extra_body={"beta": True},
        )
        seen = server.last
        assert (seen.header("X-Trace"), seen.path, seen.json()) == (
            "call",
            "/items?debug=1",
            {"name": "n", "beta": True},
        )
        await copy.request(CREATE_ITEM, cast_to=object)
        assert server.last.header("X-Trace") == "copy"
        with pytest.raises(RequestValidationError, match="carries credentials"):
            await client.request(CREATE_ITEM, cast_to=object, extra_headers={"Authorization": "x"})
        server.enqueue(Reply(action="hang"))
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            await client.with_options(max_retries=0).request(
                GET_ITEM, cast_to=object, path_params={"itemId": "1"}, timeout=0.3
            )
        assert time.monotonic() - started < 5


def test_extra_body_joins_a_form_body_and_not_a_raw_one(
    make_client: Callable[..., SyncAPIClient], server: HTTPTestServer
) -> None:
    """A form (or multipart) body is an object too; raw bytes and text take nothing."""
    client = make_client()
    form = CREATE_ITEM.__class__(
        operation_id="form",
        method="POST",
        path="/form",
        servers=CREATE_ITEM.servers,
        security=CREATE_ITEM.security,
        body_encoding="form",
        body_media_type="application/x-www-form-urlencoded",
    )
    client.request(form, cast_to=object, body={"name": "n"}, extra_body={"beta": "on"})
    assert server.last.body == b"name=n&beta=on"
    raw = CREATE_ITEM.__class__(
        operation_id="raw",
        method="PUT",
        path="/raw",
        servers=CREATE_ITEM.servers,
        security=CREATE_ITEM.security,
        body_encoding="binary",
        body_media_type="application/octet-stream",
    )
    with pytest.raises(RequestValidationError, match="bytes or text, not an object"):
        client.request(raw, cast_to=object, body=b"x", extra_body={"beta": "on"})
