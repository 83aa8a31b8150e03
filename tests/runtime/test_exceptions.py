"""Exception hierarchy, status mapping and error-body parsing (against a live server)."""

from __future__ import annotations

import httpx
import pytest

from generator.runtime import _exceptions
from generator.runtime._base_client import SyncAPIClient
from generator.runtime._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientError,
    ConflictError,
    InternalServerError,
    InvalidCredentialError,
    MissingCredentialError,
    MissingServerError,
    MissingServerVariableError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    ServerVariableError,
    UnprocessableEntityError,
    status_error_class,
)
from tests.runtime.runtime_support import (
    CREATE_ITEM,
    GET_ITEM,
    ClientErrorBody,
    DefaultErrorBody,
    ErrorBody,
    HTTPTestServer,
    Reply,
)


def test_hierarchy() -> None:
    for cls in (
        MissingCredentialError,
        InvalidCredentialError,
        RequestValidationError,
        ServerVariableError,
        APIError,
    ):
        assert issubclass(cls, ClientError)
    for cls in (InvalidCredentialError, RequestValidationError, ServerVariableError):
        assert issubclass(cls, ValueError)
    assert issubclass(APIResponseValidationError, APIError)
    assert issubclass(APIStatusError, APIError)
    assert issubclass(APIConnectionError, APIError)
    assert issubclass(APITimeoutError, APIConnectionError)
    for cls in (
        BadRequestError,
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        ConflictError,
        UnprocessableEntityError,
        RateLimitError,
        InternalServerError,
    ):
        assert issubclass(cls, APIStatusError)
    assert "ClientError (Exception)" in (_exceptions.__doc__ or "")
    for cls in (MissingServerError, MissingServerVariableError):
        assert issubclass(cls, ServerVariableError)
        assert cls.__name__ in (_exceptions.__doc__ or "")
        assert cls.__name__ in _exceptions.__all__


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (503, InternalServerError),
        (599, InternalServerError),
        (418, APIStatusError),
        (302, APIStatusError),
    ],
)
def test_status_error_class(status: int, cls: type[APIStatusError]) -> None:
    assert status_error_class(status) is cls


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (418, APIStatusError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
    ],
)
def test_live_status_mapping(
    make_client: object, server: HTTPTestServer, status: int, cls: type[APIStatusError]
) -> None:
    client: SyncAPIClient = make_client(max_retries=0)  # type: ignore[operator]
    server.default = Reply(status=status, json={"anything": status})
    with pytest.raises(cls) as info:
        client.request(CREATE_ITEM, cast_to=object, body={})
    err = info.value
    assert type(err) is cls
    assert err.status_code == status
    assert err.response.status_code == status
    assert err.request.method == "POST"
    assert err.body == {"anything": status}
    assert str(err) == f"Error code: {status} - {{'anything': {status}}}"


@pytest.mark.parametrize(
    ("status", "payload", "expected_type"),
    [
        (404, {"error": "nope", "code": 7}, ErrorBody),  # exact key wins over 4XX
        (400, {"message": "bad"}, ClientErrorBody),  # 4XX range
        (409, {"message": "dup"}, ClientErrorBody),
        (500, {"detail": "boom"}, DefaultErrorBody),  # default
    ],
)
def test_error_model_lookup_order(
    make_client: object, server: HTTPTestServer, status: int, payload: dict, expected_type: type
) -> None:
    client: SyncAPIClient = make_client(max_retries=0)  # type: ignore[operator]
    server.default = Reply(status=status, json=payload)
    with pytest.raises(APIStatusError) as info:
        client.request(GET_ITEM, cast_to=object, path_params={"itemId": "a"})
    assert isinstance(info.value.body, expected_type)
    assert info.value.body == expected_type.model_validate(payload)


def test_error_body_fallbacks(make_client: object, server: HTTPTestServer) -> None:
    client: SyncAPIClient = make_client(max_retries=0)  # type: ignore[operator]
    # declared model does not match -> plain JSON
    server.enqueue(Reply(status=404, json={"unexpected": True}))
    with pytest.raises(NotFoundError) as info:
        client.request(GET_ITEM, cast_to=object, path_params={"itemId": "a"})
    assert info.value.body == {"unexpected": True}
    # not JSON -> text
    server.enqueue(Reply(status=400, body="plain failure"))
    with pytest.raises(BadRequestError) as info2:
        client.request(CREATE_ITEM, cast_to=object, body={})
    assert info2.value.body == "plain failure"
    assert str(info2.value) == "Error code: 400 - plain failure"
    # empty -> None, message falls back to the reason phrase
    server.enqueue(Reply(status=403))
    with pytest.raises(PermissionDeniedError) as info3:
        client.request(CREATE_ITEM, cast_to=object, body={})
    assert info3.value.body is None
    assert str(info3.value) == "Error code: 403 - Forbidden"


def test_error_model_body_in_message(make_client: object, server: HTTPTestServer) -> None:
    client: SyncAPIClient = make_client(max_retries=0)  # type: ignore[operator]
    server.enqueue(Reply(status=400, json={"error": "invalid name"}))
    with pytest.raises(BadRequestError) as info:
        client.request(CREATE_ITEM, cast_to=object, body={})
    assert isinstance(info.value.body, ErrorBody)
    assert str(info.value) == "Error code: 400 - {'error': 'invalid name', 'code': None}"


def test_long_error_bodies_are_truncated_in_message(
    make_client: object, server: HTTPTestServer
) -> None:
    client: SyncAPIClient = make_client(max_retries=0)  # type: ignore[operator]
    server.enqueue(Reply(status=400, body="x" * 10_000))
    with pytest.raises(BadRequestError) as info:
        client.request(CREATE_ITEM, cast_to=object, body={})
    assert len(str(info.value)) < 2100
    assert info.value.body == "x" * 10_000


def test_constructors() -> None:
    request = httpx.Request("GET", "http://127.0.0.1/x")
    response = httpx.Response(500, request=request, text="oops")
    err = InternalServerError("Error code: 500 - oops", response=response, body="oops")
    assert (err.message, err.request, err.body, err.status_code) == (
        "Error code: 500 - oops",
        request,
        "oops",
        500,
    )
    conn = APIConnectionError(request=request)
    assert str(conn) == "Connection error." and conn.body is None
    assert str(APITimeoutError(request=request)) == "Request timed out."
    bad = APIResponseValidationError(response=response)
    assert bad.text == "oops" and bad.status_code == 500
    assert APIError("m", request).body is None
