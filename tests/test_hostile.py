"""A spec full of hostile text generates a clean package whose import runs none of it.

``tests/specs_generate/hostile.openapi.yaml`` puts triple quotes, Jinja syntax,
backslashes, newlines and Python code into titles, descriptions, summaries,
defaults, enum values, examples, server URLs and security scheme parameters, and
uses keywords and non-identifiers (``class``, ``from``, ``2fast``, ``with space``,
``model_config``, ``json``, ``self``...) as tags, operationIds, parameter and
property names. The generated package must pass ruff and ``mypy --strict``, import
without running any of that text (a sentinel file would appear), keep spec text
inside string literals and comments, and send every value under its wire name.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import tokenize
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.corpus.checks import generate, import_packages, mypy_strict

SPEC = Path(__file__).parent / "specs_generate" / "hostile.openapi.yaml"
PACKAGE = "hostile_client"
SENTINEL = "SENTINEL_FIRED"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile") / PACKAGE
    result = generate(SPEC, PACKAGE, out)
    assert result.status == "generated", result.reason
    return out


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


def test_import_runs_no_spec_text(generated: Path) -> None:
    failures = import_packages({PACKAGE: generated / "src"}, cwd=generated.parent)
    assert not failures, failures
    assert not list(generated.parent.rglob(SENTINEL)), "text from the spec was executed on import"


def test_spec_text_stays_in_literals(generated: Path) -> None:
    """Every piece of spec code is inside a string, a docstring or a comment: never a token of code."""
    files = sorted((generated / "src").rglob("*.py"))
    assert files
    for path in files:
        source = path.read_text(encoding="utf-8")
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            where = f"{path.name}:{token.start[0]}: {token.string!r}"
            if token.type in (tokenize.STRING, tokenize.COMMENT):
                continue
            if (
                token.type == tokenize.NAME
            ):  # identifiers made from spec names are fine; calls are not
                assert token.string not in {"__import__", "exec", "eval", "system", "write_text"}, (
                    where
                )
                continue
            for marker in (SENTINEL, "__import__", "{{", "{%", "os.system", "\\"):
                assert marker not in token.string, where


def test_markdown_keeps_spec_text_inert(generated: Path) -> None:
    readme = (generated / "README.md").read_text(encoding="utf-8")
    assert "<b>" not in readme  # HTML in the title is escaped
    for line in readme.splitlines():
        if line.startswith("|"):
            # every table row keeps its column count: spec text cannot add a cell
            cells = line.replace("\\|", "").count("|")
            assert cells in (4, 5), line
    toml = (generated / "pyproject.toml").read_text(encoding="utf-8")
    import tomllib

    assert "Hostile" in tomllib.loads(toml)["project"]["description"]


_ROUND_TRIP = textwrap.dedent(
    """
    import json, sys
    import httpx
    sys.path.insert(0, sys.argv[1])
    from hostile_client import HostileClient
    from hostile_client.models import Class, ImportOsOsSystemTouchSENTINELFIREDRequest

    wire = {
        "class": "c", "from": 1, "2fast": True, "with space": "w", "model_config": "mc",
        "model_fields": "mf", "model_dump": "md", "schema": "s", "json": "j", "copy": "cp",
        "dict": "d", "self": "me", "validate": "v", 'a"b': "q", "a\\\\b": "bs", "{{ x }}": "jinja",
        "kind": "{% y %}", "level": 2,
    }
    model = Class.model_validate(wire)
    by_name = {
        "class_": model.class_, "from_": model.from_, "field_2fast": model.field_2fast,
        "model_config_": model.model_config_, "json_": model.json_, "self": model.self,
    }
    dumped = model.model_dump(mode="json", by_alias=True, exclude_unset=True)

    sent = []
    def handler(request):
        sent.append({
            "method": request.method, "url": str(request.url),
            "headers": {k: v for k, v in request.headers.items() if k in ("2fast", "cookie", "authorization")},
            "body": json.loads(request.content) if request.content else None,
        })
        if request.method == "GET":
            return httpx.Response(200, json=wire)
        return httpx.Response(200, json={"nested": {"class": "x"}})

    client = HostileClient(
        class_="token", field_2fast_key_class="key", base_url="http://api.test",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    result = client.class_.class_(
        with_space="a b", class_=7, from_="{{ d }}", field_2fast="yes", self_=True, type=[1, 2],
    )
    client.import_os_os_system_touch_sentinel_fired.import_os_os_system_touch_sentinel_fired(
        json="j", copy=1, dict=True, schema="s", self_="me", body="b", with_space="w",
    )
    print(json.dumps({
        "by_name": by_name, "dumped": dumped, "sent": sent, "result_class": result.class_,
        "request_fields": list(ImportOsOsSystemTouchSENTINELFIREDRequest.model_fields),
    }))
    """
)


def test_awkward_names_round_trip_under_wire_names(generated: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-I", "-c", _ROUND_TRIP, str(generated / "src")],
        cwd=generated.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout.strip().splitlines()[-1])
    assert data["by_name"] == {
        "class_": "c",
        "from_": 1,
        "field_2fast": True,
        "model_config_": "mc",
        "json_": "j",
        "self": "me",
    }
    assert (
        data["dumped"]["class"] == "c"
        and data["dumped"]["a\\b"] == "bs"
        and data["dumped"]["{{ x }}"] == "jinja"
    )
    assert data["dumped"]["with space"] == "w" and data["dumped"]["model_config"] == "mc"
    get, post = data["sent"]
    assert get["url"].startswith("http://api.test/things/a%20b/7?")
    assert "from=%7B%7B+d+%7D%7D" in get["url"] and "type=1&type=2" in get["url"]
    assert get["headers"]["2fast"] == "yes" and "self=true" in get["headers"]["cookie"]
    query = parse_qs(urlsplit(get["url"]).query)
    assert query['key"\'""" {{ x }}'] == ["key"]  # the apiKey scheme, under its hostile name
    assert "authorization" not in get["headers"]  # the bearer scheme is not this operation's
    assert data["result_class"] == "c"
    assert post["body"] == {
        "json": "j",
        "copy": 1,
        "dict": True,
        "schema": "s",
        "self": "me",
        "body": "b",
        "with space": "w",
    }
