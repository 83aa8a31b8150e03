"""Credential selection, env-var fallback, refusal of unsafe values and secrecy."""

from __future__ import annotations

import base64
import logging

import pytest

from generator.runtime._base_client import SyncAPIClient
from generator.runtime._exceptions import (
    ClientError,
    InvalidCredentialError,
    MissingCredentialError,
)
from generator.runtime._operations import Operation
from tests.runtime.runtime_support import (
    BASIC,
    COOKIE_KEY,
    GET_ITEM,
    JWT,
    LIST_ITEMS,
    QUERY_KEY,
    TENANT_SERVER,
    VENDOR_KEY,
    HTTPTestServer,
    Reply,
    client_kwargs,
)

ALL_SECRETS = {
    "mudbaseJwt": JWT,
    "vendorKey": VENDOR_KEY,
    "queryKey": QUERY_KEY,
    "sessionCookie": COOKIE_KEY,
    "basicAuth": BASIC,
}


def op(security: tuple[tuple[str, ...], ...]) -> Operation:
    return Operation(
        operation_id="secured_op",
        method="GET",
        path="/secured",
        servers=(TENANT_SERVER,),
        security=security,
    )


def make(server: HTTPTestServer, credentials: dict[str, str | None]) -> SyncAPIClient:
    return SyncAPIClient(**client_kwargs(base_url=server.url, credentials=credentials))


def secrets_on_wire(server: HTTPTestServer) -> set[str]:
    rec = server.last
    wire = rec.path + "\n" + "\n".join(f"{k}: {v}" for k, v in rec.headers)
    found = {name for name, value in ALL_SECRETS.items() if value in wire}
    if base64.b64encode(BASIC.encode()).decode() in wire:
        found.add("basicAuth")
    return found


@pytest.mark.parametrize(
    ("scheme", "check"),
    [
        ("mudbaseJwt", lambda r: r.header("Authorization") == f"Bearer {JWT}"),
        ("vendorKey", lambda r: r.header("X-Vendor-Key") == VENDOR_KEY),
        ("queryKey", lambda r: r.path == f"/secured?api_key={QUERY_KEY}"),
        ("sessionCookie", lambda r: r.header("Cookie") == f"session={COOKIE_KEY}"),
        (
            "basicAuth",
            lambda r: (
                r.header("Authorization") == "Basic " + base64.b64encode(BASIC.encode()).decode()
            ),
        ),
    ],
)
def test_only_the_operations_scheme_is_sent(server: HTTPTestServer, scheme: str, check) -> None:  # type: ignore[no-untyped-def]
    with make(server, dict(ALL_SECRETS)) as client:
        client.request(op(((scheme,),)), cast_to=object)
    assert check(server.last)
    assert secrets_on_wire(server) == {scheme}


def test_no_auth_operation_sends_no_credentials(server: HTTPTestServer) -> None:
    with make(server, dict(ALL_SECRETS)) as client:
        client.request(LIST_ITEMS, cast_to=object)
    assert secrets_on_wire(server) == set()
    assert server.last.header("Authorization") is None


def test_first_satisfied_alternative_wins(server: HTTPTestServer) -> None:
    security = (("vendorKey", "queryKey"), ("mudbaseJwt",))
    with make(server, {"mudbaseJwt": JWT, "vendorKey": VENDOR_KEY}) as client:
        client.request(op(security), cast_to=object)  # vendorKey alone is not enough
    assert secrets_on_wire(server) == {"mudbaseJwt"}
    with make(server, dict(ALL_SECRETS)) as client:
        client.request(op(security), cast_to=object)
    assert secrets_on_wire(server) == {"vendorKey", "queryKey"}


def test_optional_auth_sends_credential_when_configured(server: HTTPTestServer) -> None:
    with make(server, {"mudbaseJwt": JWT}) as client:
        client.request(op(((), ("mudbaseJwt",))), cast_to=object)
    assert secrets_on_wire(server) == {"mudbaseJwt"}
    with make(server, {}) as client:
        client.request(op(((), ("mudbaseJwt",))), cast_to=object)
    assert secrets_on_wire(server) == set()


def test_missing_credential_names_keyword_and_env_var(server: HTTPTestServer) -> None:
    with (
        make(server, {"vendorKey": VENDOR_KEY}) as client,
        pytest.raises(MissingCredentialError) as info,
    ):
        client.request(op((("mudbaseJwt",), ("queryKey", "basicAuth"))), cast_to=object)
    message = str(info.value)
    for text in (
        "secured_op",
        "mudbase_jwt",
        "TEST_CLIENT_MUDBASE_JWT",
        "query_key",
        "TEST_CLIENT_QUERY_KEY",
        "basic_auth",
        "TEST_CLIENT_BASIC_AUTH",
    ):
        assert text in message
    assert VENDOR_KEY not in message
    assert info.value.alternatives == (("mudbase_jwt",), ("query_key", "basic_auth"))
    assert isinstance(info.value, ClientError)
    assert server.requests == []


def test_env_var_fallback(server: HTTPTestServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_CLIENT_MUDBASE_JWT", "from-env-token")
    with make(server, {"mudbaseJwt": None}) as client:
        client.request(GET_ITEM, cast_to=object, path_params={"itemId": "a"})
    assert server.last.header("Authorization") == "Bearer from-env-token"
    with make(server, {"mudbaseJwt": "explicit-token"}) as client:
        client.request(GET_ITEM, cast_to=object, path_params={"itemId": "a"})
    assert server.last.header("Authorization") == "Bearer explicit-token"


def test_empty_env_var_counts_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_CLIENT_MUDBASE_JWT", "")
    client = SyncAPIClient(**client_kwargs(credentials={"mudbaseJwt": None}))
    with pytest.raises(MissingCredentialError):
        client.request(GET_ITEM, cast_to=object, path_params={"itemId": "a"})
    client.close()


@pytest.mark.parametrize(
    "bad", ["tok\r\nX-Injected: 1", "tok\n", "tok\x00", "tok\x7f", " tok", "tök"]
)
def test_unsafe_credentials_refused_without_echoing(bad: str) -> None:
    with pytest.raises(InvalidCredentialError) as info:
        SyncAPIClient(**client_kwargs(credentials={"mudbaseJwt": bad}))
    assert isinstance(info.value, ValueError) and isinstance(info.value, ClientError)
    assert "mudbase_jwt" in str(info.value)
    assert bad.strip() not in str(info.value)


def test_unsafe_env_credential_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_CLIENT_VENDOR_KEY", "abc\r\ndef")
    with pytest.raises(InvalidCredentialError, match="TEST_CLIENT_VENDOR_KEY") as info:
        SyncAPIClient(**client_kwargs())
    assert "abc" not in str(info.value)


def test_cookie_and_basic_credential_format_checks() -> None:
    with pytest.raises(InvalidCredentialError):
        SyncAPIClient(**client_kwargs(credentials={"sessionCookie": "a;b=c"}))
    with pytest.raises(InvalidCredentialError, match="user:password"):
        SyncAPIClient(**client_kwargs(credentials={"basicAuth": "no-colon"}))
    with pytest.raises(InvalidCredentialError, match="unknown"):
        SyncAPIClient(**client_kwargs(credentials={"nope": "x"}))


def test_non_ascii_basic_and_query_credentials_allowed(server: HTTPTestServer) -> None:
    with make(server, {"basicAuth": "jürgen:pässword", "queryKey": "ключ"}) as client:
        client.request(op((("basicAuth", "queryKey"),)), cast_to=object)
    expected = base64.b64encode("jürgen:pässword".encode()).decode()
    assert server.last.header("Authorization") == f"Basic {expected}"
    assert server.last.path == "/secured?api_key=%D0%BA%D0%BB%D1%8E%D1%87"


def test_repr_never_contains_secrets(server: HTTPTestServer) -> None:
    client = make(server, dict(ALL_SECRETS))
    text = repr(client) + str(client) + repr(vars(client))
    for value in (*ALL_SECRETS.values(), "s3cr3t-pass"):
        assert value not in text
    assert "mudbase_jwt" in repr(client) and server.url in repr(client)
    client.close()


def test_error_messages_never_contain_secrets(server: HTTPTestServer) -> None:
    # A hostile server echoing the credentials back in an error body.
    server.default = Reply(
        status=401, json={"error": f"bad token {JWT}", "key": QUERY_KEY, "basic": BASIC}
    )
    from generator.runtime._exceptions import AuthenticationError

    with make(server, dict(ALL_SECRETS)) as client, pytest.raises(AuthenticationError) as info:
        client.request(op((("mudbaseJwt", "queryKey", "basicAuth"),)), cast_to=object)
    for value in (JWT, QUERY_KEY, BASIC, "s3cr3t-pass"):
        assert value not in str(info.value)
    assert "<redacted>" in str(info.value)


def test_logs_never_contain_secrets(
    server: HTTPTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="test-client")
    server.enqueue(Reply(status=503, headers={"Retry-After": "0"}), Reply(json={}))
    with make(server, dict(ALL_SECRETS)) as client:
        client.request(
            op((("mudbaseJwt", "vendorKey", "queryKey", "sessionCookie"),)),
            cast_to=object,
            query={"visible": "yes"},
        )
    text = caplog.text
    assert "Retrying GET" in text
    assert "visible=yes" in text
    assert "api_key=<redacted>" in text
    assert "<redacted>" in text
    for value in ALL_SECRETS.values():
        assert value not in text
