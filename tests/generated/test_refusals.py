"""What the client refuses before anything is sent: invalid arguments, missing or
malformed credentials (sync and async; the local server must see zero requests)."""

from __future__ import annotations

import pytest
from chat_client import (
    NOT_GIVEN,
    ClientError,
    MissingCredentialError,
    RequestValidationError,
)
from chat_client._exceptions import InvalidCredentialError

from tests.generated.support import IW_TOKEN, MUDBASE_JWT, Flavor
from tests.runtime.runtime_support import HTTPTestServer


def make(flavor: Flavor, server: HTTPTestServer, **kwargs: object) -> object:
    kwargs.setdefault("iw_erp_session_token", IW_TOKEN)
    kwargs.setdefault("mudbase_jwt", MUDBASE_JWT)
    kwargs.setdefault("base_url", server.url)
    return flavor.client(**kwargs)


# --------------------------------------------------------------------------- arguments


@pytest.mark.parametrize("role", ["transmitter transmit", "Admin", "", "owner"])
def test_invalid_role_is_refused_before_sending(
    flavor: Flavor, server: HTTPTestServer, role: str
) -> None:
    client = make(flavor, server)
    with pytest.raises(RequestValidationError) as info:
        flavor.run(
            client.mudbase.add_participant(
                project_id="proj_1", chat_id="chat_1", user_id="u", role=role
            )
        )
    message = str(info.value)
    assert "role" in message
    assert "'admin'" in message and "'member'" in message
    assert [loc for loc, _ in info.value.errors] == ["role"]
    assert isinstance(info.value, ValueError) and isinstance(info.value, ClientError)
    assert server.requests == []


def test_missing_required_body_field_is_refused(flavor: Flavor, server: HTTPTestServer) -> None:
    client = make(flavor, server)
    with pytest.raises(RequestValidationError, match="user_id") as info:
        flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id=None))
    assert info.value.errors[0][0] == "user_id"
    with pytest.raises(RequestValidationError, match=r"user_id: Field required"):
        flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id=NOT_GIVEN))
    with pytest.raises(RequestValidationError, match=r"\bdata\b"):
        flavor.run(client.iw_erp.add_chatroom_participant(data=None))
    with pytest.raises(RequestValidationError, match=r"data: Field required"):
        flavor.run(client.iw_erp.add_chatroom_participant(data=NOT_GIVEN))
    assert server.requests == []


def test_missing_required_keyword_is_a_type_error(flavor: Flavor, server: HTTPTestServer) -> None:
    client = make(flavor, server)
    with pytest.raises(TypeError, match="user_id"):
        client.mudbase.add_participant(project_id="p", chat_id="c")
    with pytest.raises(TypeError, match="data"):
        client.iw_erp.add_chatroom_participant()
    with pytest.raises(TypeError):  # keyword-only: positional arguments are refused
        client.mudbase.add_participant("p", "c", "u")
    assert server.requests == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"id": "seven"}, "data.id"),
        ({"chatroom": {"id": "x"}}, "data.chatroom.id"),
        ({"room_admin": "maybe"}, "data.room_admin"),
        ({"last_read_at": "yesterday"}, "data.last_read_at"),
        ({"chatroom": 7}, "data.chatroom"),
    ],
)
def test_invalid_participant_fields_are_named(
    flavor: Flavor, server: HTTPTestServer, data: dict[str, object], field: str
) -> None:
    client = make(flavor, server)
    with pytest.raises(RequestValidationError) as info:
        flavor.run(client.iw_erp.add_chatroom_participant(data=data))
    assert field in str(info.value)
    assert [loc for loc, _ in info.value.errors] == [field]
    assert server.requests == []


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"project_id": "", "chat_id": "c"}, "projectId"),
        ({"project_id": "p", "chat_id": ""}, "chatId"),
        ({"project_id": None, "chat_id": "c"}, "projectId"),
    ],
)
def test_empty_path_parameters_are_refused(
    flavor: Flavor, server: HTTPTestServer, kwargs: dict[str, object], name: str
) -> None:
    client = make(flavor, server)
    with pytest.raises(RequestValidationError, match=name):
        flavor.run(client.mudbase.add_participant(user_id="u", **kwargs))
    assert server.requests == []


def test_user_id_is_not_coerced_from_int(flavor: Flavor, server: HTTPTestServer) -> None:
    client = make(flavor, server)
    with pytest.raises(RequestValidationError, match="user_id"):
        flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id=42))
    assert server.requests == []


# --------------------------------------------------------------------------- credentials


def test_missing_iw_erp_credential(flavor: Flavor, server: HTTPTestServer) -> None:
    client = flavor.client(mudbase_jwt=MUDBASE_JWT, base_url=server.url)
    with pytest.raises(MissingCredentialError) as info:
        flavor.run(client.iw_erp.add_chatroom_participant(data={"first_name": "Ada"}))
    message = str(info.value)
    assert "iw_erp_session_token" in message
    assert "CHAT_CLIENT_IW_ERP_SESSION_TOKEN" in message
    assert "mudbase_jwt" not in message  # the other scheme does not satisfy this operation
    assert MUDBASE_JWT not in message
    assert info.value.operation_id == "addChatroomParticipant"
    assert info.value.alternatives == (("iw_erp_session_token",),)
    assert server.requests == []


def test_missing_mudbase_credential(flavor: Flavor, server: HTTPTestServer) -> None:
    client = flavor.client(iw_erp_session_token=IW_TOKEN, base_url=server.url)
    with pytest.raises(MissingCredentialError) as info:
        flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"))
    message = str(info.value)
    assert "mudbase_jwt" in message and "CHAT_CLIENT_MUDBASE_JWT" in message
    assert IW_TOKEN not in message
    assert info.value.alternatives == (("mudbase_jwt",),)
    assert server.requests == []


def test_no_credentials_at_all(flavor: Flavor, server: HTTPTestServer) -> None:
    client = flavor.client(base_url=server.url)
    with pytest.raises(MissingCredentialError):
        flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"))
    with pytest.raises(MissingCredentialError):
        flavor.run(client.iw_erp.add_chatroom_participant(data={}))
    assert server.requests == []


def test_empty_credential_counts_as_missing(
    flavor: Flavor, server: HTTPTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAT_CLIENT_MUDBASE_JWT", "")
    client = flavor.client(iw_erp_session_token="", base_url=server.url)
    with pytest.raises(MissingCredentialError):
        flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"))
    with pytest.raises(MissingCredentialError):
        flavor.run(client.iw_erp.add_chatroom_participant(data={}))
    assert server.requests == []


@pytest.mark.parametrize(
    "bad", ["s3cr3t\r\nX-Injected: 1", "s3cr3t\n", "\rs3cr3t", "s3c\x00r3t", " s3cr3t", "s3cr3t€"]
)
@pytest.mark.parametrize("keyword", ["iw_erp_session_token", "mudbase_jwt"])
def test_malformed_credential_refused_at_construction(
    flavor: Flavor, keyword: str, bad: str
) -> None:
    with pytest.raises(InvalidCredentialError) as info:
        flavor.client_class(**{keyword: bad})
    message = str(info.value)
    assert keyword in message
    assert bad not in message and "s3c" not in message
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("env_var", "keyword"),
    [
        ("CHAT_CLIENT_IW_ERP_SESSION_TOKEN", "iw_erp_session_token"),
        ("CHAT_CLIENT_MUDBASE_JWT", "mudbase_jwt"),
    ],
)
def test_malformed_credential_from_environment_names_the_variable(
    flavor: Flavor, monkeypatch: pytest.MonkeyPatch, env_var: str, keyword: str
) -> None:
    monkeypatch.setenv(env_var, "secret-part\r\nX-Evil: 1")
    with pytest.raises(InvalidCredentialError) as info:
        flavor.client_class()
    message = str(info.value)
    assert env_var in message and keyword in message
    assert "secret-part" not in message


# --------------------------------------------------------------------------- explicit None


def test_explicit_none_for_non_nullable_role(flavor: Flavor, server: HTTPTestServer) -> None:
    client = make(flavor, server)
    try:
        flavor.run(
            client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u", role=None)
        )
    except RequestValidationError:
        assert server.requests == []
    else:
        assert b"null" not in server.last.body, server.last.body


def test_explicit_none_for_non_nullable_participant_field(
    flavor: Flavor, server: HTTPTestServer
) -> None:
    client = make(flavor, server)
    try:
        flavor.run(client.iw_erp.add_chatroom_participant(data={"first_name": None}))
    except RequestValidationError:
        assert server.requests == []
    else:
        assert b"null" not in server.last.body, server.last.body
