"""``with_streaming_response`` wrappers, request ids and the typed error-model exceptions."""

from __future__ import annotations

import httpx
import pytest

from generator.runtime._base_client import AsyncAPIClient, SyncAPIClient
from generator.runtime._exceptions import (
    APIStatusError,
    BadRequestError,
    ModelStatusError,
    NotFoundError,
    model_status_error_class,
    request_id_of,
)
from generator.runtime._operations import Operation
from generator.runtime._response import (
    APIResponse,
    AsyncAPIResponse,
    async_to_streamed_response_wrapper,
    is_raw_response_requested,
    to_streamed_response_wrapper,
)
from tests.runtime.runtime_support import (
    CREATE_ITEM,
    GET_ITEM,
    ErrorBody,
    HTTPTestServer,
    Item,
    Reply,
    client_kwargs,
)

LINES = "first line\nsecond line\r\nthird"


class ErrorBodyStatusError(ModelStatusError[ErrorBody], model=f"{ErrorBody.__module__}:ErrorBody"):
    """What a generated package declares per error model."""


def _get(client: SyncAPIClient, item_id: str) -> Item:
    return client.request(GET_ITEM, cast_to=Item, path_params={"itemId": item_id})


async def _aget(client: AsyncAPIClient, item_id: str) -> Item:
    return await client.request(GET_ITEM, cast_to=Item, path_params={"itemId": item_id})


def test_streamed_response_sync(server: HTTPTestServer) -> None:
    server.enqueue(Reply(body=LINES), Reply(json={"id": "a", "name": "n"}))
    with SyncAPIClient(**client_kwargs(base_url=server.url)) as client:
        streamed = to_streamed_response_wrapper(_get)
        manager = streamed(client, "a")
        assert server.requests == []  # sent on entering the block
        with manager as response:
            assert isinstance(response, APIResponse)
            assert not response.is_closed
            assert list(response.iter_lines()) == ["first line", "second line", "third"]
        assert response.is_closed
        assert not is_raw_response_requested()
        with streamed(client, "a") as response:
            assert response.parse() == Item(id="a", name="n")
            assert response.request_id is None


def test_streamed_bytes_and_text_sync(server: HTTPTestServer) -> None:
    server.enqueue(Reply(body=LINES * 100), Reply(body="héllo"))
    with SyncAPIClient(**client_kwargs(base_url=server.url)) as client:
        streamed = to_streamed_response_wrapper(_get)
        with streamed(client, "a") as response:
            chunks = list(response.iter_bytes(chunk_size=64))
        assert len(chunks) > 1 and b"".join(chunks) == (LINES * 100).encode()
        with streamed(client, "a") as response:
            assert "".join(response.iter_text()) == "héllo"


def test_streamed_error_is_read_and_raised(server: HTTPTestServer) -> None:
    server.enqueue(Reply(status=404, json={"error": "gone"}, headers={"x-request-id": "req-9"}))
    client = SyncAPIClient(**client_kwargs(base_url=server.url))
    with pytest.raises(NotFoundError) as info, to_streamed_response_wrapper(_get)(client, "a"):
        pytest.fail("not reached")
    client.close()
    assert info.value.body == ErrorBody(error="gone")
    assert info.value.request_id == "req-9"
    assert info.value.response.is_closed


async def test_streamed_response_async(server: HTTPTestServer) -> None:
    server.enqueue(
        Reply(body=LINES, headers={"X-Request-Id": "req-1"}),
        Reply(body=LINES),
        Reply(body=LINES),
        Reply(json={"id": "a", "name": "n"}),
    )
    async with AsyncAPIClient(**client_kwargs(base_url=server.url)) as client:
        streamed = async_to_streamed_response_wrapper(_aget)
        async with streamed(client, "a") as response:
            assert isinstance(response, AsyncAPIResponse)
            assert response.request_id == "req-1"
            assert [line async for line in response.iter_lines()] == [
                "first line",
                "second line",
                "third",
            ]
        assert response.is_closed
        async with streamed(client, "a") as response:
            text = [t async for t in response.iter_text()]
            assert "".join(text) == LINES
        async with streamed(client, "a") as response:
            assert b"".join([b async for b in response.iter_bytes(16)]) == LINES.encode()
        async with streamed(client, "a") as response:
            assert await response.parse() == Item(id="a", name="n")
            assert await response.parse() is await response.parse()
        assert not is_raw_response_requested()


def test_request_id_lookup_order() -> None:
    headers = httpx.Headers({"request-id": "b", "x-trace-id": "t"})
    assert request_id_of(headers) == "b"
    assert request_id_of(headers, ("X-Trace-Id",)) == "t"
    assert request_id_of(httpx.Headers({"X-Request-ID": "a", "request-id": "b"})) == "a"
    assert request_id_of(httpx.Headers()) is None


def test_request_id_documented_header(make_client: object, server: HTTPTestServer) -> None:
    documented = Operation(
        operation_id="documented",
        method="GET",
        path="/d",
        servers=GET_ITEM.servers,
        security=(),
        request_id_headers=("x-correlation",),
    )
    client = SyncAPIClient(**client_kwargs(base_url=server.url))
    server.enqueue(Reply(status=409, headers={"x-correlation": "c-1", "x-request-id": "r"}))
    with pytest.raises(APIStatusError) as info:
        client.request(documented, cast_to=object)
    assert info.value.request_id == "c-1"
    client.close()


def test_model_status_error_is_raised_with_a_typed_body(server: HTTPTestServer) -> None:
    server.enqueue(
        Reply(status=400, json={"error": "bad", "code": 7}, headers={"x-request-id": "r-2"}),
        Reply(status=400, json=["not", "an", "object"]),
    )
    with SyncAPIClient(**client_kwargs(base_url=server.url)) as client:
        with pytest.raises(ErrorBodyStatusError) as info:
            client.request(CREATE_ITEM, cast_to=object, body={})
        assert isinstance(info.value, BadRequestError)
        assert info.value.body.code == 7
        assert info.value.request_id == "r-2"
        with pytest.raises(BadRequestError) as plain:  # not the model: the plain class
            client.request(CREATE_ITEM, cast_to=object, body={})
        assert not isinstance(plain.value, ModelStatusError)
        assert plain.value.body == ["not", "an", "object"]


def test_model_status_error_class_combines_once() -> None:
    key = f"{ErrorBody.__module__}:ErrorBody"
    first = model_status_error_class(400, key)
    assert first is model_status_error_class(400, key)
    assert issubclass(first, BadRequestError) and issubclass(first, ErrorBodyStatusError)
    assert first.__name__ == "BadRequestError"
    assert model_status_error_class(418, key) is ErrorBodyStatusError
    assert model_status_error_class(400, "elsewhere:Unknown") is BadRequestError
