"""Shared fixtures: the repository root and a fast way to run the CLI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

ROOT = Path(__file__).resolve().parents[1]
#: the chat spec of the generator tests: a frozen copy (tests/specs_chat/README.md), so that the
#: real spec can grow without breaking them
CHAT_SPEC = ROOT / "tests" / "specs_chat" / "chat.openapi.yaml"
#: the project's hand-maintained spec: only for tests of that spec and of generated/
PROJECT_SPEC = ROOT / "spec" / "chat.openapi.yaml"


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets an empty output cache of its own (the CLI uses one by default)."""
    monkeypatch.setenv("CLIENTGEN_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("CLIENTGEN_NO_CACHE", raising=False)


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run ``clientgen ARGS`` in-process from ``cwd`` (default: the repo root)."""
    from generator.cli import cli

    def run(*args: str, cwd: Path | None = None) -> Result:
        monkeypatch.chdir(cwd or ROOT)
        return CliRunner().invoke(
            cli, list(args), catch_exceptions=False, env={"CLIENTGEN_DEBUG": ""}
        )

    return run


def npm_dir() -> Path:
    """Where the npm test tools (Prism, the spec corpus) are installed."""
    return Path(os.environ.get("CLIENTGEN_NPM_DIR", ROOT / "tests" / "npm"))
