"""Servers the client must never dial: an operation without a server, and a server
variable whose default is only a placeholder (``replace-with-own-host``).

Every refusal happens before anything is sent: an ``httpx.MockTransport`` records
each request that would leave the process, and the tests assert it saw none."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from generator.runtime._base_client import AsyncAPIClient, SyncAPIClient
from generator.runtime._exceptions import (
    MissingServerError,
    MissingServerVariableError,
    ServerVariableError,
)
from generator.runtime._operations import Operation, SecurityScheme, Server, ServerVariable
from tests.runtime.runtime_support import ENV_PREFIX, JWT, PLAIN_SERVER, SCHEMES

TENANT_ENV = f"{ENV_PREFIX}TENANT"
TOKEN = "erp-session-secret-42"
PLACEHOLDER_SERVER = Server(
    url="https://{tenant}.erp.invalid",
    variables=(
        ServerVariable("tenant", "replace-with-own-host", placeholder=True, env_var=TENANT_ENV),
    ),
)
ERP_SCHEME = SecurityScheme(
    name="erpToken",
    type="apiKey",
    location="header",
    parameter_name="x-session-token",
    http_scheme=None,
    keyword="erp_token",
    env_var=f"{ENV_PREFIX}ERP_TOKEN",
    servers=(PLACEHOLDER_SERVER,),
)
JWT_SCHEME = SecurityScheme(
    name="mudbaseJwt",
    type="http",
    location="header",
    parameter_name="Authorization",
    http_scheme="bearer",
    keyword="mudbase_jwt",
    env_var=f"{ENV_PREFIX}MUDBASE_JWT",
    servers=(PLAIN_SERVER,),
)
ERP_OP = Operation(
    operation_id="addChatroomParticipant",
    method="POST",
    path="/api/chat",
    servers=(PLACEHOLDER_SERVER,),
    security=(("erpToken",),),
)
PLAIN_OP = Operation(
    operation_id="addParticipant",
    method="POST",
    path="/participants",
    servers=(PLAIN_SERVER,),
    security=(("mudbaseJwt",),),
)
SERVERLESS_OP = Operation(
    operation_id="listThings", method="GET", path="/things", servers=(), security=()
)


class Recorder:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json={})

    @property
    def urls(self) -> list[str]:
        return [str(r.url) for r in self.requests]


def sync_client(recorder: Recorder, **overrides: Any) -> SyncAPIClient:
    kwargs: dict[str, Any] = {
        "package_name": "test-client",
        "package_version": "1.0.0",
        "env_prefix": ENV_PREFIX,
        "security_schemes": (ERP_SCHEME, JWT_SCHEME),
        "credentials": {"mudbaseJwt": JWT},
        "servers": (PLACEHOLDER_SERVER, PLAIN_SERVER),
        "max_retries": 0,
        "http_client": httpx.Client(transport=httpx.MockTransport(recorder)),
    }
    kwargs.update(overrides)
    return SyncAPIClient(**kwargs)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


# --------------------------------------------------------------------------- no server


def test_no_operation_has_a_server_refused_at_construction(recorder: Recorder) -> None:
    with pytest.raises(MissingServerError) as info:
        sync_client(
            recorder,
            servers=(),
            security_schemes=SCHEMES,
            operations_without_server=("listThings", "getThing", "addThing"),
        )
    message = str(info.value)
    assert "'listThings'" in message and "2 others" in message
    assert "no server" in message.lower() and "spec" in message
    assert "base_url=" in message and f"{ENV_PREFIX}BASE_URL" in message
    assert info.value.operation_id == "listThings"
    assert isinstance(info.value, ServerVariableError)


def test_no_server_anywhere_works_with_base_url(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = sync_client(
        recorder,
        servers=(),
        base_url="http://mock.invalid:4010",
        operations_without_server=("listThings",),
    )
    client.request(SERVERLESS_OP, cast_to=object)
    assert recorder.urls == ["http://mock.invalid:4010/things"]
    monkeypatch.setenv(f"{ENV_PREFIX}BASE_URL", "http://env.invalid")
    client = sync_client(recorder, servers=(), operations_without_server=("listThings",))
    client.request(SERVERLESS_OP, cast_to=object)
    assert recorder.urls[-1] == "http://env.invalid/things"
    # back to the spec's servers: there are none, and nothing is sent
    with pytest.raises(MissingServerError, match="'listThings'"):
        client.with_options(base_url=None).request(SERVERLESS_OP, cast_to=object)
    assert len(recorder.requests) == 2


def test_some_operations_without_server_refused_when_called(recorder: Recorder) -> None:
    client = sync_client(recorder, operations_without_server=("listThings",))
    with pytest.raises(MissingServerError) as info:
        client.request(SERVERLESS_OP, cast_to=object)
    assert str(info.value) == (
        "No server is declared in the spec for operation 'listThings'. Pass "
        "base_url=... to SyncAPIClient() (or set the environment variable "
        f"{ENV_PREFIX}BASE_URL)."
    )
    assert recorder.requests == []
    client.request(PLAIN_OP, cast_to=object)  # the others still work
    assert recorder.urls == ["https://api.example.invalid/participants"]


def test_operation_without_server_refused_by_the_async_client(recorder: Recorder) -> None:
    async def main() -> None:
        client = AsyncAPIClient(
            package_name="test-client",
            package_version="1.0.0",
            env_prefix=ENV_PREFIX,
            security_schemes=SCHEMES,
            credentials={},
            servers=(PLAIN_SERVER,),
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(recorder)),
            operations_without_server=("listThings",),
        )
        with pytest.raises(MissingServerError, match="base_url"):
            await client.request(SERVERLESS_OP, cast_to=object)

    asyncio.run(main())
    assert recorder.requests == []


# --------------------------------------------------------------------------- placeholders


def test_placeholder_default_is_never_dialled(recorder: Recorder) -> None:
    """The credential is also sent to another server, so the client is made; a call to
    the placeholder server fails before the credential leaves the process."""
    shared = SecurityScheme(
        **{**_fields(ERP_SCHEME), "servers": (PLACEHOLDER_SERVER, PLAIN_SERVER)}
    )
    client = sync_client(recorder, security_schemes=(shared,), credentials={"erpToken": TOKEN})
    with pytest.raises(MissingServerVariableError) as info:
        client.request(ERP_OP, cast_to=object)
    assert recorder.requests == []
    message = str(info.value)
    assert message.startswith("Operation 'addChatroomParticipant' was not sent. ")
    assert "'tenant'" in message and "'replace-with-own-host'" in message
    assert "server_variables={'tenant': ...}" in message
    assert TENANT_ENV in message
    assert TOKEN not in message
    assert (info.value.variable, info.value.env_var) == ("tenant", TENANT_ENV)
    assert info.value.operation_id == "addChatroomParticipant"
    assert client.base_url is None  # the first server has no usable URL


def test_credential_only_for_the_placeholder_server_refused_at_construction(
    recorder: Recorder,
) -> None:
    with pytest.raises(MissingServerVariableError) as info:
        sync_client(recorder, credentials={"erpToken": TOKEN})
    message = str(info.value)
    assert message.startswith("erp_token is given, but only sent to https://{tenant}.erp.invalid.")
    assert "server_variables={'tenant': ...}" in message and TENANT_ENV in message
    assert TOKEN not in message
    assert recorder.requests == []


def test_credential_from_the_environment_refused_too(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"{ENV_PREFIX}ERP_TOKEN", TOKEN)
    with pytest.raises(MissingServerVariableError, match=TENANT_ENV):
        sync_client(recorder, credentials={})


def test_other_vendor_users_are_not_refused_at_construction(recorder: Recorder) -> None:
    client = sync_client(recorder, credentials={"mudbaseJwt": JWT})
    client.request(PLAIN_OP, cast_to=object)
    assert recorder.urls == ["https://api.example.invalid/participants"]


def test_server_variables_give_the_value(recorder: Recorder) -> None:
    client = sync_client(
        recorder, credentials={"erpToken": TOKEN}, server_variables={"tenant": "acme"}
    )
    client.request(ERP_OP, cast_to=object)
    assert recorder.urls == ["https://acme.erp.invalid/api/chat"]
    assert recorder.requests[0].headers["x-session-token"] == TOKEN


def test_environment_variable_gives_the_value(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TENANT_ENV, "club-7")
    client = sync_client(recorder, credentials={"erpToken": TOKEN})
    client.request(ERP_OP, cast_to=object)
    assert recorder.urls == ["https://club-7.erp.invalid/api/chat"]
    # the keyword wins over the environment
    other = sync_client(
        recorder, credentials={"erpToken": TOKEN}, server_variables={"tenant": "acme"}
    )
    other.request(ERP_OP, cast_to=object)
    assert recorder.urls[-1] == "https://acme.erp.invalid/api/chat"


@pytest.mark.parametrize("value", ["evil.invalid/", "a b", "x@evil.invalid", ".acme"])
def test_bad_value_from_the_environment_refused(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(TENANT_ENV, value)
    with pytest.raises(ServerVariableError, match=f"'tenant'.*{TENANT_ENV}"):
        sync_client(recorder)


def test_with_options_gives_the_value_later(recorder: Recorder) -> None:
    client = sync_client(recorder)
    with pytest.raises(MissingServerVariableError):
        client.request(_anonymous(ERP_OP), cast_to=object)
    given = client.with_options(server_variables={"tenant": "acme"})
    given.request(_anonymous(ERP_OP), cast_to=object)
    assert recorder.urls == ["https://acme.erp.invalid/api/chat"]


def test_base_url_needs_no_placeholder_value(recorder: Recorder) -> None:
    client = sync_client(recorder, credentials={"erpToken": TOKEN}, base_url="http://mock.invalid")
    client.request(ERP_OP, cast_to=object)
    assert recorder.urls == ["http://mock.invalid/api/chat"]


def test_a_real_default_is_still_used(recorder: Recorder) -> None:
    server = Server("https://{region}.plain.invalid", (ServerVariable("region", "eu"),))
    op = Operation(operation_id="x", method="GET", path="/x", servers=(server,), security=())
    client = sync_client(recorder, servers=(server,), credentials={})
    client.request(op, cast_to=object)
    assert recorder.urls == ["https://eu.plain.invalid/x"]


def test_async_client_refuses_the_placeholder(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    kwargs: dict[str, Any] = {
        "package_name": "test-client",
        "package_version": "1.0.0",
        "env_prefix": ENV_PREFIX,
        "security_schemes": (ERP_SCHEME, JWT_SCHEME),
        "servers": (PLACEHOLDER_SERVER, PLAIN_SERVER),
    }

    async def main() -> None:
        with pytest.raises(MissingServerVariableError, match="erp_token is given"):
            AsyncAPIClient(credentials={"erpToken": TOKEN}, **kwargs)
        client = AsyncAPIClient(
            credentials={"mudbaseJwt": JWT},
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(recorder)),
            **kwargs,
        )
        with pytest.raises(MissingServerVariableError, match="'addChatroomParticipant'"):
            await client.request(_anonymous(ERP_OP), cast_to=object)
        await client.request(PLAIN_OP, cast_to=object)

    asyncio.run(main())
    assert recorder.urls == ["https://api.example.invalid/participants"]


def _anonymous(op: Operation) -> Operation:
    return Operation(
        operation_id=op.operation_id,
        method=op.method,
        path=op.path,
        servers=op.servers,
        security=(),
    )


def _fields(scheme: SecurityScheme) -> dict[str, Any]:
    return {name: getattr(scheme, name) for name in SecurityScheme.__slots__}  # type: ignore[attr-defined]
