"""Server selection: ``{tenant}`` in the IW-ERP server, Mudbase's own server, the
``base_url`` override, and refusal of unknown variables or bad values at construction.

The real hosts are never contacted: an ``httpx.MockTransport`` records the URL."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from chat_client import MissingServerVariableError, ServerVariableError

from tests.generated.support import (
    IW_PATH,
    IW_TOKEN,
    MUDBASE_JWT,
    MUDBASE_PATH,
    Flavor,
    mudbase_ok,
    participant_ok,
)
from tests.runtime.runtime_support import HTTPTestServer


class Recorder:
    """MockTransport handler: records requests, answers like the real API would."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = mudbase_ok() if request.url.path.endswith("/participants") else participant_ok()
        return httpx.Response(200, json=reply.json)

    @property
    def urls(self) -> list[str]:
        return [str(r.url) for r in self.requests]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def mocked(flavor: Flavor, recorder: Callable[[httpx.Request], httpx.Response], **kwargs: object):  # type: ignore[no-untyped-def]
    kwargs.setdefault("iw_erp_session_token", IW_TOKEN)
    kwargs.setdefault("mudbase_jwt", MUDBASE_JWT)
    transport = httpx.MockTransport(recorder)
    http_client = flavor.http_client(transport=transport)
    return flavor.client(http_client=http_client, **kwargs), http_client


def call_both(flavor: Flavor, client: object) -> None:
    flavor.run(client.iw_erp.add_chatroom_participant(data={"first_name": "Ada"}))  # type: ignore[attr-defined]
    flavor.run(client.mudbase.add_participant(project_id="proj_1", chat_id="chat_1", user_id="u"))  # type: ignore[attr-defined]


def test_effective_server_per_operation(flavor: Flavor, recorder: Recorder) -> None:
    client, http_client = mocked(flavor, recorder, server_variables={"tenant": "acme"})
    call_both(flavor, client)
    assert recorder.urls == [
        f"https://acme.iw-erp.de{IW_PATH}",
        f"https://cloud.mudbase.dev{MUDBASE_PATH}",
    ]
    # each host only ever sees its own credential
    iw, mb = recorder.requests
    assert iw.headers.get("x-session-token") == IW_TOKEN and "authorization" not in iw.headers
    assert mb.headers.get("authorization") == f"Bearer {MUDBASE_JWT}"
    assert "x-session-token" not in mb.headers
    flavor.run(http_client.aclose() if flavor.is_async else http_client.close())


# --------------------------------------------------------------------------- the placeholder tenant


def test_iw_erp_token_without_tenant_refused_at_construction(
    flavor: Flavor, recorder: Recorder
) -> None:
    """``replace-with-own-host`` (the vendor docs' placeholder) is never dialled: a
    client given the IW-ERP token but no tenant is refused before it can send it."""
    with pytest.raises(MissingServerVariableError) as info:
        mocked(flavor, recorder)
    message = str(info.value)
    assert "iw_erp_session_token" in message and "'tenant'" in message
    assert "server_variables={'tenant': ...}" in message
    assert "CHAT_CLIENT_TENANT" in message
    assert IW_TOKEN not in message
    assert (info.value.variable, info.value.env_var) == ("tenant", "CHAT_CLIENT_TENANT")
    assert recorder.requests == []


def test_mudbase_only_user_needs_no_tenant(flavor: Flavor, recorder: Recorder) -> None:
    client, _ = mocked(flavor, recorder, iw_erp_session_token=None)
    flavor.run(client.mudbase.add_participant(project_id="proj_1", chat_id="chat_1", user_id="u"))
    assert recorder.urls == [f"https://cloud.mudbase.dev{MUDBASE_PATH}"]
    # an IW-ERP call is refused, unsent, for the tenant first (then it would need the token)
    with pytest.raises(MissingServerVariableError) as info:
        flavor.run(client.iw_erp.add_chatroom_participant(data={"first_name": "Ada"}))
    assert "'addChatroomParticipant'" in str(info.value)
    assert "CHAT_CLIENT_TENANT" in str(info.value)
    assert recorder.urls == [f"https://cloud.mudbase.dev{MUDBASE_PATH}"]
    assert not any("replace-with-own-host" in url for url in recorder.urls)


def test_tenant_from_the_environment(
    flavor: Flavor, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAT_CLIENT_TENANT", "club-42")
    client, _ = mocked(flavor, recorder)
    call_both(flavor, client)
    assert recorder.urls == [
        f"https://club-42.iw-erp.de{IW_PATH}",
        f"https://cloud.mudbase.dev{MUDBASE_PATH}",
    ]
    # server_variables wins over the environment
    client, _ = mocked(flavor, recorder, server_variables={"tenant": "acme"})
    flavor.run(client.iw_erp.add_chatroom_participant(data={}))
    assert recorder.urls[-1] == f"https://acme.iw-erp.de{IW_PATH}"


def test_bad_tenant_in_the_environment_refused(
    flavor: Flavor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAT_CLIENT_TENANT", "evil.example/")
    with pytest.raises(ServerVariableError, match="CHAT_CLIENT_TENANT"):
        flavor.client_class()


def test_leaving_base_url_without_tenant_refused_at_call(
    flavor: Flavor, recorder: Recorder
) -> None:
    """A client made with base_url (a proxy) needs no tenant; back to the spec's servers
    (``with_options(base_url=None)``) the token is not sent to the placeholder host."""
    client, _ = mocked(flavor, recorder, base_url="http://proxy.invalid")
    direct = client.with_options(base_url=None)
    with pytest.raises(MissingServerVariableError) as info:
        flavor.run(direct.iw_erp.add_chatroom_participant(data={}))
    assert "'addChatroomParticipant' was not sent" in str(info.value)
    assert recorder.requests == []
    flavor.run(
        direct.with_options(server_variables={"tenant": "acme"}).iw_erp.add_chatroom_participant(
            data={}
        )
    )
    assert recorder.urls == [f"https://acme.iw-erp.de{IW_PATH}"]


def test_tenant_does_not_affect_mudbase(flavor: Flavor, recorder: Recorder) -> None:
    client, _ = mocked(flavor, recorder, server_variables={"tenant": "club-42"})
    call_both(flavor, client)
    assert recorder.urls == [
        f"https://club-42.iw-erp.de{IW_PATH}",
        f"https://cloud.mudbase.dev{MUDBASE_PATH}",
    ]


def test_with_options_changes_the_tenant(flavor: Flavor, recorder: Recorder) -> None:
    client, _ = mocked(flavor, recorder, server_variables={"tenant": "acme"})
    other = client.with_options(server_variables={"tenant": "other"})
    flavor.run(other.iw_erp.add_chatroom_participant(data={}))
    flavor.run(client.iw_erp.add_chatroom_participant(data={}))
    assert recorder.urls == [
        f"https://other.iw-erp.de{IW_PATH}",
        f"https://acme.iw-erp.de{IW_PATH}",
    ]
    with pytest.raises(ServerVariableError):
        client.with_options(server_variables={"tennant": "x"})


def test_base_url_overrides_every_server(flavor: Flavor, recorder: Recorder) -> None:
    client, _ = mocked(
        flavor,
        recorder,
        base_url="http://proxy.invalid:8080/prefix/",
        server_variables={"tenant": "acme"},
    )
    call_both(flavor, client)
    assert recorder.urls == [
        f"http://proxy.invalid:8080/prefix{IW_PATH}",
        f"http://proxy.invalid:8080/prefix{MUDBASE_PATH}",
    ]
    back = client.with_options(base_url=None)
    flavor.run(back.iw_erp.add_chatroom_participant(data={}))
    assert recorder.urls[-1] == f"https://acme.iw-erp.de{IW_PATH}"


def test_base_url_from_environment(
    flavor: Flavor, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAT_CLIENT_BASE_URL", "http://mock.invalid:4010")
    client, _ = mocked(flavor, recorder)
    call_both(flavor, client)
    assert recorder.urls == [
        f"http://mock.invalid:4010{IW_PATH}",
        f"http://mock.invalid:4010{MUDBASE_PATH}",
    ]


def test_base_url_with_the_local_server(flavor: Flavor, server: HTTPTestServer) -> None:
    client = flavor.client(
        iw_erp_session_token=IW_TOKEN, mudbase_jwt=MUDBASE_JWT, base_url=server.url
    )
    call_both(flavor, client)
    assert [r.path for r in server.requests] == [IW_PATH, MUDBASE_PATH]
    assert server.requests[0].header("Host") == server.url.removeprefix("http://")


def test_client_base_url_property(flavor: Flavor) -> None:
    client = flavor.client(server_variables={"tenant": "acme"})
    assert str(client.base_url) == "https://acme.iw-erp.de"
    assert "acme.iw-erp.de" in repr(client)


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("name", ["tennant", "Tenant", "host", "port"])
def test_unknown_server_variable_refused(flavor: Flavor, name: str) -> None:
    with pytest.raises(ServerVariableError) as info:
        flavor.client_class(server_variables={name: "acme"})
    assert repr(name) in str(info.value)
    assert "tenant" in str(info.value)  # the known variables are listed


@pytest.mark.parametrize(
    "value",
    [
        "",
        "evil.example/",
        "evil.example#",
        "evil.example?",
        "user@evil.example",
        "acme:443",
        "ac me",
        "acme\r\n",
        "äcme",
        ".acme",
        "acme.",
        "ac..me",
    ],
)
def test_bad_tenant_values_refused(flavor: Flavor, value: str) -> None:
    with pytest.raises(ServerVariableError) as info:
        flavor.client_class(server_variables={"tenant": value})
    assert "'tenant'" in str(info.value)


def test_non_string_tenant_refused(flavor: Flavor) -> None:
    with pytest.raises(ServerVariableError, match="tenant"):
        flavor.client_class(server_variables={"tenant": 42})


@pytest.mark.parametrize(
    "base_url",
    ["ftp://x.invalid", "not a url", "/relative", "http://h.invalid/?q=1", "http://h.invalid/#f"],
)
def test_bad_base_url_refused(flavor: Flavor, base_url: str) -> None:
    with pytest.raises(ServerVariableError, match="base_url"):
        flavor.client_class(base_url=base_url)
