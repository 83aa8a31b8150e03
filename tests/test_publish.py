"""Publishing for real: ``nox -s publish`` to a local package index, then a downstream install.

The test starts pypiserver on 127.0.0.1 with upload authentication (htpasswd) and no fallback to
any other index, and puts chat-client's dependency closure (httpx, pydantic and theirs, downloaded
from PyPI once and cached in pytest's cache folder) on it. Then it runs the real ``nox -s publish``
(twine's environment variables point at the index; CLIENTGEN_DIST_DIR keeps the work tree's
``dist/`` untouched) three times:

1. with a wrong password: refused by authentication, nothing lands on the index;
2. with the right one: the wheel and sdist of ``info.version`` are then served by the index,
   byte-identical to what was built;
3. again: the upload fails clearly ("already exists", the session names package and version)
   and the published files stay as they were.

Then a downstream user: a fresh ``python -m venv``, ``pip install chat-client`` from that index
alone (no pip configuration, no other index, no find-links; pip's install report proves every
file came from the local index), and ``tests/publish/downstream_smoke.py`` run there, outside the
repository, against a recording HTTP server started here. Both operations must reach it with the
right method, path, body and only their own credential, and come back as typed models.

Before any of that, a copy of the project whose spec changed (generated/ not regenerated) shows
that ``nox -s build`` and ``nox -s publish`` refuse a stale generated/ before building anything.

Every server and child process listens on / talks to 127.0.0.1 only, runs in its own process
group and is stopped on teardown, also when the test fails.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import html.parser
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.project_copy import copy_project, grow_spec

ROOT = Path(__file__).resolve().parents[1]
GENERATED = ROOT / "generated" / "chat_client"
SMOKE_SCRIPT = Path(__file__).parent / "publish" / "downstream_smoke.py"

INDEX_USER = "publisher"
INDEX_PASSWORD = "s3cret-publish-pw"
IW_ERP_TOKEN = "iw-session-token-123"
MUDBASE_JWT = "mudbase.jwt.token"

pytestmark = [
    pytest.mark.slow,
    # passlib (writing the htpasswd file; pypiserver uses it too) imports the deprecated crypt
    pytest.mark.filterwarnings("ignore:'crypt' is deprecated:DeprecationWarning"),
]


def _generated_project() -> dict[str, Any]:
    with (GENERATED / "pyproject.toml").open("rb") as fh:
        project: dict[str, Any] = tomllib.load(fh)["project"]
    return project


PROJECT = _generated_project()
VERSION: str = PROJECT["version"]
WHEEL = f"chat_client-{VERSION}-py3-none-any.whl"
SDIST = f"chat_client-{VERSION}.tar.gz"


# --------------------------------------------------------------------------- environments


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without any pip, twine, uv or Python path settings of this machine."""
    drop = ("PIP_", "TWINE_", "UV_INDEX", "UV_EXTRA_INDEX", "UV_FIND_LINKS", "UV_DEFAULT_INDEX")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "VIRTUAL_ENV"):
        env.pop(name, None)
    env["PIP_CONFIG_FILE"] = os.devnull  # no /etc/pip.conf, /etc/xdg/pip/pip.conf, ~/.pip ...
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    env.update(extra)
    return env


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _kill_group(proc: subprocess.Popen[Any]) -> None:
    """Stop ``proc`` and everything it started (it leads its own process group)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):  # grandchildren left behind
        os.killpg(proc.pid, signal.SIGKILL)


def _run(
    cmd: list[str], *, env: dict[str, str], cwd: Path, timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run ``cmd``; stdout and stderr together in ``.stdout``, without terminal colours.

    The command gets its own process group, which is killed on timeout or interruption.
    """
    proc = subprocess.Popen(
        cmd,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, _ = proc.communicate()
        pytest.fail(f"{' '.join(cmd)} did not finish in {timeout} s:\n{ANSI.sub('', out)}")
    finally:
        _kill_group(proc)
    return subprocess.CompletedProcess(cmd, proc.returncode, ANSI.sub("", out), None)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- the dependencies


@pytest.fixture(scope="module")
def dependency_wheels(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """chat-client's dependency closure as wheels for this Python, cached across test runs.

    The cache key is the dependency list and the interpreter. A download goes to a temporary
    folder that is renamed into place only when complete, so an interrupted or concurrent run
    never leaves a half-filled cache behind.
    """
    deps: list[str] = PROJECT["dependencies"]
    key = hashlib.sha256(
        json.dumps([deps, sys.version_info[:2], sys.platform, os.uname().machine]).encode()
    ).hexdigest()[:16]
    pytest_cache = getattr(request.config, "cache", None)
    if pytest_cache is not None:
        root = pytest_cache.mkdir("publish-deps")
    else:  # -p no:cacheprovider
        root = tmp_path_factory.mktemp("publish-deps")
    cache = root / key
    if any(cache.glob("*.whl")):
        return cache
    download = Path(tempfile.mkdtemp(prefix=f"{key}.", dir=root))
    cmd = [sys.executable, "-m", "pip", "download", "--dest", str(download), "--only-binary=:all:"]
    env = _clean_env()
    if "PIP_CERT" in os.environ:  # the machine's CA bundle for reaching PyPI
        env["PIP_CERT"] = os.environ["PIP_CERT"]
    proc = _run([*cmd, *deps], env=env, cwd=download, timeout=300)
    if proc.returncode != 0:
        shutil.rmtree(download, ignore_errors=True)
        pytest.fail(f"pip download of {deps} failed:\n{proc.stdout}")
    try:
        download.rename(cache)
    except OSError:  # another run finished first
        shutil.rmtree(download, ignore_errors=True)
    return cache


# --------------------------------------------------------------------------- the package index


@dataclass
class LocalIndex:
    url: str  # the upload URL (twine's TWINE_REPOSITORY_URL)
    packages: Path
    log: Path

    @property
    def simple(self) -> str:
        return f"{self.url}simple/"

    def log_tail(self) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-40:])


def _wait_until_up(proc: subprocess.Popen[bytes], url: str, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    return False


@pytest.fixture
def local_index(tmp_path: Path, dependency_wheels: Path) -> Iterator[LocalIndex]:
    """pypiserver on 127.0.0.1: uploads need a password, nothing falls back to another index."""
    from passlib.apache import HtpasswdFile

    packages = tmp_path / "index-packages"
    packages.mkdir()
    for wheel in dependency_wheels.glob("*.whl"):
        shutil.copy2(wheel, packages / wheel.name)
    htpasswd = HtpasswdFile(str(tmp_path / "htpasswd"), new=True)
    htpasswd.set_password(INDEX_USER, INDEX_PASSWORD)
    htpasswd.save()
    log = tmp_path / "pypiserver.log"

    for _attempt in range(3):  # the free port may be taken between probing and binding
        port = _free_port()
        cmd = [
            sys.executable, "-m", "pypiserver", "run",
            "-i", "127.0.0.1", "-p", str(port),
            "-P", str(tmp_path / "htpasswd"), "-a", "update",
            "--disable-fallback",
            "--health-endpoint", "/health",
            str(packages),
        ]  # fmt: skip
        with log.open("ab") as out:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=tmp_path,
                start_new_session=True,
            )
        try:
            if _wait_until_up(proc, f"http://127.0.0.1:{port}/health", time.monotonic() + 30):
                yield LocalIndex(url=f"http://127.0.0.1:{port}/", packages=packages, log=log)
                return
        finally:
            _kill_group(proc)
    pytest.fail(f"pypiserver did not start:\n{log.read_text(errors='replace')}")


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.names.append(href.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1])


def _listed_files(index: LocalIndex, project: str) -> list[str]:
    """The file names the index's simple API lists for ``project`` (no credentials needed)."""
    parser = _Links()
    try:
        with urllib.request.urlopen(f"{index.simple}{project}/", timeout=10) as resp:
            parser.feed(resp.read().decode())
    except urllib.error.HTTPError as exc:
        if exc.code != 404:  # 404: the index has no such project
            raise
    return sorted(parser.names)


# --------------------------------------------------------------------------- the API stand-in


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class RecordingServer:
    url: str
    requests: list[Recorded] = field(default_factory=list)


PARTICIPANT_RESPONSE = {
    "id": 42,
    "participant_type": "member",
    "chatroom": {"id": 7, "name": "Vorstand", "created": "2025-05-04T09:42:00Z"},
    "first_name": "Ada",
    "last_name": "Lovelace",
    "room_admin": False,
    "can_write": True,
    "created": "2025-05-04T09:42:00Z",
    "updated": "2025-05-04T09:42:00Z",
    "deleted": False,
}
MUDBASE_RESPONSE = {
    "success": True,
    "data": {
        "participants": [
            {"userId": "u1", "role": "member", "addedAt": "2024-01-15T11:00:00.000Z"},
        ]
    },
}
MUDBASE_PATH = re.compile(r"^/api/chat/projects/[^/]+/chats/[^/]+/participants$")


@pytest.fixture
def api_server() -> Iterator[RecordingServer]:
    """Both vendors' endpoints on 127.0.0.1: record every request, answer spec-shaped JSON."""
    server_state = RecordingServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body: Any = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode(errors="replace")
            server_state.requests.append(
                Recorded(
                    method=self.command,
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
            )
            path = self.path.split("?", 1)[0]
            if self.command == "POST" and path == "/api/chat/chatroom_participant":
                status, payload = 200, PARTICIPANT_RESPONSE
            elif self.command == "POST" and MUDBASE_PATH.match(path):
                status, payload = 200, MUDBASE_RESPONSE
            else:
                status, payload = 404, {"error": "not found"}
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    server_state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield server_state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


# --------------------------------------------------------------------------- the tests


def _nox(
    session: str, env: dict[str, str], timeout: float = 300, *, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "nox", "--non-interactive", "-s", session]
    return _run(cmd, env=env, cwd=cwd, timeout=timeout)


def _publish_env(index: LocalIndex, dist: Path, password: str = INDEX_PASSWORD) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWINE_")}
    env.update(
        CLIENTGEN_DIST_DIR=str(dist),  # leave the work tree's dist/ alone
        TWINE_REPOSITORY_URL=index.url,
        TWINE_USERNAME=INDEX_USER,
        TWINE_PASSWORD=password,
        TWINE_NON_INTERACTIVE="1",
        NO_COLOR="1",
        COLUMNS="200",  # fewer line breaks in twine's (rich) output
    )
    return env


def test_publish_refuses_without_an_index_url(tmp_path: Path) -> None:
    """Without TWINE_REPOSITORY_URL the session stops before building (twine would pick PyPI)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWINE_")}
    env["CLIENTGEN_DIST_DIR"] = str(tmp_path / "dist")
    proc = _nox("publish", env, timeout=180)
    assert proc.returncode != 0, proc.stdout
    assert "set TWINE_REPOSITORY_URL" in proc.stdout, proc.stdout
    assert "twine upload" not in proc.stdout, proc.stdout


def test_build_and_publish_refuse_a_stale_tree(tmp_path: Path) -> None:
    """A generated/ that no longer matches the spec is never built, let alone uploaded.

    A copy of the project whose spec gained an operation (generated/ not regenerated) runs the
    real ``nox -s build`` and ``nox -s publish``: both stop at ``clientgen generate --check``,
    name the stale files and say to run ``nox -s generate``; nothing is built or uploaded.
    """
    project = copy_project(tmp_path / "project")
    grown = grow_spec(project)
    module = f"chat_client/src/chat_client/resources/{grown.resource}.py"
    dist = tmp_path / "dist"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWINE_")}
    env.update(CLIENTGEN_DIST_DIR=str(dist), NO_COLOR="1")
    index = {  # never reached: nothing listens on the discard port
        "TWINE_REPOSITORY_URL": "http://127.0.0.1:9/",
        "TWINE_USERNAME": INDEX_USER,
        "TWINE_PASSWORD": INDEX_PASSWORD,
    }
    for session, extra in (("build", {}), ("publish", index)):
        cmd = [sys.executable, "-m", "nox", "--non-interactive", "-s", session]
        proc = _run(cmd, env={**env, **extra}, cwd=project, timeout=300)
        said = proc.stdout
        assert proc.returncode != 0, said
        assert "clientgen generate --check" in said, said
        assert f"refusing to {session}: generated/ is stale" in said, said
        assert f"\n    {module}\n" in said, said
        assert f"Run `nox -s generate`, review and commit generated/, then `nox -s {session}`" in (
            said
        )
        assert "python -m build" not in said and "twine upload" not in said, said
        assert not dist.exists()
    # the check wrote nothing: the copy's generated/ is as stale as before
    assert not (project / "generated" / module).exists()


def test_publish_to_local_index_then_install_downstream(
    local_index: LocalIndex, api_server: RecordingServer, tmp_path: Path
) -> None:
    dist = tmp_path / "dist"
    built_dir = dist / "chat_client"
    # a copy: publishing records the release in release/, which must not change this checkout
    project = copy_project(tmp_path / "project")

    # 1. authentication is really on: with a wrong password nothing is uploaded
    wrong = _nox("publish", _publish_env(local_index, dist, password="wrong-password"), cwd=project)
    assert wrong.returncode != 0, f"upload with a wrong password succeeded:\n{wrong.stdout}"
    assert re.search(r"HTTPError: 40[13] ", wrong.stdout), wrong.stdout
    assert f"uploading chat-client {VERSION}" in " ".join(wrong.stdout.split()), wrong.stdout
    assert _listed_files(local_index, "chat-client") == []
    assert not list(local_index.packages.glob("chat_client-*"))

    # 2. publish for real
    first = _nox("publish", _publish_env(local_index, dist), cwd=project)
    assert first.returncode == 0, (
        f"nox -s publish failed:\n{first.stdout}\n{local_index.log_tail()}"
    )
    assert "Session publish was successful" in first.stdout, first.stdout
    built = sorted(p.name for p in built_dir.iterdir())
    assert built == sorted([WHEEL, SDIST]), built
    assert _listed_files(local_index, "chat-client") == sorted([SDIST, WHEEL])
    published = {name: _sha256(local_index.packages / name) for name in (WHEEL, SDIST)}
    assert published == {name: _sha256(built_dir / name) for name in (WHEEL, SDIST)}

    # 3. the same version again: refused, nothing overwritten. pypiserver answers twine 400 (as
    # PyPI does) with "Package '...' already exists!" in an HTML body, which twine prints with
    # --verbose; the session then names package and version and says what to do
    again = _nox("publish", _publish_env(local_index, dist), cwd=project)
    assert again.returncode != 0, f"second publish of {VERSION} succeeded:\n{again.stdout}"
    said = " ".join(html.unescape(again.stdout).split())
    assert f"Package '{WHEEL}' already exists!" in said, again.stdout
    assert f"uploading chat-client {VERSION} to {local_index.url} failed" in said, again.stdout
    assert f"version {VERSION} is published already" in said, again.stdout
    assert "Session publish aborted" in said, again.stdout
    assert _listed_files(local_index, "chat-client") == sorted([SDIST, WHEEL])
    assert {name: _sha256(local_index.packages / name) for name in (WHEEL, SDIST)} == published

    # 4. a downstream user: fresh venv, chat-client from this index alone
    venv = tmp_path / "downstream-venv"
    made = _run(
        [sys.executable, "-m", "venv", str(venv)], env=_clean_env(), cwd=tmp_path, timeout=180
    )
    assert made.returncode == 0, made.stdout
    python = venv / "bin" / "python"
    pip_report = tmp_path / "pip-install-report.json"
    install = _run(
        [
            str(python), "-m", "pip", "install", "--no-cache-dir",
            "--index-url", local_index.simple, "--report", str(pip_report),
            "chat-client",
        ],
        env=_clean_env(),
        cwd=tmp_path,
        timeout=300,
    )  # fmt: skip
    assert install.returncode == 0, f"pip install failed:\n{install.stdout}"
    assert f"Looking in indexes: {local_index.simple}\n" in install.stdout, install.stdout
    installed = {
        item["metadata"]["name"].lower(): item["download_info"]["url"]
        for item in json.loads(pip_report.read_text())["install"]
    }
    assert installed["chat-client"].startswith(f"{local_index.url}packages/{WHEEL}"), installed
    assert {"httpx", "pydantic"} <= set(installed), installed
    elsewhere = {n: u for n, u in installed.items() if not u.startswith(local_index.url)}
    assert not elsewhere, f"installed from somewhere other than the local index: {elsewhere}"

    # 5. ... runs a script outside the repository that calls both operations
    workdir = tmp_path / "downstream-project"
    workdir.mkdir()
    script = workdir / SMOKE_SCRIPT.name
    shutil.copy2(SMOKE_SCRIPT, script)
    smoke = _run(
        [str(python), "-I", str(script), api_server.url, IW_ERP_TOKEN, MUDBASE_JWT],
        env=_clean_env(),
        cwd=workdir,
        timeout=60,
    )
    assert smoke.returncode == 0, f"downstream smoke script failed:\n{smoke.stdout}"
    report = json.loads(smoke.stdout.strip().splitlines()[-1])

    # the client came from the fresh venv, not from the source tree
    assert Path(report["module_file"]).is_relative_to(venv), report["module_file"]
    assert not Path(report["module_file"]).is_relative_to(ROOT / "generated")
    assert report["version"] == VERSION

    # the API saw both requests, each with its own credential only
    assert len(api_server.requests) == 2, api_server.requests
    iw, mud = api_server.requests
    assert (iw.method, iw.path) == ("POST", "/api/chat/chatroom_participant")
    assert iw.headers.get("x-session-token") == IW_ERP_TOKEN
    assert "authorization" not in iw.headers
    assert iw.body == {"data": {"first_name": "Ada", "chatroom": {"id": 7}}}
    assert (mud.method, mud.path) == ("POST", "/api/chat/projects/proj_1/chats/chat_1/participants")
    assert mud.headers.get("authorization") == f"Bearer {MUDBASE_JWT}"
    assert "x-session-token" not in mud.headers
    assert mud.body == {"userId": "usr_1", "role": "member"}
    for request in (iw, mud):
        assert request.headers.get("content-type", "").startswith("application/json")
        assert request.headers.get("user-agent", "").startswith(f"chat-client/{VERSION}")

    # ... and the responses came back as typed models
    assert report["iw_erp"] == {
        "model": "ChatroomParticipant",
        "id": 42,
        "first_name": "Ada",
        "chatroom_model": "Chatroom",
        "chatroom_id": 7,
        "created_type": "datetime",
        "created": "2025-05-04T09:42:00+00:00",
    }
    assert report["mudbase"] == {
        "model": "AddParticipantResponse",
        "success": True,
        "entry_model": "ParticipantEntry",
        "user_id": "u1",
        "role": "member",
        "added_at_type": "datetime",
        "added_at": "2024-01-15T11:00:00+00:00",
    }
