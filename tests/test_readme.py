"""Every code block of both READMEs (the project's and the generated package's) stays true.

Python blocks are type-checked with ``mypy --strict`` and ``pyright --strict`` against the
installed generated package (as a downstream user's code would be), and the generated README's
blocks run, each in its own interpreter, against a local server on 127.0.0.1 that the test starts
and stops (credentials and ``CHAT_CLIENT_BASE_URL`` from the environment, as the README says);
command lines name only commands, options and nox sessions that exist; the TOML block is a config
clientgen reads.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from generator.cli import cli
from generator.config import load_config
from tests.conftest import ROOT
from tests.generated.support import RoutingServer
from tests.runtime.runtime_support import Recorded, Reply

READMES = {
    "project": ROOT / "README.md",
    "generated": ROOT / "generated" / "chat_client" / "README.md",
}
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _blocks(kind: str) -> list[tuple[str, str, str]]:
    """``(readme, language, text)`` of every fenced block of ``language`` in both READMEs."""
    found = []
    for name, path in READMES.items():
        for match in FENCE.finditer(path.read_text(encoding="utf-8")):
            if match.group(1) == kind:
                found.append((name, kind, match.group(2)))
    return found


def _ids(blocks: list[tuple[str, str, str]]) -> list[str]:
    return [f"{name}-{index}" for index, (name, _, _) in enumerate(blocks)]


PYTHON = _blocks("python")
SHELL = _blocks("sh")
TEXT = _blocks("text")


def test_both_readmes_have_the_blocks_this_test_expects() -> None:
    assert {name for name, _, _ in PYTHON} == {"project", "generated"}
    assert len(PYTHON) >= 5 and SHELL and TEXT


@pytest.mark.slow
def test_python_blocks_pass_mypy_strict(tmp_path: Path) -> None:
    """One module per block, all checked in one mypy run (as a user's program would be)."""
    for index, (name, _, text) in enumerate(PYTHON):
        (tmp_path / f"{name}_{index}.py").write_text(text, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--config-file",
            "/dev/null",
            *sorted(str(p) for p in tmp_path.glob("*.py")),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_python_blocks_pass_pyright_strict(tmp_path: Path) -> None:
    """The same modules under ``pyright --strict`` (the other checker users run)."""
    pyright = shutil.which("pyright", path=str(Path(sys.executable).parent))
    if pyright is None:
        pytest.skip("pyright is not installed (pip install -e '.[dev]')")
    for index, (name, _, text) in enumerate(PYTHON):
        (tmp_path / f"{name}_{index}.py").write_text(text, encoding="utf-8")
    (tmp_path / "pyrightconfig.json").write_text(
        '{"typeCheckingMode": "strict", "pythonVersion": "3.11"}', encoding="utf-8"
    )
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "VIRTUAL_ENV": sys.prefix,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
    }
    result = subprocess.run(
        [pyright, *sorted(str(p) for p in tmp_path.glob("*.py"))],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


GENERATED_PYTHON = [text for name, _, text in PYTHON if name == "generated"]
README_REQUEST_ID = "readme-request-1"


def _expectations(text: str, stdout: str, requests: list[Recorded]) -> None:
    """What a block demonstrably did, beyond running without an error."""
    if "extra_headers=" in text:
        seen = requests[-1]
        assert seen.header("X-Trace-Id") == "readme-1"
        assert "verbose=true" in seen.path
        assert seen.json()["comment"] == "added per call"
    if "StatusError as exc" in text:
        assert f"400 {README_REQUEST_ID}" in stdout
    if "with_streaming_response" in text:
        assert '"success"' in stdout and "AddParticipantResponse" in stdout
    if "models.__all__" in text:
        assert "MudbaseError" in stdout


@pytest.mark.parametrize(
    "text", GENERATED_PYTHON, ids=[f"generated-{i}" for i in range(len(GENERATED_PYTHON))]
)
def test_generated_readme_examples_run_against_a_local_server(text: str, tmp_path: Path) -> None:
    server = RoutingServer()  # 127.0.0.1 only; shut down below
    try:
        if "StatusError as exc" in text:
            server.enqueue(
                Reply(
                    status=400,
                    json={"error": "Validation failed", "code": "VALIDATION_ERROR"},
                    headers={"x-request-id": README_REQUEST_ID},
                )
            )
        # a placeholder server variable is the reader's to fill in
        script = tmp_path / "example.py"
        script.write_text(text.replace('"..."', '"readme"'), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHAT_CLIENT_")}
        env.update(
            CHAT_CLIENT_BASE_URL=server.url,
            CHAT_CLIENT_MUDBASE_JWT="readme-jwt",
            CHAT_CLIENT_IW_ERP_SESSION_TOKEN="readme-session",
        )
        result = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
            env=env,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        _expectations(text, result.stdout, server.requests)
        if re.search(r"\bclient\.", text):
            assert server.requests, "the example sent nothing"
        host = server.url.removeprefix("http://")
        assert all(r.header("Host") == host for r in server.requests)
    finally:
        server.shutdown()


def _commands(text: str) -> list[list[str]]:
    """The simple commands of a shell block: ``&&``, ``;`` and ``&`` split it, comments go."""
    commands: list[list[str]] = []
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        for part in re.split(r"\s*(?:&&|;|&(?!&))\s*", line):
            words = shlex.split(part)
            while words and re.match(r"^[A-Z_]+=", words[0]):  # VAR=value command
                words.pop(0)
            if words and words[0] != "export":
                commands.append(words)
    return commands


def _check_clientgen(words: list[str]) -> None:
    """``clientgen SUBCOMMAND [options]``: the subcommand and every option exist."""
    assert isinstance(cli, click.Group)
    words = [w.strip("[]") for w in words if w.strip("[]") not in {"", "...", "SPEC"}]
    if len(words) == 1:
        return
    command = cli.commands.get(words[1])
    assert command is not None, words
    known = {opt for param in command.params for opt in getattr(param, "opts", [])}
    known |= {"-h", "--help"}
    for word in words[2:]:
        if word.startswith("-"):
            assert word.split("=", 1)[0] in known, f"{word} is no option of {words[:2]}"


def _nox_sessions() -> set[str]:
    """Every session of the noxfile, selected by default or not (``nox -l``)."""
    result = subprocess.run(
        [sys.executable, "-m", "nox", "-l"], capture_output=True, text=True, check=False, cwd=ROOT
    )
    if result.returncode != 0:
        pytest.skip(f"nox is not installed here: {result.stderr[:200]}")
    return set(re.findall(r"^[*-] (\S+) ->", result.stdout, re.MULTILINE))


@pytest.mark.parametrize(("name", "kind", "text"), SHELL + TEXT, ids=_ids(SHELL + TEXT))
def test_command_lines_name_what_exists(name: str, kind: str, text: str) -> None:
    sessions: set[str] | None = None
    for words in _commands(text):
        if words[0] == "clientgen" or words[:3] == ["python", "-m", "generator"]:
            _check_clientgen(words if words[0] == "clientgen" else ["clientgen", *words[3:]])
        elif "nox" in words and "-s" in words:
            sessions = sessions if sessions is not None else _nox_sessions()
            chosen = words[words.index("-s") + 1]
            assert chosen in sessions, f"no nox session {chosen!r} ({sorted(sessions)})"


def test_the_config_block_is_read_as_written(tmp_path: Path) -> None:
    text = READMES["project"].read_text(encoding="utf-8")
    blocks = [m.group(2) for m in FENCE.finditer(text) if m.group(1) == "toml"]
    assert blocks
    for block in blocks:
        pyproject = tmp_path / "pyproject.toml"
        pyproject.write_text(block, encoding="utf-8")
        (config,) = load_config(pyproject)
        assert config.package == "chat_client"
        assert config.spec == tmp_path / "spec" / "chat.openapi.yaml"
