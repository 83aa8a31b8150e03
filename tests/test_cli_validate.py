"""``clientgen validate`` and ``clientgen generate`` on broken specs, from the command line.

Exit status: 0 valid, 1 invalid, 2 usage error; diagnostics on standard error, one
line each, never a traceback; ``generate`` writes nothing when the spec is broken.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import cli
from tests.test_validate import CATALOGUE, WARNING_RULES

ROOT = Path(__file__).resolve().parents[1]
SPECS = Path("tests/specs")
CLIENTGEN = Path(sys.executable).with_name("clientgen")


@pytest.fixture(autouse=True)
def _in_project_root(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(ROOT)
    yield


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    assert "Traceback" not in result.output + result.stderr
    return result


DIAGNOSTIC = re.compile(r"^\S+?(:\d+:\d+)?: (error|warning|info) \[[a-z0-9-]+\] ")


def diagnostic_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if DIAGNOSTIC.match(line)]


@pytest.mark.parametrize("case", sorted(CATALOGUE))
def test_validate_exit_status_and_lines(case: str) -> None:
    result = run("validate", SPECS / case)
    expected = CATALOGUE[case]
    fails = any(rule not in WARNING_RULES for rule, *_ in expected)
    assert result.exit_code == (1 if fails else 0), result.stderr
    printed = diagnostic_lines(result)
    assert len(printed) == len(expected), result.stderr
    for (rule, file, line, column, pointer), text in zip(expected, printed, strict=True):
        where = f"tests/specs/{file}:{line}:{column}: " if line else f"tests/specs/{file}: "
        level = "warning" if rule in WARNING_RULES else "error"
        assert text.startswith(f"{where}{level} [{rule}] "), text
        if pointer:
            assert f"(at #{pointer})" in text


def test_validate_real_spec_by_default_from_project_config() -> None:
    result = run("validate")
    assert result.exit_code == 0, result.stderr
    assert "chat.openapi.yaml: valid (0 error(s), 0 warning(s))" in result.stderr


def test_validate_without_config_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("validate")
    assert result.exit_code == 2
    assert "no pyproject.toml" in result.stderr


def test_unknown_option_is_a_usage_error() -> None:
    assert run("validate", "--no-such-option", "spec/chat.openapi.yaml").exit_code == 2


def test_all_problems_of_all_specs_in_one_run() -> None:
    result = run(
        "validate",
        SPECS / "lint/multi-problem.yaml",
        SPECS / "lint/ref-unresolved.yaml",
        "spec/chat.openapi.yaml",
    )
    assert result.exit_code == 1
    assert len(diagnostic_lines(result)) == len(CATALOGUE["lint/multi-problem.yaml"]) + 1
    assert "multi-problem.yaml: invalid (4 error(s), 0 warning(s))" in result.stderr
    assert "spec/chat.openapi.yaml: valid" in result.stderr


def test_strict_fails_on_warnings_only() -> None:
    spec = SPECS / "lint/server-security-mismatch.yaml"
    assert run("validate", spec).exit_code == 0
    strict = run("validate", "--strict", spec)
    assert strict.exit_code == 1
    assert "invalid (0 error(s), 2 warning(s))" in strict.stderr


def test_quiet_prints_only_problems() -> None:
    result = run("validate", "-q", SPECS / "lint/operation-id-duplicate.yaml")
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("name", "rule"),
    [("nowhere.yaml", "load-not-found"), (".", "load-not-a-file")],
)
def test_missing_file_and_directory(tmp_path: Path, name: str, rule: str) -> None:
    result = run("validate", tmp_path / name)
    assert result.exit_code == 1
    assert f"error [{rule}]" in result.stderr


def test_deeply_nested_json_is_refused_quickly(tmp_path: Path) -> None:
    spec = tmp_path / "deep.json"
    spec.write_text('{"openapi": "3.1.0", "x-deep": ' + "[" * 10_000 + "]" * 10_000 + "}")
    result = run("validate", spec)
    assert result.exit_code == 1
    assert "error [load-too-deep] document is nested more than 256 levels deep" in result.stderr


def test_deeply_nested_yaml_is_refused(tmp_path: Path) -> None:
    spec = tmp_path / "deep.yaml"
    spec.write_text("openapi: 3.1.0\nx-deep: " + "[" * 1_000 + "]" * 1_000 + "\n")
    result = run("validate", spec)
    assert result.exit_code == 1
    assert "[load-too-deep]" in result.stderr


def test_document_with_many_paths_still_validates(tmp_path: Path) -> None:
    """A bigger valid document goes through every stage (kept small: the validator needs ~1 s per 100 paths)."""
    paths = {
        f"/items{i}/{{id}}": {
            "get": {
                "operationId": f"getItem{i}",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "ok"}},
            }
        }
        for i in range(300)
    }
    spec = tmp_path / "big.json"
    spec.write_text(
        json.dumps({"openapi": "3.1.0", "info": {"title": "big", "version": "1"}, "paths": paths})
    )
    result = run("validate", spec)
    assert result.exit_code == 0, result.stderr[:2000]


def test_huge_document_is_refused_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """200,000 paths: past the node limit the loader refuses at once instead of grinding.

    The limit is lowered so that the test stays fast; the document is written compactly.
    """
    monkeypatch.setattr("generator.load.MAX_NODES", 100_000)
    paths = ",".join(f'"/p{i}":{{}}' for i in range(200_000))
    spec = tmp_path / "huge.json"
    spec.write_text(
        '{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{' + paths + "}}"
    )
    result = run("validate", spec)
    assert result.exit_code == 1
    assert "error [load-too-large] document has more than 100,000 nodes" in result.stderr


# -- generate ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        "lint/multi-problem.yaml",
        "load/yaml-syntax.yaml",
        "refs/missing/openapi.yaml",
        "load/binary.yaml",
    ],
)
def test_generate_broken_spec_writes_nothing(tmp_path: Path, case: str) -> None:
    out = tmp_path / "out" / "client"
    result = run("generate", SPECS / case, "--out", out, "--package", "client")
    assert result.exit_code == 1
    assert not out.exists()
    assert list((tmp_path / "out").glob("*")) == [] if (tmp_path / "out").exists() else True
    validated = run("validate", SPECS / case)
    assert diagnostic_lines(result) == diagnostic_lines(validated)
    assert "nothing was written" in result.stderr


def test_generate_broken_spec_leaves_existing_output_alone(tmp_path: Path) -> None:
    out = tmp_path / "client"
    out.mkdir()
    (out / "keep.py").write_text("# hand-written\n")
    result = run(
        "generate", SPECS / "lint/operation-id-duplicate.yaml", "--out", out, "--package", "client"
    )
    assert result.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["client"]
    assert [p.name for p in out.iterdir()] == ["keep.py"]
    assert (out / "keep.py").read_text() == "# hand-written\n"


def test_generate_strict_refuses_warnings(tmp_path: Path) -> None:
    out = tmp_path / "client"
    result = run(
        "generate",
        SPECS / "lint/server-security-mismatch.yaml",
        "--out",
        out,
        "--package",
        "client",
        "--strict",
    )
    assert result.exit_code == 1
    assert "[server-security-mismatch]" in result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


# -- the installed console script --------------------------------------------------------


@pytest.mark.skipif(not CLIENTGEN.exists(), reason="clientgen console script not installed")
@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["validate", "tests/specs/load/binary.yaml"], 1),
        (["validate", "--strict", "tests/specs/lint/operation-id-missing.yaml"], 1),
        (["validate", "--bogus"], 2),
    ],
)
def test_console_script(args: list[str], status: int) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CLIENTGEN_DEBUG"}
    done = subprocess.run(
        [str(CLIENTGEN), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
