"""Logger setup from the environment and redaction helpers."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest

from generator.runtime._base_client import SyncAPIClient
from generator.runtime._logs import (
    REDACTED,
    get_logger,
    redact_headers,
    redact_url,
    scrub,
    setup_logging,
)
from tests.runtime.runtime_support import GET_ITEM, JWT, HTTPTestServer, Reply, client_kwargs

NAME = "clientgen-test-logs"


@pytest.fixture
def fresh_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger(NAME)
    yield logger
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)


def test_get_logger_named_after_package() -> None:
    assert get_logger("chat-client").name == "chat-client"


@pytest.mark.parametrize(("value", "level"), [("debug", logging.DEBUG), ("INFO", logging.INFO)])
def test_setup_logging_from_env(
    fresh_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch, value: str, level: int
) -> None:
    monkeypatch.setenv("CLIENTGEN_TEST_LOG", value)
    setup_logging(NAME, "CLIENTGEN_TEST_LOG")
    setup_logging(NAME, "CLIENTGEN_TEST_LOG")
    assert fresh_logger.level == level
    assert len(fresh_logger.handlers) == 1
    assert fresh_logger.handlers[0].level == level


def test_setup_logging_without_env_leaves_logger_alone(
    fresh_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLIENTGEN_TEST_LOG", raising=False)
    setup_logging(NAME, "CLIENTGEN_TEST_LOG")
    assert fresh_logger.handlers == []
    assert fresh_logger.level == logging.NOTSET
    monkeypatch.setenv("CLIENTGEN_TEST_LOG", "verbose")
    setup_logging(NAME, "CLIENTGEN_TEST_LOG")
    assert fresh_logger.handlers == []


def test_stderr_handler_output_is_redacted(
    server: HTTPTestServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TEST_CLIENT_LOG", "debug")
    logger = logging.getLogger("test-client")
    try:
        server.enqueue(Reply(json={"id": "a", "name": "n"}))
        with SyncAPIClient(**client_kwargs(base_url=server.url)) as client:
            client.request(GET_ITEM, cast_to=object, path_params={"itemId": "a"})
        err = capsys.readouterr().err
        assert "HTTP Request: GET" in err and '"200 OK"' in err
        assert "'authorization': '<redacted>'" in err
        assert JWT not in err
    finally:
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)


def test_redact_headers() -> None:
    headers = [
        ("Authorization", "Bearer x"),
        ("X-Vendor-Key", "k"),
        ("cookie", "a=b"),
        ("Accept", "application/json"),
    ]
    assert redact_headers(headers, {"x-vendor-key"}) == {
        "Authorization": REDACTED,
        "X-Vendor-Key": REDACTED,
        "cookie": REDACTED,
        "Accept": "application/json",
    }


def test_redact_url() -> None:
    url = httpx.URL("https://user:pw@h.invalid:8443/p%2Fq?api_key=sec&x=1&x=2")
    text = redact_url(url, {"api_key"})
    assert text == f"https://user:{REDACTED}@h.invalid:8443/p%2Fq?api_key={REDACTED}&x=1&x=2"
    assert redact_url(httpx.URL("http://h.invalid/a"), ()) == "http://h.invalid/a"


def test_scrub() -> None:
    assert scrub("token abcd1234 here", ["abcd1234"]) == f"token {REDACTED} here"
    assert scrub("short ab", ["ab"]) == "short ab"
