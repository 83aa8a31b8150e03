"""The exact requests both operations put on the wire (sync and async), seen by a real
HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import yaml
from chat_client import __version__
from chat_client.models import (
    AddParticipantRequest,
    AddParticipantResponse,
    Chatroom,
    ChatroomParticipant,
)

from tests.generated.support import IW_PATH, IW_TOKEN, MUDBASE_JWT, MUDBASE_PATH, Flavor
from tests.conftest import PROJECT_SPEC
from tests.runtime.runtime_support import HTTPTestServer, Recorded

SPEC_VERSION = str(yaml.safe_load(PROJECT_SPEC.read_text(encoding="utf-8"))["info"]["version"])

# headers every request carries besides the credential (httpx adds the transport ones)
BASE_HEADERS = {
    "host",
    "user-agent",
    "accept",
    "accept-encoding",
    "connection",
    "content-type",
    "content-length",
}


def make(flavor: Flavor, server: HTTPTestServer, **kwargs: object) -> object:
    kwargs.setdefault("iw_erp_session_token", IW_TOKEN)
    kwargs.setdefault("mudbase_jwt", MUDBASE_JWT)
    kwargs.setdefault("base_url", server.url)
    return flavor.client(**kwargs)


def assert_common_headers(rec: Recorded) -> None:
    ua = rec.header("User-Agent")
    assert ua is not None and ua.startswith(f"chat-client/{__version__} (python "), ua
    assert __version__ == SPEC_VERSION  # info.version, which changes with every release
    assert rec.header("Content-Type") == "application/json"
    assert rec.header("Accept") == "application/json"
    assert int(rec.header("Content-Length") or -1) == len(rec.body)


def assert_iw_erp_credential_only(rec: Recorded) -> None:
    assert rec.header("x-session-token") == IW_TOKEN
    assert rec.header("Authorization") is None
    assert rec.header_names() == BASE_HEADERS | {"x-session-token"}
    assert MUDBASE_JWT.encode() not in rec.body


def assert_mudbase_credential_only(rec: Recorded) -> None:
    assert rec.header("Authorization") == f"Bearer {MUDBASE_JWT}"
    assert rec.header("x-session-token") is None
    assert rec.header_names() == BASE_HEADERS | {"authorization"}
    assert IW_TOKEN.encode() not in rec.body


# --------------------------------------------------------------------------- IW-ERP


def test_iw_erp_request_on_the_wire(flavor: Flavor, server: HTTPTestServer) -> None:
    client = make(flavor, server)
    participant = flavor.run(
        client.iw_erp.add_chatroom_participant(data={"first_name": "Ada", "chatroom": {"id": 7}})
    )
    assert len(server.requests) == 1
    rec = server.last
    assert (rec.method, rec.path) == ("POST", IW_PATH)
    assert_common_headers(rec)
    assert_iw_erp_credential_only(rec)
    # only the fields the caller set; no nulls for the many unset optional fields
    assert rec.json() == {"data": {"first_name": "Ada", "chatroom": {"id": 7}}}
    assert b"null" not in rec.body

    assert isinstance(participant, ChatroomParticipant)
    assert participant.id == 1001
    assert participant.chatroom == Chatroom(id=7, name="general")
    assert participant.created == datetime(2025, 5, 4, 9, 42, tzinfo=UTC)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"first_name": "Ada", "chatroom": Chatroom(id=7)}, id="nested-model"),
        pytest.param(ChatroomParticipant(first_name="Ada", chatroom={"id": 7}), id="model"),
        pytest.param(
            ChatroomParticipant(first_name="Ada", chatroom=Chatroom(id=7)), id="model-of-models"
        ),
    ],
)
def test_iw_erp_nested_objects_as_models(
    flavor: Flavor, server: HTTPTestServer, data: object
) -> None:
    client = make(flavor, server)
    flavor.run(client.iw_erp.add_chatroom_participant(data=data))
    assert server.last.json() == {"data": {"first_name": "Ada", "chatroom": {"id": 7}}}


def test_iw_erp_body_types_and_datetimes(flavor: Flavor, server: HTTPTestServer) -> None:
    client = make(flavor, server)
    when = datetime(2025, 5, 4, 9, 42, tzinfo=UTC)
    flavor.run(
        client.iw_erp.add_chatroom_participant(
            data={"room_admin": False, "last_read_at": when, "ai_number_of_context_messages": 0}
        )
    )
    body = server.last.json()["data"]
    assert body["room_admin"] is False
    assert body["ai_number_of_context_messages"] == 0
    assert datetime.fromisoformat(body["last_read_at"]) == when
    assert set(body) == {"room_admin", "last_read_at", "ai_number_of_context_messages"}


def test_iw_erp_empty_participant_sends_empty_object(
    flavor: Flavor, server: HTTPTestServer
) -> None:
    client = make(flavor, server)
    flavor.run(client.iw_erp.add_chatroom_participant(data={}))
    assert server.last.body == b'{"data":{}}'
    assert server.last.path == IW_PATH


def test_iw_erp_query_parameters(flavor: Flavor, server: HTTPTestServer) -> None:
    client = make(flavor, server)
    flavor.run(
        client.iw_erp.add_chatroom_participant(
            data={"first_name": "Ada"}, iw_build_id="build 1&x=y", iw_package_id="pkg/2"
        )
    )
    path, _, query = server.last.path.partition("?")
    assert path == IW_PATH
    assert sorted(query.split("&")) == ["iw-build-id=build+1%26x%3Dy", "iw-package-id=pkg%2F2"]


def test_iw_erp_unset_query_parameters_are_not_sent(flavor: Flavor, server: HTTPTestServer) -> None:
    client = make(flavor, server)
    flavor.run(client.iw_erp.add_chatroom_participant(data={}, iw_build_id="b1"))
    assert server.last.path == f"{IW_PATH}?iw-build-id=b1"


# --------------------------------------------------------------------------- Mudbase


def test_mudbase_request_on_the_wire(flavor: Flavor, server: HTTPTestServer) -> None:
    client = make(flavor, server)
    result = flavor.run(
        client.mudbase.add_participant(
            project_id="proj_1", chat_id="chat_1", user_id="usr_1", role="member"
        )
    )
    assert len(server.requests) == 1
    rec = server.last
    assert (rec.method, rec.path) == ("POST", MUDBASE_PATH)
    assert_common_headers(rec)
    assert_mudbase_credential_only(rec)
    assert rec.body == b'{"userId":"usr_1","role":"member"}'

    assert isinstance(result, AddParticipantResponse)
    assert result.success is True
    entry = result.data.participants[0]
    assert entry.user_id == "usr_1"
    assert entry.role == "member"
    assert entry.added_at == datetime(2024, 1, 15, 11, 0, tzinfo=UTC)
    assert isinstance(entry.added_at, datetime) and entry.added_at.utcoffset() is not None


def test_mudbase_role_is_optional(flavor: Flavor, server: HTTPTestServer) -> None:
    client = make(flavor, server)
    flavor.run(client.mudbase.add_participant(project_id="proj_1", chat_id="chat_1", user_id="u"))
    assert server.last.json() == {"userId": "u"}
    assert b"role" not in server.last.body


def test_enum_values_are_plain_strings() -> None:
    """An enum schema is a Literal alias, no pydantic RootModel: values compare equal."""
    request = AddParticipantRequest.model_validate({"userId": "u", "role": "admin"})
    assert request.role == "admin" and type(request.role) is str
    assert request.to_dict() == {"userId": "u", "role": "admin"}


@pytest.mark.parametrize("role", ["admin"])
def test_mudbase_role_as_string(flavor: Flavor, server: HTTPTestServer, role: object) -> None:
    client = make(flavor, server)
    flavor.run(
        client.mudbase.add_participant(
            project_id="proj_1", chat_id="chat_1", user_id="u", role=role
        )
    )
    assert server.last.json() == {"userId": "u", "role": "admin"}


@pytest.mark.parametrize(
    ("project_id", "chat_id", "expected"),
    [
        ("proj_1", "c/../x", "/api/chat/projects/proj_1/chats/c%2F%2E%2E%2Fx/participants"),
        ("..", "chat_1", "/api/chat/projects/%2E%2E/chats/chat_1/participants"),
        (".", "chat_1", "/api/chat/projects/%2E/chats/chat_1/participants"),
        ("a b?c#d", "chat_1", "/api/chat/projects/a%20b%3Fc%23d/chats/chat_1/participants"),
        ("proj_1", "%2F", "/api/chat/projects/proj_1/chats/%252F/participants"),
        ("proj_1", "ä\\x", "/api/chat/projects/proj_1/chats/%C3%A4%5Cx/participants"),
        ("v1.2", "chat_1", "/api/chat/projects/v1.2/chats/chat_1/participants"),
    ],
)
def test_mudbase_path_parameters_stay_in_their_segment(
    flavor: Flavor, server: HTTPTestServer, project_id: str, chat_id: str, expected: str
) -> None:
    client = make(flavor, server)
    flavor.run(client.mudbase.add_participant(project_id=project_id, chat_id=chat_id, user_id="u"))
    rec = server.last
    assert rec.path == expected
    # exactly the template's number of segments: nothing escaped its placeholder
    assert rec.path.count("/") == MUDBASE_PATH.count("/")


# --------------------------------------------------------------------------- both


def test_credentials_from_environment(
    flavor: Flavor, server: HTTPTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAT_CLIENT_IW_ERP_SESSION_TOKEN", IW_TOKEN)
    monkeypatch.setenv("CHAT_CLIENT_MUDBASE_JWT", MUDBASE_JWT)
    monkeypatch.setenv("CHAT_CLIENT_BASE_URL", server.url)
    client = flavor.client()
    flavor.run(client.iw_erp.add_chatroom_participant(data={"first_name": "Ada"}))
    assert_iw_erp_credential_only(server.last)
    flavor.run(client.mudbase.add_participant(project_id="proj_1", chat_id="chat_1", user_id="u"))
    assert_mudbase_credential_only(server.last)
    assert [r.path for r in server.requests] == [IW_PATH, MUDBASE_PATH]


def test_keyword_beats_environment(
    flavor: Flavor, server: HTTPTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAT_CLIENT_MUDBASE_JWT", "from-the-environment")
    monkeypatch.setenv("CHAT_CLIENT_BASE_URL", "http://127.0.0.1:9")  # overridden below
    client = make(flavor, server)
    flavor.run(client.mudbase.add_participant(project_id="proj_1", chat_id="chat_1", user_id="u"))
    assert server.last.header("Authorization") == f"Bearer {MUDBASE_JWT}"


def test_default_headers_are_sent_with_the_credential(
    flavor: Flavor, server: HTTPTestServer
) -> None:
    client = make(flavor, server, default_headers={"X-Request-Source": "tests"})
    flavor.run(client.mudbase.add_participant(project_id="proj_1", chat_id="chat_1", user_id="u"))
    rec = server.last
    assert rec.header("X-Request-Source") == "tests"
    assert rec.header("Authorization") == f"Bearer {MUDBASE_JWT}"
    assert rec.header("x-session-token") is None


def test_body_is_compact_utf8_json(flavor: Flavor, server: HTTPTestServer) -> None:
    client = make(flavor, server)
    flavor.run(client.iw_erp.add_chatroom_participant(data={"first_name": "Zoë 🙂"}))
    assert (
        server.last.body
        == json.dumps(
            {"data": {"first_name": "Zoë 🙂"}}, separators=(",", ":"), ensure_ascii=False
        ).encode()
    )
