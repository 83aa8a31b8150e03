"""Credentials never show up in reprs, exception messages or logs (incl. debug logs)."""

from __future__ import annotations

import logging
import pickle

import httpx
import pytest
from chat_client import APIConnectionError, APIStatusError, ClientError

from tests.generated.support import IW_TOKEN, MUDBASE_JWT, Flavor
from tests.runtime.runtime_support import HTTPTestServer, Reply

SECRETS = (IW_TOKEN, MUDBASE_JWT)


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text
    assert "mudbase-secret-payload" not in text and "7f3a9c" not in text


def make(flavor: Flavor, server: HTTPTestServer, **kwargs: object) -> object:
    kwargs.setdefault("iw_erp_session_token", IW_TOKEN)
    kwargs.setdefault("mudbase_jwt", MUDBASE_JWT)
    kwargs.setdefault("base_url", server.url)
    return flavor.client(**kwargs)


def test_client_repr_redacts_credentials(flavor: Flavor, server: HTTPTestServer) -> None:
    client = make(flavor, server)
    for text in (repr(client), str(client), repr(client.with_options(max_retries=0))):
        assert_no_secret(text)
        assert "<redacted>" in text
    assert "iw_erp_session_token" in repr(client) and "mudbase_jwt" in repr(client)
    assert_no_secret(repr(vars(client)))


def test_env_credentials_not_in_repr(flavor: Flavor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAT_CLIENT_IW_ERP_SESSION_TOKEN", IW_TOKEN)
    monkeypatch.setenv("CHAT_CLIENT_MUDBASE_JWT", MUDBASE_JWT)
    monkeypatch.setenv("CHAT_CLIENT_TENANT", "acme")  # the IW-ERP token needs the tenant
    assert_no_secret(repr(flavor.client()))


def test_echoed_secret_scrubbed_from_error_messages(flavor: Flavor, server: HTTPTestServer) -> None:
    """A server echoing the request headers into its error body (a common debug
    behaviour) must not put the credential into the exception message."""
    server.handler = lambda rec: Reply(
        status=401 if "/participants" in rec.path else 500,
        json={
            "error": f"token {rec.header('Authorization')} rejected",
            "details": {"x-session-token": rec.header("x-session-token")},
        },
    )
    client = make(flavor, server, max_retries=0)
    errors: list[APIStatusError] = []
    for coro_factory in (
        lambda: client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"),
        lambda: client.iw_erp.add_chatroom_participant(data={}),
    ):
        with pytest.raises(APIStatusError) as info:
            flavor.run(coro_factory())
        errors.append(info.value)
    for exc in errors:
        assert_no_secret(str(exc))
        assert_no_secret(repr(exc))
        assert_no_secret(repr(exc.args))
        assert "<redacted>" in str(exc)


def test_connection_error_message_has_no_secret(flavor: Flavor) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"failed with headers {dict(request.headers)}", request=request)

    client = flavor.client(
        iw_erp_session_token=IW_TOKEN,
        mudbase_jwt=MUDBASE_JWT,
        server_variables={"tenant": "acme"},
        http_client=flavor.http_client(transport=httpx.MockTransport(fail)),
        max_retries=0,
    )
    with pytest.raises(APIConnectionError) as info:
        flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"))
    assert_no_secret(str(info.value))
    assert_no_secret(repr(info.value))


def test_validation_errors_have_no_secret(flavor: Flavor, server: HTTPTestServer) -> None:
    client = make(flavor, server)
    with pytest.raises(ClientError) as info:
        flavor.run(
            client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u", role="x")
        )
    assert_no_secret(str(info.value))


def test_debug_logs_redact_credentials(
    flavor: Flavor,
    server: HTTPTestServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    sleeps: list[float],
) -> None:
    monkeypatch.setenv("CHAT_CLIENT_LOG", "debug")
    caplog.set_level(logging.DEBUG)  # root: also httpx's and httpcore's own loggers
    client = make(flavor, server, max_retries=1)
    flavor.run(client.iw_erp.add_chatroom_participant(data={"first_name": "Ada"}))
    server.enqueue(Reply(status=429, json={"error": "slow"}))
    server.enqueue(Reply(status=400, json={"error": f"bad {MUDBASE_JWT}"}))
    with pytest.raises(APIStatusError):
        flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"))

    package_records = [r for r in caplog.records if r.name == "chat_client"]
    messages = [r.getMessage() for r in package_records]
    assert any(m.startswith("Request: POST") for m in messages)  # debug lines were logged
    assert any("Retrying POST" in m for m in messages)
    assert any("x-session-token" in m and "<redacted>" in m for m in messages)
    assert any("'authorization': '<redacted>'" in m for m in messages)
    for record in caplog.records:  # every logger, every level
        assert_no_secret(record.getMessage())
        assert_no_secret(repr(record.args))
    assert_no_secret(caplog.text)
    # CHAT_CLIENT_LOG also writes to stderr: same redaction there
    captured = capsys.readouterr()
    assert "Request: POST" in captured.err
    assert_no_secret(captured.err + captured.out)


def test_info_level_logs_requests_without_headers(
    flavor: Flavor,
    server: HTTPTestServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("CHAT_CLIENT_LOG", "info")
    caplog.set_level(logging.INFO, logger="chat_client")
    client = make(flavor, server)
    flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"))
    messages = [r.getMessage() for r in caplog.records if r.name == "chat_client"]
    assert any("HTTP Request: POST" in m and '"200 OK"' in m for m in messages)
    assert not any(m.startswith("Request:") for m in messages)  # debug only
    assert_no_secret(caplog.text)


def test_no_logging_without_the_variable(
    flavor: Flavor, server: HTTPTestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    client = make(flavor, server)
    flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"))
    assert capsys.readouterr().err == ""


def test_cr_lf_in_default_headers_refused(flavor: Flavor) -> None:
    with pytest.raises(ValueError, match="control characters"):
        flavor.client_class(default_headers={"X-Trace": "a\r\nx-session-token: forged"})


def test_models_do_not_hold_credentials(flavor: Flavor, server: HTTPTestServer) -> None:
    client = make(flavor, server)
    result = flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"))
    assert_no_secret(repr(result))
    assert_no_secret(repr(pickle.loads(pickle.dumps(result))))
