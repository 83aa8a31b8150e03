"""Helpers for the end-to-end tests of the generated ``chat_client`` package.

* :class:`Flavor` runs the same test against :class:`ChatClient` and
  :class:`AsyncChatClient` (async calls run on one event loop per test).
* :class:`PrismServer` starts the Stoplight Prism mock server built from our spec.
* Canned responses and credentials shared by the test modules.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from chat_client import AsyncChatClient, ChatClient

from tests.conftest import ROOT, npm_dir
from tests.runtime.runtime_support import HTTPTestServer, Recorded, Reply

__all__ = [
    "IW_TOKEN",
    "MUDBASE_JWT",
    "Flavor",
    "PrismServer",
    "mudbase_ok",
    "participant_ok",
    "wait_until",
]

IW_TOKEN = "iw-session-secret-7f3a9c"
MUDBASE_JWT = "eyJhbGciOiJIUzI1NiJ9.mudbase-secret-payload.sig"
SPEC = ROOT / "spec" / "chat.openapi.yaml"
MUDBASE_PATH = "/api/chat/projects/proj_1/chats/chat_1/participants"
IW_PATH = "/api/chat/chatroom_participant"


def mudbase_ok(**extra: object) -> Reply:
    """The documented 200 answer of ``addParticipant`` (plus ``extra`` top-level fields)."""
    return Reply(
        json={
            "success": True,
            "data": {
                "participants": [
                    {"userId": "usr_1", "role": "member", "addedAt": "2024-01-15T11:00:00.000Z"}
                ]
            },
            **extra,
        }
    )


def participant_ok(**extra: object) -> Reply:
    """A 200 answer of ``addChatroomParticipant`` (plus ``extra`` fields)."""
    return Reply(
        json={
            "id": 1001,
            "first_name": "Ada",
            "chatroom": {"id": 7, "name": "general"},
            "created": "2025-05-04T09:42:00Z",
            **extra,
        }
    )


def wait_until(condition: Callable[[], bool], *, limit: float = 5.0) -> bool:
    """Poll ``condition`` (for asynchronous server-side bookkeeping); True once it holds."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


# --------------------------------------------------------------------------- sync/async


class Flavor:
    """Builds clients of one flavour and runs their calls to completion.

    ``flavor.run(client.mudbase.add_participant(...))`` works for both: a sync call has
    already returned (or raised) when ``run`` sees it; an async call is a coroutine
    that ``run`` drives on this flavour's event loop.
    """

    def __init__(self, is_async: bool) -> None:
        self.is_async = is_async
        self.name = "async" if is_async else "sync"
        self._runner = asyncio.Runner() if is_async else None
        self._clients: list[ChatClient | AsyncChatClient] = []

    @property
    def client_class(self) -> type[ChatClient] | type[AsyncChatClient]:
        return AsyncChatClient if self.is_async else ChatClient

    def client(self, **kwargs: Any) -> Any:
        """A client of this flavour (closed at teardown); ``Any`` so tests stay terse."""
        client = self.client_class(**kwargs)
        self._clients.append(client)
        return client

    def http_client(self, **kwargs: Any) -> Any:
        """An ``httpx.Client``/``httpx.AsyncClient`` matching this flavour."""
        return httpx.AsyncClient(**kwargs) if self.is_async else httpx.Client(**kwargs)

    def run(self, value: Any) -> Any:
        if inspect.isawaitable(value):
            assert self._runner is not None, "a coroutine in the sync flavour"
            return self._runner.run(_await(value))
        return value

    def close(self, client: Any) -> None:
        self.run(client.close())

    def teardown(self) -> None:
        for client in self._clients:
            self.close(client)
        if self._runner is not None:
            self._runner.close()


async def _await(value: Any) -> Any:
    return await value


# --------------------------------------------------------------------------- local server


class RoutingServer(HTTPTestServer):
    """:class:`HTTPTestServer` whose built-in default answer depends on the path:
    Mudbase paths get :func:`mudbase_ok`, everything else :func:`participant_ok`.
    Enqueued replies, ``handler`` and an assigned ``default`` still take precedence."""

    def __init__(self) -> None:
        super().__init__()
        self._routed = self.default
        # TCP_NODELAY: the handler writes headers and body separately, and Nagle plus
        # delayed ACKs would add ~40 ms to every request
        handler_class = self._httpd.RequestHandlerClass
        self._httpd.RequestHandlerClass = type(
            "NoDelayHandler", (handler_class,), {"disable_nagle_algorithm": True}
        )

    def _next_reply(self, recorded: Recorded) -> Reply:
        reply = super()._next_reply(recorded)
        if reply is not self._routed:
            return reply
        return mudbase_ok() if "/participants" in recorded.path else participant_ok()


# --------------------------------------------------------------------------- Prism


def prism_executable() -> Path | None:
    candidate = npm_dir() / "node_modules" / ".bin" / "prism"
    if candidate.exists() and shutil.which("node") is not None:
        return candidate
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrismServer:
    """``prism mock --errors -h 127.0.0.1 -p PORT spec/chat.openapi.yaml`` in its own
    process group; :meth:`stop` kills the whole group."""

    START_LIMIT = 60.0

    def __init__(self, executable: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 - closed in stop()
        self._proc = subprocess.Popen(
            [
                str(executable),
                "mock",
                "--errors",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                str(SPEC),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
            start_new_session=True,
            env={**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"},
        )
        try:
            self._wait_listening()
        except BaseException:
            self.stop()
            raise

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + self.START_LIMIT
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"Prism exited with {self._proc.returncode}:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"Prism did not listen within {self.START_LIMIT} s:\n{self.log()}")

    def log(self) -> str:
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")[-4000:]

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._proc.pid, signal.SIGTERM)  # the group: Prism and any children
        try:
            self._proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait(5)
        self._log.close()
