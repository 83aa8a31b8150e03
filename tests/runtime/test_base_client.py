"""Wire-level tests of SyncAPIClient: URLs, headers, bodies, responses, options."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import Enum
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx
import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.runtime._base_client import (
    SyncAPIClient,
    encode_path_segment,
    encode_query,
    render_path,
)
from generator.runtime._exceptions import (
    APIResponseValidationError,
    RequestValidationError,
    ServerVariableError,
)
from generator.runtime._models import BaseModel, build_request_model
from generator.runtime._operations import Operation, Server, ServerVariable
from generator.runtime._types import DEFAULT_TIMEOUT, NOT_GIVEN
from tests.runtime.runtime_support import (
    CREATE_ITEM,
    ENV_PREFIX,
    GET_ITEM,
    JWT,
    LIST_ITEMS,
    PLAIN_SERVER,
    TENANT_SERVER,
    HTTPTestServer,
    Item,
    Reply,
    client_kwargs,
)

MakeClient = Callable[..., SyncAPIClient]


def _no_auth(op: Operation, **changes: Any) -> Operation:
    fields = {
        "operation_id": op.operation_id,
        "method": op.method,
        "path": op.path,
        "servers": op.servers,
        "security": (),
    }
    fields.update(changes)
    return Operation(**fields)


# --------------------------------------------------------------------------- headers


def test_wire_request_get(client: SyncAPIClient, server: HTTPTestServer) -> None:
    server.enqueue(Reply(json={"id": "i1", "name": "Widget"}))
    item = client.request(GET_ITEM, cast_to=Item, path_params={"itemId": "i1"})
    assert item == Item(id="i1", name="Widget")
    rec = server.last
    assert rec.method == "GET"
    assert rec.path == "/items/i1"
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert rec.header("User-Agent") == (
        f"test-client/1.2.3 (python {version}; httpx {httpx.__version__})"
    )
    assert rec.header("Accept") == "application/json"
    assert rec.header("Authorization") == f"Bearer {JWT}"
    assert rec.header("Content-Type") is None
    assert rec.body == b""


def test_wire_request_post_json_body(client: SyncAPIClient, server: HTTPTestServer) -> None:
    server.enqueue(Reply(status=201, json={"id": "n", "name": "New"}))
    item = client.request(CREATE_ITEM, cast_to=Item, body={"name": "New", "tags": ["a"]})
    assert item.id == "n"
    rec = server.last
    assert rec.method == "POST"
    assert rec.path == "/items"
    assert rec.header("Content-Type") == "application/json"
    assert rec.json() == {"name": "New", "tags": ["a"]}


def test_default_headers_and_header_params(make_client: MakeClient, server: HTTPTestServer) -> None:
    client = make_client(default_headers={"X-Team": "core", "user-agent": "custom/1"})
    client.request(
        LIST_ITEMS,
        cast_to=object,
        headers={"X-Flag": True, "X-List": ["a", "b"], "X-None": None, "X-NG": NOT_GIVEN},
    )
    rec = server.last
    assert rec.header("X-Team") == "core"
    assert rec.header("User-Agent") == "custom/1"
    assert len([k for k, _ in rec.headers if k.lower() == "user-agent"]) == 1
    assert rec.header("X-Flag") == "true"
    assert rec.header("X-List") == "a,b"
    assert "x-none" not in rec.header_names()
    assert "x-ng" not in rec.header_names()


def test_header_param_with_newline_refused(client: SyncAPIClient, server: HTTPTestServer) -> None:
    with pytest.raises(RequestValidationError, match="X-Evil"):
        client.request(LIST_ITEMS, cast_to=object, headers={"X-Evil": "a\r\nInjected: 1"})
    assert server.requests == []


def test_default_header_with_newline_refused() -> None:
    with pytest.raises(RequestValidationError):
        SyncAPIClient(**client_kwargs(default_headers={"X-A": "x\ny"}))


def test_cookie_params(client: SyncAPIClient, server: HTTPTestServer) -> None:
    client.request(LIST_ITEMS, cast_to=object, cookies={"pref": "a b;c", "skip": None})
    assert server.last.header("Cookie") == "pref=a%20b%3Bc"


# --------------------------------------------------------------------------- query


def test_query_encoding_on_the_wire(client: SyncAPIClient, server: HTTPTestServer) -> None:
    class Color(Enum):
        RED = "red"

    client.request(
        LIST_ITEMS,
        cast_to=object,
        query={
            "active": True,
            "archived": False,
            "ids": [1, 2, 3],
            "color": Color.RED,
            "skip": None,
            "ng": NOT_GIVEN,
            "q": "a b&c=d/é",
        },
    )
    split = urlsplit(server.last.path)
    assert split.path == "/items"
    assert parse_qsl(split.query, keep_blank_values=True) == [
        ("active", "true"),
        ("archived", "false"),
        ("ids", "1"),
        ("ids", "2"),
        ("ids", "3"),
        ("color", "red"),
        ("q", "a b&c=d/é"),
    ]


def test_encode_query_mapping_explodes() -> None:
    assert encode_query({"filter": {"role": "admin", "x": None}, "n": 0}) == [
        ("role", "admin"),
        ("n", "0"),
    ]


# --------------------------------------------------------------------------- path params


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("c/../x", "c%2F%2E%2E%2Fx"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("a b?#%", "a%20b%3F%23%25"),
        ("v1.2", "v1.2"),
        ("ä", "%C3%A4"),
        (42, "42"),
        (True, "true"),
        ("a\\..\\b", "a%5C%2E%2E%5Cb"),
    ],
)
def test_encode_path_segment(value: object, expected: str) -> None:
    assert encode_path_segment(value) == expected


@pytest.mark.parametrize("value", ["c/../x", "..", ".", "../../etc/passwd", "a?b#c"])
def test_path_params_stay_in_their_segment_on_the_wire(
    client: SyncAPIClient, server: HTTPTestServer, value: str
) -> None:
    server.default = Reply(json={"id": "x", "name": "y"})
    client.request(GET_ITEM, cast_to=Item, path_params={"itemId": value})
    raw_path = server.last.path
    segments = raw_path.split("/")
    assert segments[:2] == ["", "items"]
    assert len(segments) == 3
    assert unquote(segments[2]) == value
    assert segments[2] not in (".", "..")


@settings(database=None)
@given(st.text(min_size=1, max_size=40))
def test_path_param_property_round_trips_to_one_segment(value: str) -> None:
    path = render_path("/a/{p}/b", {"p": value})
    url = httpx.URL("http://127.0.0.1" + path)
    segments = url.raw_path.decode("ascii").split("/")
    assert len(segments) == 4
    assert segments[1] == "a" and segments[3] == "b"
    assert unquote(segments[2]) == value
    assert segments[2] not in (".", "..")


def test_path_param_errors() -> None:
    with pytest.raises(RequestValidationError, match="itemId: path parameter is required"):
        render_path("/items/{itemId}", {})
    with pytest.raises(RequestValidationError, match="must not be empty"):
        render_path("/items/{itemId}", {"itemId": ""})
    with pytest.raises(RequestValidationError, match="required"):
        render_path("/items/{itemId}", {"itemId": None})
    with pytest.raises(RequestValidationError, match="unexpected path parameters: other"):
        render_path("/items/{itemId}", {"itemId": "a", "other": "b"})


# --------------------------------------------------------------------------- bodies


class Member(BaseModel):
    user_id: str = pydantic.Field(alias="userId")
    display_name: str | None = pydantic.Field(default=None, alias="displayName")
    role: str = "member"


class AddMembers(BaseModel):
    project_id: str = pydantic.Field(alias="projectId")
    members: list[Member]
    note: str | None = None


def test_body_exclude_unset_nested_dicts(client: SyncAPIClient, server: HTTPTestServer) -> None:
    body = build_request_model(
        AddMembers,
        {"projectId": "p1", "members": [{"userId": "u1"}], "note": NOT_GIVEN},
    )
    client.request(CREATE_ITEM, cast_to=object, body=body)
    assert server.last.json() == {"projectId": "p1", "members": [{"userId": "u1"}]}


def test_body_exclude_unset_nested_models(client: SyncAPIClient, server: HTTPTestServer) -> None:
    member = Member(user_id="u2", display_name=None)
    body = build_request_model(AddMembers, {"projectId": "p1", "members": [member]})
    client.request(CREATE_ITEM, cast_to=object, body=body)
    # display_name was explicitly set to None -> sent as null; role was never set -> omitted
    assert server.last.json() == {
        "projectId": "p1",
        "members": [{"userId": "u2", "displayName": None}],
    }


def test_plain_body_values_are_serialised(client: SyncAPIClient, server: HTTPTestServer) -> None:
    client.request(CREATE_ITEM, cast_to=object, body=[{"a": 1, "b": NOT_GIVEN}, "é"])
    assert server.last.json() == [{"a": 1}, "é"]


def test_unserialisable_body_is_request_validation_error(
    client: SyncAPIClient, server: HTTPTestServer
) -> None:
    with pytest.raises(RequestValidationError):
        client.request(CREATE_ITEM, cast_to=object, body={"x": float("nan")})
    with pytest.raises(RequestValidationError):
        client.request(CREATE_ITEM, cast_to=object, body={"x": object()})
    assert server.requests == []


# --------------------------------------------------------------------------- responses


def test_no_content_with_none_cast(client: SyncAPIClient, server: HTTPTestServer) -> None:
    server.enqueue(Reply(status=204))
    assert client.request(GET_ITEM, cast_to=type(None), path_params={"itemId": "a"}) is None


def test_cast_to_object_and_any(client: SyncAPIClient, server: HTTPTestServer) -> None:
    server.enqueue(Reply(json=[1, {"a": None}]), Reply(json={"k": "v"}))
    assert client.request(LIST_ITEMS, cast_to=object) == [1, {"a": None}]
    assert client.request(LIST_ITEMS, cast_to=Any) == {"k": "v"}  # type: ignore[arg-type]


def test_invalid_json_is_response_validation_error(
    client: SyncAPIClient, server: HTTPTestServer
) -> None:
    server.enqueue(Reply(body="<html>oops</html>", headers={"Content-Type": "text/html"}))
    with pytest.raises(APIResponseValidationError) as info:
        client.request(GET_ITEM, cast_to=Item, path_params={"itemId": "a"})
    assert info.value.text == "<html>oops</html>"
    assert info.value.status_code == 200
    assert len(server.requests) == 1  # not retried


def test_model_mismatch_is_response_validation_error(
    client: SyncAPIClient, server: HTTPTestServer
) -> None:
    server.enqueue(Reply(json={"id": 1}))
    with pytest.raises(APIResponseValidationError, match="name") as info:
        client.request(GET_ITEM, cast_to=Item, path_params={"itemId": "a"})
    assert info.value.body == {"id": 1}
    assert info.value.text == '{"id": 1}'
    assert info.value.response.status_code == 200


def test_unknown_fields_are_kept(client: SyncAPIClient, server: HTTPTestServer) -> None:
    server.enqueue(Reply(json={"id": "a", "name": "n", "extra": 5}))
    item = client.request(GET_ITEM, cast_to=Item, path_params={"itemId": "a"})
    assert item.model_extra == {"extra": 5}


# --------------------------------------------------------------------------- URLs / servers


def test_server_variables_fill_and_defaults() -> None:
    client = SyncAPIClient(**client_kwargs(server_variables={"tenant": "acme"}))
    request = client._build_request(
        GET_ITEM,
        path_params={"itemId": "a"},
        query=None,
        headers=None,
        cookies=None,
        body=NOT_GIVEN,
    )
    assert str(request.url) == "https://acme.example.invalid/v1/items/a"
    client.close()
    client = SyncAPIClient(**client_kwargs())
    assert str(client.base_url) == "https://demo.example.invalid/v1"
    client.close()


def test_server_variable_enum_and_unknown_name() -> None:
    with pytest.raises(ServerVariableError, match="'v1', 'v2'"):
        SyncAPIClient(**client_kwargs(server_variables={"version": "v3"}))
    with pytest.raises(ServerVariableError, match=r"Unknown server variable 'region'.*tenant"):
        SyncAPIClient(**client_kwargs(server_variables={"region": "eu"}))


@pytest.mark.parametrize("value", ["evil.com#", "a/b", "x@evil.com", "", "a b"])
def test_server_variable_host_injection_refused(value: str) -> None:
    with pytest.raises(ServerVariableError):
        SyncAPIClient(**client_kwargs(server_variables={"tenant": value}))


@pytest.mark.parametrize("value", [".acme", "acme.", "ac..me", "-acme", "acme-", "a" * 64, "a.-b"])
def test_server_variable_must_form_valid_host_labels(value: str) -> None:
    with pytest.raises(ServerVariableError, match="host name"):
        SyncAPIClient(**client_kwargs(server_variables={"tenant": value}))


@pytest.mark.parametrize("value", ["acme", "a-b", "eu.acme", "a" * 63, "0", "x1-2y"])
def test_server_variable_valid_host_labels_accepted(value: str) -> None:
    with SyncAPIClient(**client_kwargs(server_variables={"tenant": value})) as client:
        assert str(client.base_url) == f"https://{value}.example.invalid/v1"


def test_server_variable_partial_label_and_port() -> None:
    server = Server(
        url="https://api-{region}.example.invalid:{port}",
        variables=(ServerVariable("region", "eu"), ServerVariable("port", "443")),
    )
    with SyncAPIClient(
        **client_kwargs(servers=(server,), server_variables={"region": "us-1", "port": "8443"})
    ) as client:
        assert str(client.base_url) == "https://api-us-1.example.invalid:8443"
    for bad in ({"region": "x-"}, {"region": "a.b-"}, {"port": "84a3"}, {"port": "1.2"}):
        with pytest.raises(ServerVariableError):
            SyncAPIClient(**client_kwargs(servers=(server,), server_variables=bad))


def test_operation_server_enum_checked_at_request_time() -> None:
    strict = Server(
        url="https://{tenant}.strict.invalid",
        variables=(ServerVariable(name="tenant", default="a", enum=("a", "b")),),
    )
    op = Operation(operation_id="x", method="GET", path="/x", servers=(strict,), security=())
    with SyncAPIClient(**client_kwargs(servers=(TENANT_SERVER, strict))) as client:
        free = client.with_options(server_variables={"tenant": "free"})
        with pytest.raises(ServerVariableError, match="'a', 'b'"):
            free.request(op, cast_to=object)


def test_server_variables_with_options() -> None:
    with SyncAPIClient(**client_kwargs()) as client:
        other = client.with_options(server_variables={"version": "v2"})
        assert str(other.base_url) == "https://demo.example.invalid/v2"
        assert str(client.base_url) == "https://demo.example.invalid/v1"
        with pytest.raises(ServerVariableError):
            client.with_options(server_variables={"version": "v9"})


def test_base_url_overrides_servers_and_keeps_path(server: HTTPTestServer) -> None:
    client = SyncAPIClient(**client_kwargs(base_url=server.url + "/prefix/"))
    client.request(GET_ITEM, cast_to=object, path_params={"itemId": "a"})
    assert server.last.path == "/prefix/items/a"
    client.close()


def test_base_url_from_env(server: HTTPTestServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"{ENV_PREFIX}BASE_URL", server.url + "/env")
    client = SyncAPIClient(**client_kwargs())
    assert client.base_url == httpx.URL(server.url + "/env")
    client.request(LIST_ITEMS, cast_to=object)
    assert server.last.path == "/env/items"
    client.close()


@pytest.mark.parametrize("bad", ["not a url", "ftp://x.invalid", "/relative", "http://h/?q=1"])
def test_bad_base_url(bad: str) -> None:
    with pytest.raises(ServerVariableError):
        SyncAPIClient(**client_kwargs(base_url=bad))


def test_relative_server_needs_base_url() -> None:
    op = Operation(
        operation_id="x", method="GET", path="/x", servers=(Server(url="/api"),), security=()
    )
    with SyncAPIClient(**client_kwargs(servers=())) as client:
        with pytest.raises(ServerVariableError, match="base_url"):
            client.request(op, cast_to=object)
        no_servers = _no_auth(op, servers=())
        with pytest.raises(ServerVariableError, match="base_url"):
            client.request(no_servers, cast_to=object)


def test_operation_without_servers_never_uses_another_operations_server() -> None:
    """An operation the spec gives no server is not sent to the client's first server
    (another vendor's, maybe): it needs base_url (tests/runtime/test_servers.py)."""
    op = Operation(operation_id="x", method="GET", path="/x", servers=(), security=())
    with (
        SyncAPIClient(**client_kwargs(servers=(PLAIN_SERVER,))) as client,
        pytest.raises(ServerVariableError, match="base_url"),
    ):
        client._build_request(
            op, path_params=None, query=None, headers=None, cookies=None, body=NOT_GIVEN
        )


# --------------------------------------------------------------------------- options


def test_defaults() -> None:
    client = SyncAPIClient(**client_kwargs(max_retries=2))
    assert client.timeout == DEFAULT_TIMEOUT
    assert client.max_retries == 2
    client.close()


def test_with_options_is_a_copy_sharing_the_http_client(server: HTTPTestServer) -> None:
    client = SyncAPIClient(**client_kwargs(base_url=server.url, default_headers={"X-A": "1"}))
    copy = client.with_options(
        timeout=3.0, max_retries=5, default_headers={"X-B": "2"}, base_url=server.url + "/v9"
    )
    assert copy is not client and isinstance(copy, SyncAPIClient)
    assert copy._client is client._client
    assert copy.timeout == httpx.Timeout(3.0)
    assert copy.max_retries == 5
    assert client.timeout == DEFAULT_TIMEOUT and client.max_retries == 2
    copy.request(LIST_ITEMS, cast_to=object)
    assert server.last.path == "/v9/items"
    assert server.last.header("X-A") == "1" and server.last.header("X-B") == "2"
    client.request(LIST_ITEMS, cast_to=object)
    assert server.last.path == "/items"
    assert server.last.header("X-B") is None
    copy.close()  # the copy never closes the shared client
    assert not client.is_closed
    back_to_servers = client.with_options(base_url=None)
    assert str(back_to_servers.base_url) == "https://demo.example.invalid/v1"
    client.close()
    assert client.is_closed


def test_context_manager_closes_own_client_only(server: HTTPTestServer) -> None:
    with SyncAPIClient(**client_kwargs(base_url=server.url)) as client:
        client.request(LIST_ITEMS, cast_to=object)
    assert client.is_closed
    http_client = httpx.Client()
    with SyncAPIClient(**client_kwargs(base_url=server.url, http_client=http_client)) as client:
        client.request(LIST_ITEMS, cast_to=object)
    assert not http_client.is_closed
    http_client.close()


def test_invalid_timeout_and_retries() -> None:
    with pytest.raises(ValueError):
        SyncAPIClient(**client_kwargs(max_retries=-1))
    with pytest.raises(ValueError):
        SyncAPIClient(**client_kwargs(timeout=-1))


def test_http_client_timeout_is_used_when_not_given() -> None:
    http_client = httpx.Client(timeout=12.0)
    client = SyncAPIClient(**client_kwargs(http_client=http_client))
    assert client.timeout == httpx.Timeout(12.0)
    client = SyncAPIClient(**client_kwargs(http_client=http_client, timeout=3))
    assert client.timeout == httpx.Timeout(3.0)
    http_client.close()


def test_redirects_are_not_followed(client: SyncAPIClient, server: HTTPTestServer) -> None:
    from generator.runtime._exceptions import APIStatusError

    server.enqueue(Reply(status=302, headers={"Location": "http://127.0.0.1:9/steal"}))
    with pytest.raises(APIStatusError) as info:
        client.request(GET_ITEM, cast_to=object, path_params={"itemId": "a"})
    assert info.value.status_code == 302
    assert len(server.requests) == 1
