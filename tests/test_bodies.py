"""Every request-body kind and parameter style, generated and sent through a recording server.

``tests/specs_generate/bodies.openapi.yaml`` has one operation per body kind (a form with
nested ``deepObject`` properties, multipart with files, raw bytes, plain text, a vendor
JSON media type) and parameters in every style the client sends. The generated package
must pass ruff and ``mypy --strict``; a program using it (sync and async) sends each
request to a server on 127.0.0.1, and the tests check the exact wire format.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from tests.corpus.checks import generate, mypy_strict
from tests.runtime.runtime_support import HTTPTestServer, Recorded, Reply

SPEC = Path(__file__).parent / "specs_generate" / "bodies.openapi.yaml"
PACKAGE = "bodies_client"

_PROGRAM = textwrap.dedent(
    """
    import asyncio, io, sys
    sys.path.insert(0, sys.argv[1])
    from bodies_client import AsyncBodiesClient, BodiesClient

    def calls(client):
        yield client.forms.create_customer(
            email="ada@example.com", balance=5, metadata={"order": "6735", "note": "a b&c"},
            address={"city": "Oslo", "line1": "Karl Johans gate 1"},
            expand=["customer", "invoice"], tags=["a", "b"], active=True,
        )
        yield client.forms.list_customers(
            created={"gt": 1, "lte": 9}, expand=["data.customer"], ids=[1, 2, 3],
            words=["big", "red"], colors=["red", "blue"], filter={"kind": "cat"},
            x_dimensions={"width": 2, "height": 3},
        )
        yield client.files.upload_file(
            purpose="batch", file=("notes.txt", b"hello", "text/plain"),
            attachments=[b"one", io.BytesIO(b"two")], labels=["x", "y"],
            options={"public": True},
        )
        yield client.files.put_image(name="logo", body=b"\\x89PNG")
        yield client.text.post_note(body="h\\u00e9llo")
        yield client.text.post_event(kind="created")

    client = BodiesClient(base_url=sys.argv[2], max_retries=0)
    results = list(calls(client))

    async def main():
        async with AsyncBodiesClient(base_url=sys.argv[2], max_retries=0) as aclient:
            return [await call for call in calls(aclient)]

    aresults = asyncio.run(main())
    print(repr(results[4]), repr(aresults[4]), type(results[0]).__name__)
    """
)


def _reply(recorded: Recorded) -> Reply:
    if recorded.path.startswith("/notes"):
        return Reply(body=recorded.body.decode("utf-8"))
    if recorded.path.startswith("/images"):
        return Reply(status=204)
    return Reply(json={"ok": True})


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bodies") / PACKAGE
    result = generate(SPEC, PACKAGE, out)
    assert result.status == "generated", result.reason
    return out


@pytest.fixture(scope="module")
def sent(generated: Path) -> Iterator[tuple[list[Recorded], str]]:
    """The requests the program sent (six sync, then six async), and what it printed."""
    server = HTTPTestServer()
    server.handler = _reply
    try:
        run = subprocess.run(
            [sys.executable, "-I", "-c", _PROGRAM, str(generated / "src"), server.url],
            cwd=generated.parent,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        yield list(server.requests), run.stdout
    finally:
        server.shutdown()


def test_ruff_and_mypy_pass(generated: Path) -> None:
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=generated,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    errors = mypy_strict({PACKAGE: generated / "src"}, cwd=generated.parent)
    assert not errors, "\n".join(line for lines in errors.values() for line in lines)


def test_sync_and_async_send_the_same_bytes(sent: tuple[list[Recorded], str]) -> None:
    requests, printed = sent
    assert len(requests) == 12
    for sync, asynchronous in zip(requests[:6], requests[6:], strict=True):
        assert (sync.method, sync.path) == (asynchronous.method, asynchronous.path)
        if not (sync.header("Content-Type") or "").startswith("multipart/"):
            assert sync.body == asynchronous.body
    assert printed.split() == ["'héllo'", "'héllo'", "Receipt"]


def test_form_body_nests_deep_objects(sent: tuple[list[Recorded], str]) -> None:
    form = sent[0][0]
    assert form.header("Content-Type") == "application/x-www-form-urlencoded"
    assert parse_qsl(form.body.decode("ascii")) == [
        ("email", "ada@example.com"),
        ("balance", "5"),
        ("metadata[order]", "6735"),
        ("metadata[note]", "a b&c"),
        ("address[city]", "Oslo"),
        ("address[line1]", "Karl Johans gate 1"),
        ("expand[0]", "customer"),
        ("expand[1]", "invoice"),
        ("tags", "a"),
        ("tags", "b"),
        ("active", "true"),
    ]


def test_query_and_header_styles(sent: tuple[list[Recorded], str]) -> None:
    listing = sent[0][1]
    assert listing.method == "GET" and listing.body == b""
    assert listing.header("Content-Type") is None  # the form body that can hold nothing
    query = [(unquote(k), unquote(v)) for k, v in _raw_pairs(listing.path)]
    assert query == [
        ("created[gt]", "1"),
        ("created[lte]", "9"),
        ("expand[0]", "data.customer"),
        ("ids", "1,2,3"),
        ("words", "big red"),
        ("colors", "red|blue"),
        ("filter", '{"kind":"cat"}'),
    ]
    assert listing.header("X-Dimensions") == "width=2,height=3"


def _raw_pairs(target: str) -> list[tuple[str, str]]:
    query = urlsplit(target).query
    pairs = [pair.split("=", 1) for pair in query.split("&")]
    return [(k.replace("+", " "), v.replace("+", " ")) for k, v in pairs]


def _parts(recorded: Recorded) -> list[Message]:
    content_type = recorded.header("Content-Type") or ""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + recorded.body
    )
    assert message.is_multipart()
    return list(message.iter_parts())  # type: ignore[attr-defined]


def test_multipart_parts(sent: tuple[list[Recorded], str]) -> None:
    upload = sent[0][2]
    assert (upload.header("Content-Type") or "").startswith("multipart/form-data; boundary=")
    parts = [
        (
            part.get_param("name", header="content-disposition"),
            part.get_filename(),
            part.get_content_type() if part.get("Content-Type") else None,
            part.get_payload(decode=True),
        )
        for part in _parts(upload)
    ]
    assert parts == [
        ("purpose", None, None, b"batch"),
        ("labels", None, None, b"x"),
        ("labels", None, None, b"y"),
        ("options", None, "application/json", b'{"public":true}'),
        ("file", "notes.txt", "text/plain", b"hello"),
        ("attachments", "attachments", "application/octet-stream", b"one"),
        ("attachments", "attachments", "application/octet-stream", b"two"),
    ]


def test_raw_bytes_text_and_vendor_json(sent: tuple[list[Recorded], str]) -> None:
    image, note, event = sent[0][3:6]
    assert (image.method, image.path, image.body) == ("PUT", "/images/logo", b"\x89PNG")
    assert image.header("Content-Type") == "image/png"
    assert note.body == "héllo".encode() and note.header("Content-Type") == (
        "text/plain; charset=utf-8"
    )
    assert event.header("Content-Type") == "application/vnd.example.event+json"
    assert json.loads(event.body) == {"kind": "created"}


_SEVERAL = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    from bodies_client import BodiesClient

    client = BodiesClient(base_url=sys.argv[2], max_retries=0)
    for _ in range(3):
        result = client.text.start_job()
        print(type(result).__name__, getattr(result, "job", None))
    """
)


def test_several_success_responses_are_one_union(generated: Path) -> None:
    """200 a model, 202 another, 204 nothing: the method returns their union and ``None``."""
    resource = (generated / "src" / PACKAGE / "resources" / "text.py").read_text()
    assert "-> Receipt | StartJobResponse202 | None:" in resource
    server = HTTPTestServer()
    server.enqueue(Reply(json={"ok": True}), Reply(status=202, json={"job": "j1"}), Reply(204))
    try:
        run = subprocess.run(
            [sys.executable, "-I", "-c", _SEVERAL, str(generated / "src"), server.url],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
    finally:
        server.shutdown()
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[:3] == ["Receipt None", "StartJobResponse202 j1", "NoneType None"]
