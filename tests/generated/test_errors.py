"""HTTP errors and bad 2xx bodies, from a real server on 127.0.0.1 (sync and async)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from chat_client import (
    APIError,
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ClientError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from chat_client.models import MudbaseError

from tests.generated.support import IW_TOKEN, MUDBASE_JWT, MUDBASE_PATH, Flavor
from tests.runtime.runtime_support import HTTPTestServer, Reply

VALIDATION_ERROR = {
    "error": "Validation failed",
    "code": "VALIDATION_ERROR",
    "details": "userId is required",
    "timestamp": "2024-01-15T11:00:00.000Z",
    "path": MUDBASE_PATH,
    "requestId": "req_example_1",
}
UNAUTHORIZED = {
    "error": "Authentication required",
    "code": "UNAUTHORIZED",
    "timestamp": "2024-01-15T11:00:00.000Z",
    "path": MUDBASE_PATH,
    "requestId": "req_example_2",
}


def make(flavor: Flavor, server: HTTPTestServer, **kwargs: object) -> object:
    kwargs.setdefault("iw_erp_session_token", IW_TOKEN)
    kwargs.setdefault("mudbase_jwt", MUDBASE_JWT)
    kwargs.setdefault("base_url", server.url)
    kwargs.setdefault("max_retries", 0)
    return flavor.client(**kwargs)


def add_participant(flavor: Flavor, client: object) -> object:
    return flavor.run(
        client.mudbase.add_participant(project_id="proj_1", chat_id="chat_1", user_id="u")  # type: ignore[attr-defined]
    )


def add_chatroom_participant(flavor: Flavor, client: object) -> object:
    return flavor.run(client.iw_erp.add_chatroom_participant(data={"first_name": "Ada"}))  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- Mudbase


def test_mudbase_400_body_is_a_mudbase_error(flavor: Flavor, server: HTTPTestServer) -> None:
    server.enqueue(Reply(status=400, json=VALIDATION_ERROR))
    client = make(flavor, server)
    with pytest.raises(BadRequestError) as info:
        add_participant(flavor, client)
    exc = info.value
    assert exc.status_code == 400
    assert isinstance(exc.body, MudbaseError)
    assert exc.body.code == "VALIDATION_ERROR"
    assert exc.body.details == "userId is required"
    assert exc.body.request_id == "req_example_1"
    assert exc.body.timestamp == datetime(2024, 1, 15, 11, 0, tzinfo=UTC)
    assert "Validation failed" in str(exc) and "400" in str(exc)
    assert exc.response.status_code == 400
    assert exc.request.url.path == MUDBASE_PATH
    assert isinstance(exc, APIStatusError) and isinstance(exc, APIError)
    assert isinstance(exc, ClientError)


def test_mudbase_400_with_object_details(flavor: Flavor, server: HTTPTestServer) -> None:
    body = {**VALIDATION_ERROR, "details": {"field": "role", "allowed": ["admin", "member"]}}
    server.enqueue(Reply(status=400, json=body))
    client = make(flavor, server)
    with pytest.raises(BadRequestError) as info:
        add_participant(flavor, client)
    assert isinstance(info.value.body, MudbaseError)
    assert info.value.body.details == {"field": "role", "allowed": ["admin", "member"]}


def test_mudbase_401_body_is_a_mudbase_error(flavor: Flavor, server: HTTPTestServer) -> None:
    server.enqueue(Reply(status=401, json=UNAUTHORIZED))
    client = make(flavor, server)
    with pytest.raises(AuthenticationError) as info:
        add_participant(flavor, client)
    assert isinstance(info.value.body, MudbaseError)
    assert info.value.body.error == "Authentication required"
    assert info.value.body.code == "UNAUTHORIZED"
    assert info.value.body.path == MUDBASE_PATH


def test_mudbase_error_with_unknown_fields_keeps_them(
    flavor: Flavor, server: HTTPTestServer
) -> None:
    server.enqueue(Reply(status=400, json={"error": "nope", "hint": "try again"}))
    client = make(flavor, server)
    with pytest.raises(BadRequestError) as info:
        add_participant(flavor, client)
    assert isinstance(info.value.body, MudbaseError)
    assert info.value.body.model_extra == {"hint": "try again"}


def test_mudbase_error_body_not_matching_the_model(flavor: Flavor, server: HTTPTestServer) -> None:
    server.enqueue(Reply(status=400, json={"error": ["not", "a", "string"]}))
    client = make(flavor, server)
    with pytest.raises(BadRequestError) as info:
        add_participant(flavor, client)
    assert info.value.body == {"error": ["not", "a", "string"]}  # kept as plain JSON


def test_mudbase_400_with_text_body(flavor: Flavor, server: HTTPTestServer) -> None:
    server.enqueue(Reply(status=400, body="Bad Request"))
    client = make(flavor, server)
    with pytest.raises(BadRequestError) as info:
        add_participant(flavor, client)
    assert info.value.body == "Bad Request"


@pytest.mark.parametrize(
    ("status", "exc_class"),
    [
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (504, InternalServerError),
        (418, APIStatusError),
    ],
)
def test_status_codes_map_to_exception_classes(
    flavor: Flavor, server: HTTPTestServer, status: int, exc_class: type[APIStatusError]
) -> None:
    server.default = Reply(status=status, json={"error": f"status {status}", "code": "X"})
    client = make(flavor, server)
    for call in (add_participant, add_chatroom_participant):
        with pytest.raises(exc_class) as info:
            call(flavor, client)
        assert type(info.value) is exc_class
        assert info.value.status_code == status
        assert f"status {status}" in str(info.value)
    # no error model is declared for these statuses: the JSON stays a dict
    assert info.value.body == {"error": f"status {status}", "code": "X"}
    assert len(server.requests) == 2  # max_retries=0


# --------------------------------------------------------------------------- IW-ERP


def test_iw_erp_error_with_json_body(flavor: Flavor, server: HTTPTestServer) -> None:
    server.enqueue(Reply(status=400, json={"message": "chatroom missing", "errors": [1, 2]}))
    client = make(flavor, server)
    with pytest.raises(BadRequestError) as info:
        add_chatroom_participant(flavor, client)
    assert info.value.body == {"message": "chatroom missing", "errors": [1, 2]}
    assert "chatroom missing" in str(info.value)


def test_iw_erp_error_with_text_body(flavor: Flavor, server: HTTPTestServer) -> None:
    server.enqueue(Reply(status=403, body="<html>Forbidden</html>"))
    client = make(flavor, server)
    with pytest.raises(PermissionDeniedError) as info:
        add_chatroom_participant(flavor, client)
    assert info.value.body == "<html>Forbidden</html>"


def test_iw_erp_error_with_empty_body(flavor: Flavor, server: HTTPTestServer) -> None:
    server.enqueue(Reply(status=404))
    client = make(flavor, server)
    with pytest.raises(NotFoundError) as info:
        add_chatroom_participant(flavor, client)
    assert info.value.body is None
    assert "404" in str(info.value)


def test_iw_erp_error_is_not_parsed_as_a_mudbase_error(
    flavor: Flavor, server: HTTPTestServer
) -> None:
    server.enqueue(Reply(status=401, json=UNAUTHORIZED))
    client = make(flavor, server)
    with pytest.raises(AuthenticationError) as info:
        add_chatroom_participant(flavor, client)
    assert info.value.body == UNAUTHORIZED  # IW-ERP declares no error model


def test_long_error_bodies_are_truncated_in_the_message(
    flavor: Flavor, server: HTTPTestServer
) -> None:
    server.enqueue(Reply(status=500, body="x" * 50_000))
    client = make(flavor, server)
    with pytest.raises(InternalServerError) as info:
        add_chatroom_participant(flavor, client)
    assert len(str(info.value)) < 2_100
    assert info.value.body == "x" * 50_000  # the full body stays available


# --------------------------------------------------------------------------- bad 2xx bodies


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=200, body="not json {", headers={"Content-Type": "application/json"}),
        Reply(status=200, body="<html>oops</html>", headers={"Content-Type": "text/html"}),
        Reply(status=200, body="", headers={"Content-Type": "application/json"}),
    ],
    ids=["broken-json", "html", "empty"],
)
def test_invalid_json_in_2xx_raises_with_raw_text(
    flavor: Flavor, server: HTTPTestServer, reply: Reply
) -> None:
    server.default = reply
    client = make(flavor, server)
    for call in (add_participant, add_chatroom_participant):
        with pytest.raises(APIResponseValidationError) as info:
            call(flavor, client)
        exc = info.value
        assert exc.status_code == 200
        assert exc.text == reply.body
        assert exc.response.text == reply.body
        assert isinstance(exc, APIError)


def test_2xx_not_matching_the_model(flavor: Flavor, server: HTTPTestServer) -> None:
    server.enqueue(Reply(json={"success": "perhaps", "data": {"participants": "none"}}))
    client = make(flavor, server)
    with pytest.raises(APIResponseValidationError) as info:
        add_participant(flavor, client)
    message = str(info.value)
    assert "success" in message and "data.participants" in message
    assert info.value.body == {"success": "perhaps", "data": {"participants": "none"}}
    assert '"success": "perhaps"' in info.value.text


def test_2xx_json_that_is_not_an_object(flavor: Flavor, server: HTTPTestServer) -> None:
    server.enqueue(Reply(json=[1, 2, 3]))
    client = make(flavor, server)
    with pytest.raises(APIResponseValidationError) as info:
        add_chatroom_participant(flavor, client)
    assert info.value.text == "[1, 2, 3]"


def test_201_is_a_success(flavor: Flavor, server: HTTPTestServer) -> None:
    server.enqueue(Reply(status=201, json={"id": 5}))
    client = make(flavor, server)
    participant = add_chatroom_participant(flavor, client)
    assert participant.id == 5  # type: ignore[attr-defined]
