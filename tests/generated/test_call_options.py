"""The generated methods' per-call options, streaming responses, request ids, typed error
bodies and cached resources, on the wire against a server on 127.0.0.1 (sync and async)."""

from __future__ import annotations

import inspect
import subprocess
import sys
import time
from typing import Any

import pytest
from chat_client import (
    APIResponse,
    APITimeoutError,
    AsyncAPIResponse,
    AsyncChatClient,
    BadRequestError,
    ChatClient,
    MudbaseErrorStatusError,
    RequestValidationError,
)
from chat_client.models import AddParticipantResponse, MudbaseError

from tests.generated.support import IW_TOKEN, MUDBASE_JWT, MUDBASE_PATH, Flavor, mudbase_ok
from tests.runtime.runtime_support import HTTPTestServer, Reply

OPTIONS = ("extra_headers", "extra_query", "extra_body", "timeout")


def make(flavor: Flavor, server: HTTPTestServer, **kwargs: object) -> Any:
    kwargs.setdefault("iw_erp_session_token", IW_TOKEN)
    kwargs.setdefault("mudbase_jwt", MUDBASE_JWT)
    kwargs.setdefault("base_url", server.url)
    kwargs.setdefault("max_retries", 0)
    return flavor.client(**kwargs)


def add(flavor: Flavor, client: Any, **options: Any) -> Any:
    return flavor.run(
        client.mudbase.add_participant(
            project_id="proj_1", chat_id="chat_1", user_id="usr_1", **options
        )
    )


@pytest.mark.parametrize("client_class", [ChatClient, AsyncChatClient])
def test_every_method_takes_the_options_keyword_only(client_class: type[Any]) -> None:
    client = client_class(base_url="http://127.0.0.1:9")
    methods = [
        client.mudbase.add_participant,
        client.iw_erp.add_chatroom_participant,
    ]
    for method in methods:
        parameters = inspect.signature(method).parameters
        for name in OPTIONS:
            assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY, (method, name)
        assert parameters["timeout"].default is not None  # NOT_GIVEN: the client's timeout


def test_options_on_the_wire(flavor: Flavor, server: HTTPTestServer) -> None:
    server.enqueue(mudbase_ok(), Reply(json={"first_name": "Ada"}))
    client = make(flavor, server)
    result = add(
        flavor,
        client,
        extra_headers={"X-Trace": "t-1"},
        extra_query={"dry_run": True},
        extra_body={"notify": False},
        timeout=7.5,
    )
    assert isinstance(result, AddParticipantResponse)
    seen = server.last
    assert seen.header("X-Trace") == "t-1"
    assert seen.path == f"{MUDBASE_PATH}?dry_run=true"
    assert seen.json() == {"userId": "usr_1", "notify": False}
    assert seen.header("Authorization") == f"Bearer {MUDBASE_JWT}"
    flavor.run(
        client.iw_erp.add_chatroom_participant(
            data={"first_name": "Ada"}, iw_build_id="b1", extra_query={"x": 1}
        )
    )
    assert server.last.path == "/api/chat/chatroom_participant?iw-build-id=b1&x=1"


def test_precedence_call_over_with_options_over_client(
    flavor: Flavor, server: HTTPTestServer
) -> None:
    client = make(flavor, server, default_headers={"X-Trace": "client"}, timeout=30.0)
    copy = client.with_options(default_headers={"X-Trace": "copy"}, timeout=20.0)
    seen: list[tuple[str | None, object]] = []
    for target, options in (
        (client, {}),
        (copy, {}),
        (copy, {"extra_headers": {"X-Trace": "call"}, "timeout": 2.0}),
    ):
        raw = flavor.run(
            target.mudbase.with_raw_response.add_participant(
                project_id="proj_1", chat_id="chat_1", user_id="usr_1", **options
            )
        )
        seen.append((server.last.header("X-Trace"), raw.request.extensions["timeout"]["read"]))
    assert seen == [("client", 30.0), ("copy", 20.0), ("call", 2.0)]


def test_per_call_timeout_ends_a_hanging_call(flavor: Flavor, server: HTTPTestServer) -> None:
    server.enqueue(Reply(action="hang"))
    client = make(flavor, server, timeout=60.0)
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        add(flavor, client, timeout=0.3)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "options",
    [
        {"extra_headers": {"Authorization": "Bearer someone-else"}},
        {"extra_headers": {"x-session-token": "other-scheme"}},
        {"extra_headers": {"Cookie": "a=b"}},
        {"extra_body": {"userId": "usr_2"}},
    ],
)
def test_options_cannot_switch_credentials_or_replace_arguments(
    flavor: Flavor, server: HTTPTestServer, options: dict[str, Any]
) -> None:
    client = make(flavor, server)
    with pytest.raises(RequestValidationError):
        add(flavor, client, **options)
    assert server.requests == []


# --------------------------------------------------------------------------- errors


def test_error_carries_request_id_and_typed_body(flavor: Flavor, server: HTTPTestServer) -> None:
    server.enqueue(
        Reply(
            status=400,
            json={"error": "Validation failed", "code": "VALIDATION_ERROR"},
            headers={"x-request-id": "req-abc"},
        )
    )
    client = make(flavor, server)
    with pytest.raises(MudbaseErrorStatusError) as info:
        add(flavor, client)
    exc = info.value
    assert isinstance(exc, BadRequestError)
    assert isinstance(exc.body, MudbaseError) and exc.body.code == "VALIDATION_ERROR"
    assert exc.request_id == "req-abc"


def test_undocumented_error_is_not_the_model_class(flavor: Flavor, server: HTTPTestServer) -> None:
    server.enqueue(Reply(status=409, json={"error": "x"}))
    client = make(flavor, server)
    with pytest.raises(Exception) as info:
        add(flavor, client)
    assert not isinstance(info.value, MudbaseErrorStatusError)
    assert getattr(info.value, "request_id", "missing") is None


# --------------------------------------------------------------------------- streaming


def test_with_streaming_response_sync(server: HTTPTestServer) -> None:
    server.enqueue(
        Reply(body='{"success": true,\n"data": {"participants": []}}', headers={"X-Request-Id": "r"}),
        mudbase_ok(),
    )
    with ChatClient(mudbase_jwt=MUDBASE_JWT, base_url=server.url) as client:
        streamed = client.mudbase.with_streaming_response
        with streamed.add_participant(project_id="proj_1", chat_id="chat_1", user_id="u") as resp:
            assert isinstance(resp, APIResponse)
            assert resp.request_id == "r"
            assert list(resp.iter_lines()) == ['{"success": true,', '"data": {"participants": []}}']
        assert resp.is_closed
        with streamed.add_participant(project_id="proj_1", chat_id="chat_1", user_id="u") as resp:
            assert isinstance(resp.parse(), AddParticipantResponse)


async def test_with_streaming_response_async(server: HTTPTestServer) -> None:
    server.enqueue(Reply(body="a\nb"), Reply(body="xyz"), mudbase_ok())
    async with AsyncChatClient(mudbase_jwt=MUDBASE_JWT, base_url=server.url) as client:
        streamed = client.mudbase.with_streaming_response
        call = {"project_id": "proj_1", "chat_id": "chat_1", "user_id": "u"}
        async with streamed.add_participant(**call) as resp:
            assert isinstance(resp, AsyncAPIResponse)
            assert [line async for line in resp.iter_lines()] == ["a", "b"]
        async with streamed.add_participant(**call) as resp:
            assert b"".join([chunk async for chunk in resp.iter_bytes()]) == b"xyz"
        async with streamed.add_participant(**call) as resp:
            assert isinstance(await resp.parse(), AddParticipantResponse)
        raw = await client.mudbase.with_raw_response.add_participant(**call)
        assert isinstance(await raw.parse(), AddParticipantResponse)


# --------------------------------------------------------------------------- caching


@pytest.mark.parametrize("client_class", [ChatClient, AsyncChatClient])
def test_resources_and_wrappers_are_cached_per_client(client_class: type[Any]) -> None:
    client = client_class(base_url="http://127.0.0.1:9")
    assert client.mudbase is client.mudbase
    assert client.mudbase.with_raw_response is client.mudbase.with_raw_response
    assert client.iw_erp.with_streaming_response is client.iw_erp.with_streaming_response
    copy = client.with_options(timeout=1.0)
    assert copy.mudbase is not client.mudbase
    assert copy.mudbase._client is copy and client.mudbase._client is client


def test_models_attribute_is_lazy_and_logger_is_the_package() -> None:
    code = (
        "import sys, chat_client\n"
        "assert 'chat_client.models' not in sys.modules\n"
        "assert chat_client.models.MudbaseError.__name__ == 'MudbaseError'\n"
        "import logging\n"
        "c = chat_client.ChatClient(base_url='http://127.0.0.1:9')\n"
        "assert c._logger is logging.getLogger('chat_client')\n"
        "try:\n"
        "    chat_client.nothing\n"
        "except AttributeError:\n"
        "    print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.stdout.strip() == "ok", result.stderr
