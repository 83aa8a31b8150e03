"""Generated clients of specs with no server, or with placeholder server variables,
refuse to send rather than dial ``/`` or ``replace-with-own-host``.

The three lint fixtures (``tests/specs/lint/server-*.yaml``) are generated into
packages that must pass ruff and ``mypy --strict``; a script then drives them in a
fresh interpreter, with an ``httpx.MockTransport`` recording every request sent.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.corpus.checks import generate, mypy_strict

LINT = Path(__file__).parent / "specs" / "lint"
PACKAGES = {
    "server_missing_client": "server-missing.yaml",
    "server_missing_everywhere_client": "server-missing-everywhere.yaml",
    "server_variable_placeholder_client": "server-variable-placeholder.yaml",
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("servers")
    for package, spec in PACKAGES.items():
        result = generate(LINT / spec, package, root / package)
        assert result.status == "generated", result.reason
    return root


def test_packages_pass_ruff_and_mypy(generated: Path) -> None:
    for package in PACKAGES:
        ruff = subprocess.run(
            [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
            cwd=generated / package,
            capture_output=True,
            text=True,
            check=False,
        )
        assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    errors = mypy_strict({p: generated / p / "src" for p in PACKAGES}, cwd=generated)
    assert not errors, "\n".join(line for lines in errors.values() for line in lines)


_SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    import httpx
    sys.path[:0] = sys.argv[1:]
    from server_missing_client import MissingServerError, ServerMissingClient
    from server_missing_everywhere_client import (
        MissingServerError as EverywhereError, ServerMissingEverywhereClient,
    )
    from server_variable_placeholder_client import (
        MissingServerVariableError, ServerVariablePlaceholderClient,
    )

    sent = []
    def record(request):
        sent.append(str(request.url))
        return httpx.Response(200, json={})
    def http():
        return httpx.Client(transport=httpx.MockTransport(record))
    out = {}

    try:
        ServerMissingEverywhereClient(http_client=http())
    except EverywhereError as exc:
        out["everywhere"] = [type(exc).__name__, str(exc), exc.operation_id]
    client = ServerMissingEverywhereClient(base_url="http://mock.invalid", http_client=http())
    client.default.get_a()

    client = ServerMissingClient(http_client=http())
    client.default.get_served()
    try:
        client.default.get_lost()
    except MissingServerError as exc:
        out["lost"] = [type(exc).__name__, str(exc), exc.operation_id]

    client = ServerVariablePlaceholderClient(http_client=http())
    client.default.get_b()  # region: a real default (x-placeholder: false)
    try:
        client.default.get_a()
    except MissingServerVariableError as exc:
        out["host"] = [type(exc).__name__, str(exc), exc.variable, exc.env_var]
    os.environ["SERVER_VARIABLE_PLACEHOLDER_CLIENT_HOST"] = "club-7"
    ServerVariablePlaceholderClient(http_client=http()).default.get_a()
    out["sent"] = sent
    print(json.dumps(out))
    """
)


def test_clients_refuse_before_sending(generated: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-I", "-c", _SCRIPT, *(str(generated / p / "src") for p in PACKAGES)],
        cwd=generated,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout.strip().splitlines()[-1])
    name, message, operation = out["everywhere"]
    assert (name, operation) == ("MissingServerError", "getA")
    assert "No server is declared in the spec" in message and "'getA'" in message
    assert "base_url=..." in message and "SERVER_MISSING_EVERYWHERE_CLIENT_BASE_URL" in message
    name, message, operation = out["lost"]
    assert (name, operation) == ("MissingServerError", "getLost")
    assert message.startswith("No server is declared in the spec for operation 'getLost'.")
    name, message, variable, env_var = out["host"]
    assert (name, variable, env_var) == (
        "MissingServerVariableError",
        "host",
        "SERVER_VARIABLE_PLACEHOLDER_CLIENT_HOST",
    )
    assert "server_variables={'host': ...}" in message
    # nothing went to '/', a relative URL or a placeholder host
    assert out["sent"] == [
        "http://mock.invalid/a",
        "https://api.vendor-a.com/served",
        "https://example.vendor-c.io/b",
        "https://club-7.vendor-b.de/a",
    ]
