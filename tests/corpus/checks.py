"""Shared checks for generated packages: generate, ``mypy --strict`` them together, import them.

Used by the corpus test and the hostile-spec test. Every check runs the tools in
subprocesses (``sys.executable -m mypy``, a fresh interpreter for imports) so a
generated package can never affect the test process.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generator.config import ClientConfig
from generator.diagnostics import Diagnostic, GenerationAborted, Level
from generator.pipeline import generate_client

__all__ = ["GENERATOR_RULES", "Result", "generate", "import_packages", "mypy_strict"]

#: rules that mean the generator, not the spec, failed; a refusal for these is a bug
GENERATOR_RULES = frozenset({"format-failed", "models-failed"})


@dataclass
class Result:
    """What happened to one spec."""

    spec: str
    package: str
    status: str  # generated | refused | failed
    reason: str = ""
    warnings: list[Diagnostic] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # mypy / import errors of a generated package

    @property
    def passed(self) -> bool:
        return self.status == "generated" and not self.problems


def generate(
    spec: Path,
    package: str,
    out: Path,
    *,
    label: str | None = None,
    severity: tuple[tuple[str, Level | None], ...] = (),
) -> Result:
    """Generate ``spec`` into ``out`` (with rules re-levelled as ``severity`` says, like
    ``--severity``); refusals keep their first located error as the reason."""
    label = label or spec.name
    try:
        outcome = generate_client(
            ClientConfig(spec=spec, package=package, out=out, severity=severity)
        )
    except GenerationAborted as exc:
        errors = [d for d in exc.diagnostics if d.level is Level.ERROR]
        located = [d for d in errors if d.file and (d.line or d.pointer)]
        if not errors:
            return Result(label, package, "failed", "refused without an error diagnostic")
        if any(d.rule in GENERATOR_RULES for d in errors):
            return Result(label, package, "failed", errors[0].format())
        if not located:
            return Result(
                label, package, "failed", f"refused without a location: {errors[0].format()}"
            )
        first = located[0]
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        return Result(label, package, "refused", f"[{first.rule}] {first.message}{more}")
    except Exception as exc:  # a crash is the one thing that must never happen
        return Result(label, package, "failed", f"crashed: {type(exc).__name__}: {exc}")
    warnings = [d for d in outcome.diagnostics if d.level is Level.WARNING]
    return Result(label, package, "generated", warnings=warnings)


def mypy_strict(sources: Mapping[str, Path], *, cwd: Path) -> dict[str, list[str]]:
    """One ``mypy --strict`` run over every package; errors by package name."""
    if not sources:
        return {}
    env = {**os.environ, "MYPYPATH": os.pathsep.join(str(p) for p in sources.values())}
    command = [
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--no-color-output",
        "--no-error-summary",
        "--show-absolute-path",
        "--cache-dir",
        str(cwd / ".mypy_cache"),
        *(str(src / name) for name, src in sources.items()),
    ]
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    errors: dict[str, list[str]] = {}
    roots = {name: str(src / name) for name, src in sources.items()}
    for line in result.stdout.splitlines():
        if ": error:" not in line:
            continue
        owner = next((name for name, root in roots.items() if line.startswith(root + os.sep)), "")
        errors.setdefault(owner, []).append(line)
    if result.returncode not in (0, 1) or (result.returncode == 1 and not errors):
        errors.setdefault("", []).append(
            f"mypy failed: {result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
    return errors


_IMPORTER = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys, traceback
    packages = json.loads(sys.argv[1])
    sys.path[:0] = sorted(set(packages.values()))
    failures = {}
    for name, src in packages.items():
        try:
            package = importlib.import_module(name)
            for module in ("models", "_client", "_spec"):
                importlib.import_module(f"{name}.{module}")
            for info in pkgutil.iter_modules([f"{src}/{name}/models"]):
                importlib.import_module(f"{name}.models.{info.name}")
            for info in pkgutil.iter_modules([f"{src}/{name}/resources"]):
                importlib.import_module(f"{name}.resources.{info.name}")
            clients = [n for n in package.__all__ if n.endswith("Client") and not n.startswith("Async")]
            client = getattr(package, clients[0])(base_url="http://127.0.0.1:9")
            for attribute, value in vars(type(client)).items():
                if isinstance(value, property) and not attribute.startswith("_"):
                    getattr(client, attribute)
            client.close()
        except BaseException as exc:
            failures[name] = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    print(json.dumps(failures))
    """
)


def import_packages(sources: Mapping[str, Path], *, cwd: Path) -> dict[str, str]:
    """Import every package (and each of its modules) in one fresh interpreter; failures by name."""
    if not sources:
        return {}
    env = {k: v for k, v in os.environ.items() if not re.match(r"^CORPUS_|^HOSTILE_", k)}
    result = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            _IMPORTER,
            json.dumps({n: str(p) for n, p in sources.items()}),
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    try:
        failures: dict[str, str] = json.loads(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"": f"the import subprocess failed: {result.stdout[-2000:]}{result.stderr[-2000:]}"}
    return failures
