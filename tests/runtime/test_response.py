"""parse_response, APIResponse and the raw-response wrappers."""

from __future__ import annotations

import datetime
from typing import Any

import httpx
import pytest

from generator.runtime._base_client import AsyncAPIClient, SyncAPIClient
from generator.runtime._exceptions import APIResponseValidationError, NotFoundError
from generator.runtime._response import (
    APIResponse,
    AsyncAPIResponse,
    async_to_raw_response_wrapper,
    is_raw_response_requested,
    parse_response,
    to_raw_response_wrapper,
)
from tests.runtime.runtime_support import GET_ITEM, HTTPTestServer, Item, Reply, client_kwargs


def response(
    content: bytes = b"", status: int = 200, ctype: str = "application/json"
) -> httpx.Response:
    request = httpx.Request("GET", "http://127.0.0.1/x")
    return httpx.Response(status, content=content, headers={"Content-Type": ctype}, request=request)


def test_parse_response_variants() -> None:
    assert parse_response(response(b'{"a":1}'), type(None)) is None
    assert parse_response(response(b""), None) is None
    assert parse_response(response(b'{"a":1}'), object) == {"a": 1}
    assert parse_response(response(b""), Any) is None
    assert parse_response(response(b'[{"id":"1","name":"n"}]'), list[Item]) == [
        Item(id="1", name="n")
    ]
    assert parse_response(response(b"hi", ctype="text/plain"), str) == "hi"
    assert parse_response(response(b'"hi"'), str) == "hi"
    assert parse_response(response(b"\x00\x01"), bytes) == b"\x00\x01"
    raw = response(b"{}")
    assert parse_response(raw, httpx.Response) is raw


@pytest.mark.parametrize(
    ("content", "cast_to", "match"),
    [
        (b"not json", Item, "not valid JSON"),
        (b"", Item, "empty"),
        (b'{"id": 5}', Item, "does not match Item"),
        (b'["x"]', list[int], "does not match"),
    ],
)
def test_parse_response_errors(content: bytes, cast_to: Any, match: str) -> None:
    with pytest.raises(APIResponseValidationError, match=match) as info:
        parse_response(response(content), cast_to)
    assert info.value.text == content.decode()


def test_api_response_properties_and_cached_parse() -> None:
    raw = response(b'{"id":"1","name":"n"}', status=201)
    raw.elapsed = datetime.timedelta(seconds=1)
    api = APIResponse[Item](raw=raw, cast_to=Item, retries_taken=2)
    assert api.status_code == 201
    assert api.headers["content-type"] == "application/json"
    assert api.text == '{"id":"1","name":"n"}'
    assert api.json() == {"id": "1", "name": "n"}
    assert api.elapsed == datetime.timedelta(seconds=1)
    assert api.retries_taken == 2
    assert api.http_response is raw
    assert api.method == "GET" and api.url == httpx.URL("http://127.0.0.1/x")
    first = api.parse()
    assert first == Item(id="1", name="n")
    assert api.parse() is first
    assert repr(api) == "<APIResponse [201 Created]>"


def test_api_response_parse_error() -> None:
    api = APIResponse[Item](raw=response(b"{"), cast_to=Item)
    with pytest.raises(APIResponseValidationError):
        api.parse()


class Resource:
    def __init__(self, client: SyncAPIClient) -> None:
        self._client = client

    def get(self, item_id: str) -> Item:
        return self._client.request(GET_ITEM, cast_to=Item, path_params={"itemId": item_id})


class AsyncResource:
    def __init__(self, client: AsyncAPIClient) -> None:
        self._client = client

    async def get(self, item_id: str) -> Item:
        return await self._client.request(GET_ITEM, cast_to=Item, path_params={"itemId": item_id})


class ResourceWithRawResponse:
    def __init__(self, resource: Resource) -> None:
        self.get = to_raw_response_wrapper(resource.get)


class AsyncResourceWithRawResponse:
    def __init__(self, resource: AsyncResource) -> None:
        self.get = async_to_raw_response_wrapper(resource.get)


def test_raw_response_wrapper_sync(server: HTTPTestServer) -> None:
    server.enqueue(Reply(status=500), Reply(json={"id": "a", "name": "n"}, headers={"X-Req": "7"}))
    with SyncAPIClient(**client_kwargs(base_url=server.url)) as client:
        raw = ResourceWithRawResponse(Resource(client)).get("a")
        assert isinstance(raw, APIResponse)
        assert raw.headers["X-Req"] == "7"
        assert raw.retries_taken == 1
        assert raw.parse() == Item(id="a", name="n")
        assert not is_raw_response_requested()
        server.enqueue(Reply(json={"id": "b", "name": "m"}))
        assert Resource(client).get("b") == Item(id="b", name="m")  # flag was reset
        server.enqueue(Reply(status=404, json={"error": "x"}))
        with pytest.raises(NotFoundError):
            ResourceWithRawResponse(Resource(client)).get("c")
        assert not is_raw_response_requested()


async def test_raw_response_wrapper_async(server: HTTPTestServer) -> None:
    server.enqueue(Reply(json={"id": "a", "name": "n"}))
    async with AsyncAPIClient(**client_kwargs(base_url=server.url)) as client:
        raw = await AsyncResourceWithRawResponse(AsyncResource(client)).get("a")
        assert isinstance(raw, AsyncAPIResponse)
        assert raw.status_code == 200
        assert await raw.parse() == Item(id="a", name="n")
        assert not is_raw_response_requested()
        server.enqueue(Reply(json={"id": "b", "name": "m"}))
        assert await AsyncResource(client).get("b") == Item(id="b", name="m")


def test_an_empty_body_is_none_when_the_type_admits_it() -> None:
    """An operation answering 200 with an item or 204 with nothing returns ``Item | None``."""
    empty = httpx.Response(204, content=b"", request=httpx.Request("GET", "http://x.test/"))
    assert parse_response(empty, Item | None) is None
    with pytest.raises(APIResponseValidationError, match="Expected a JSON body"):
        parse_response(empty, Item)
