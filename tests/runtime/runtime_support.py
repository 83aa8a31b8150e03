"""Shared helpers for the runtime tests: a real threaded HTTP server on 127.0.0.1 with
scripted replies and fault injection, plus API descriptions used by the tests."""

from __future__ import annotations

import asyncio
import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from generator.runtime._models import BaseModel
from generator.runtime._operations import Operation, SecurityScheme, Server, ServerVariable

__all__ = [
    "HTTPTestServer",
    "Recorded",
    "Reply",
    "client_kwargs",
]

JWT = "jwt-secret-token-123"
VENDOR_KEY = "vendor-secret-key-456"
QUERY_KEY = "query-secret-key-789"
COOKIE_KEY = "cookie-secret-abc"
BASIC = "alice:s3cr3t-pass"
ENV_PREFIX = "TEST_CLIENT_"
PACKAGE = "test-client"


# --------------------------------------------------------------------------- models


class Item(BaseModel):
    id: str
    name: str
    tags: list[str] | None = None


class ErrorBody(BaseModel):
    error: str
    code: int | None = None


class ClientErrorBody(BaseModel):
    message: str


class DefaultErrorBody(BaseModel):
    detail: str


# --------------------------------------------------------------------------- API description

SCHEMES = (
    SecurityScheme(
        name="mudbaseJwt",
        type="http",
        location="header",
        parameter_name="Authorization",
        http_scheme="bearer",
        keyword="mudbase_jwt",
        env_var="TEST_CLIENT_MUDBASE_JWT",
    ),
    SecurityScheme(
        name="vendorKey",
        type="apiKey",
        location="header",
        parameter_name="X-Vendor-Key",
        http_scheme=None,
        keyword="vendor_key",
        env_var="TEST_CLIENT_VENDOR_KEY",
    ),
    SecurityScheme(
        name="queryKey",
        type="apiKey",
        location="query",
        parameter_name="api_key",
        http_scheme=None,
        keyword="query_key",
        env_var="TEST_CLIENT_QUERY_KEY",
    ),
    SecurityScheme(
        name="sessionCookie",
        type="apiKey",
        location="cookie",
        parameter_name="session",
        http_scheme=None,
        keyword="session_cookie",
        env_var="TEST_CLIENT_SESSION_COOKIE",
    ),
    SecurityScheme(
        name="basicAuth",
        type="http",
        location="header",
        parameter_name="Authorization",
        http_scheme="basic",
        keyword="basic_auth",
        env_var="TEST_CLIENT_BASIC_AUTH",
    ),
)

TENANT_SERVER = Server(
    url="https://{tenant}.example.invalid/{version}",
    variables=(
        ServerVariable(name="tenant", default="demo"),
        ServerVariable(name="version", default="v1", enum=("v1", "v2")),
    ),
)
PLAIN_SERVER = Server(url="https://api.example.invalid")
SERVERS = (TENANT_SERVER, PLAIN_SERVER)

JWT_ONLY = (("mudbaseJwt",),)

GET_ITEM = Operation(
    operation_id="get_item",
    method="GET",
    path="/items/{itemId}",
    servers=(TENANT_SERVER,),
    security=JWT_ONLY,
    error_models={"404": ErrorBody, "4XX": ClientErrorBody, "default": DefaultErrorBody},
)
LIST_ITEMS = Operation(
    operation_id="list_items",
    method="GET",
    path="/items",
    servers=(TENANT_SERVER,),
    security=(),
)
CREATE_ITEM = Operation(
    operation_id="create_item",
    method="POST",
    path="/items",
    servers=(TENANT_SERVER,),
    security=JWT_ONLY,
    error_models={"400": ErrorBody},
)
DELETE_ITEM = Operation(
    operation_id="delete_item",
    method="DELETE",
    path="/items/{itemId}",
    servers=(TENANT_SERVER,),
    security=JWT_ONLY,
)
PATCH_ITEM = Operation(
    operation_id="patch_item",
    method="PATCH",
    path="/items/{itemId}",
    servers=(TENANT_SERVER,),
    security=JWT_ONLY,
)
IDEMPOTENT_POST = Operation(
    operation_id="search_items",
    method="POST",
    path="/items/search",
    servers=(TENANT_SERVER,),
    security=JWT_ONLY,
    idempotent=True,
)


# --------------------------------------------------------------------------- HTTP server


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str  # raw request target, exactly as sent on the wire
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return values[0] if values else None

    def header_names(self) -> set[str]:
        return {k.lower() for k, _ in self.headers}

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    """What the server does with one request."""

    status: int = 200
    json: object = None
    body: bytes | str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    action: Literal["respond", "close", "truncate", "hang"] = "respond"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        self.server.owner._connection_opened()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.owner._connection_closed()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        recorded = Recorded(self.command, self.path, list(self.headers.items()), body)
        reply = self.server.owner._next_reply(recorded)
        if reply.action == "close":
            self.close_connection = True
            return
        if reply.action == "hang":
            self.server.owner.stop_event.wait(10)
            self.close_connection = True
            return
        if reply.body is not None:
            payload = reply.body.encode() if isinstance(reply.body, str) else reply.body
            ctype = "text/plain"
        elif reply.json is not None:
            payload = json.dumps(reply.json).encode()
            ctype = "application/json"
        else:
            payload, ctype = b"", ""
        self.send_response(reply.status)
        if ctype and "content-type" not in {k.lower() for k in reply.headers}:
            self.send_header("Content-Type", ctype)
        for key, value in reply.headers.items():
            self.send_header(key, value)
        if reply.action == "truncate":
            self.send_header("Content-Length", str(len(payload) + 100))
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    owner: HTTPTestServer


class HTTPTestServer:
    """Threaded HTTP/1.1 server on 127.0.0.1 recording every request.

    Replies come from ``enqueue(...)`` (FIFO), else ``handler(recorded)``, else
    ``default`` (200 ``{}``).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: list[Recorded] = []
        self._replies: deque[Reply] = deque()
        self.handler: Callable[[Recorded], Reply] | None = None
        self.default = Reply(json={})
        self.stop_event = threading.Event()
        self.open_connections = 0
        self.peak_connections = 0
        self.total_connections = 0
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        host, port = self._httpd.server_address[:2]
        self.url = f"http://{host!s}:{port}"

    def enqueue(self, *replies: Reply) -> None:
        with self._lock:
            self._replies.extend(replies)

    def _next_reply(self, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            if self._replies:
                return self._replies.popleft()
        if self.handler is not None:
            return self.handler(recorded)
        return self.default

    def _connection_opened(self) -> None:
        with self._lock:
            self.open_connections += 1
            self.total_connections += 1
            self.peak_connections = max(self.peak_connections, self.open_connections)

    def _connection_closed(self) -> None:
        with self._lock:
            self.open_connections -= 1

    @property
    def last(self) -> Recorded:
        return self.requests[-1]

    def shutdown(self) -> None:
        self.stop_event.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)


def client_kwargs(**overrides: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "package_name": PACKAGE,
        "package_version": "1.2.3",
        "env_prefix": ENV_PREFIX,
        "security_schemes": SCHEMES,
        "credentials": {"mudbaseJwt": JWT},
        "servers": SERVERS,
        "max_retries": 2,
    }
    kwargs.update(overrides)
    return kwargs


class AsyncHTTPTestServer:
    """Minimal keep-alive HTTP/1.1 JSON server on 127.0.0.1 running in the test's event
    loop (no threads), used for high-concurrency tests. Echoes ``{"id": <last path
    segment>, "name": ...}`` and counts connections."""

    def __init__(self) -> None:
        self.requests = 0
        self.open_connections = 0
        self.peak_connections = 0
        self.total_connections = 0
        self._server: asyncio.base_events.Server | None = None
        self.url = ""

    async def __aenter__(self) -> AsyncHTTPTestServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=2048)
        host, port = self._server.sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open_connections += 1
        self.total_connections += 1
        self.peak_connections = max(self.peak_connections, self.open_connections)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                target = lines[0].split(" ")[1]
                length = 0
                for line in lines[1:]:
                    if line.lower().startswith("content-length:"):
                        length = int(line.split(":", 1)[1])
                if length:
                    await reader.readexactly(length)
                self.requests += 1
                item_id = target.rsplit("/", 1)[1]
                payload = json.dumps({"id": item_id, "name": f"n{item_id}"}).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(payload)}\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
        finally:
            self.open_connections -= 1
            writer.close()
