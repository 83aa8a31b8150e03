"""clientgen against openapi-python-client, side by side: generate, --check, import, per call.

Run it with ``nox -s bench`` (which installs clientgen, the generated packages and
openapi-python-client into one environment), or directly with a Python that has them::

    nox -s bench                                   # everything, default rounds
    nox -s bench -- --inputs chat,petstore --rounds 5
    nox -s bench -- --quick --inputs chat          # seconds: a smoke run
    python tests/benchmarks/run.py --help

What is measured, per input spec (``--inputs``, default ``chat,petstore,github,github31``;
``openai`` and ``stripe``, the committed corpus, on request):

* ``generate``: ``clientgen generate SPEC --out DIR --package NAME`` and
  ``openapi-python-client generate --path SPEC --output-path DIR --overwrite`` (its default
  configuration; it runs ruff from PATH itself) as whole processes, into a fresh folder each
  time, alternating which one goes first from round to round. Wall time and peak RSS: the
  peak resident set of the largest process of the run's process tree, from the rusage that
  ``wait4`` returns, and the whole tree's peak (the largest sum over the processes alive at once,
  workers included, sampled from ``/proc``), taken in the small wrapper ``_measure.py`` (the kernel's ``ru_maxrss``
  of a child covers its waited-for children, e.g. the ruff a generator runs). A run that fails (non-zero exit, or no package written) is recorded with the first lines
  of its error output; it never stops the harness.
* ``check``: ``clientgen generate SPEC ... --check`` on the unchanged tree the last
  successful generate wrote (whole process); with the chat input also the CI case proper,
  ``clientgen generate --check`` with the project's pyproject.toml (against generated/;
  not with ``--quick``).
* ``import``: cold import in a fresh interpreter (bytecode already cached, so: the cost a
  user pays at every start) of the package; of the package plus one resource (ours:
  ``PKG.resources.<tag>``, which imports no model: each method imports its own on its first
  call; the peer's: one operation module ``PKG.api.<tag>.<operation>``, which imports its
  models); of the package plus one operation with its models (ours: the resource plus the
  models that method imports; the peer's: the same operation module), the like-for-like case;
  and of the models alone.
  Timed inside the fresh process with ``perf_counter`` around the import statements.
  When clientgen refuses an input (as it does the GitHub spec today, on invalid examples),
  the package for the import benchmark is built with ``profile_stages.py --keep-going
  --skip-validate`` and marked ``"ours_source": "forced"``.

And once, with the chat client in ``generated/`` (``per_call``): microseconds per call of
``client.mudbase.add_participant(...)`` (sync and async) against the same request made with
a raw ``httpx`` client plus ``json.loads``, to a tiny local HTTP server on 127.0.0.1 that
runs in its own process (``_server.py``); the peer's chat client too when it was generated.

Each measurement reports median, min and max; ratios are ours / peer (or ours / raw) of the
medians. Targets from the "Speed at scale" issue are printed as PASS/FAIL (nothing asserts).
Results go to ``tests/benchmarks/results/<timestamp>.json`` (or ``--json FILE``).

Inputs come from npm (``tests/benchmarks/npm``, installed with ``npm ci`` when needed):
``petstore`` is ``@readme/oas-examples`` 3.1/json/petstore.json, ``github`` is
``@octokit/openapi`` generated/api.github.com.json (OpenAPI 3.0.3, ~13 MB) and ``github31``
the same converted with ``openapi-format --convertTo 3.1`` (cached under node_modules).
The public specs committed in ``tests/corpus/specs`` (OpenAI, Stripe, openapi-python-client's
end-to-end specs; see its README) are at hand as ``CORPUS_SPECS``; every input lives inside
the repository or comes from npm into it.

The machine is shared: read min as well as median, and compare ratios within one run.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NPM_DIR = HERE / "npm"
MODULES = NPM_DIR / "node_modules"
CACHE = MODULES / ".clientgen-bench"
RESULTS = HERE / "results"
#: the public specs committed to the repository (tests/corpus/specs/README.md lists them)
CORPUS_SPECS = ROOT / "tests" / "corpus" / "specs"
BIN = Path(sys.executable).parent
SCHEMA_VERSION = 1
ALL_INPUTS = ("chat", "petstore", "github", "github31", "openai", "stripe")
#: what runs without --inputs: the corpus specs (minutes each, with the peer) are asked for by name
DEFAULT_INPUTS = ("chat", "petstore", "github", "github31")


@dataclass(frozen=True)
class Input:
    name: str
    #: the package name clientgen generates
    package: str
    #: preferred resource (ours: resources/<tag>.py) and operation (peer: api/<tag>/<op>.py)
    tag: str
    operation: str
    #: extra clientgen options: GitHub's published examples do not match its schemas, so
    #: example-invalid is a warning there (as a team generating a third-party spec would set it)
    options: tuple[str, ...] = ()


_THIRD_PARTY = ("--severity", "example-invalid=warning", "--severity", "default-invalid=warning")
INPUTS = {
    "chat": Input("chat", "chat_client", "mudbase", "add_participant"),
    "petstore": Input("petstore", "petstore_client", "pet", "get_pet_by_id"),
    "github": Input("github", "github_client", "repos", "repos_get", _THIRD_PARTY),
    "github31": Input("github31", "github31_client", "repos", "repos_get", _THIRD_PARTY),
    # the committed corpus (tests/corpus/specs), with the relaxations their violations need
    "openai": Input(
        "openai",
        "openai_client",
        "chat",
        "create_chat_completion",
        (*_THIRD_PARTY, "--severity", "spec-invalid=warning"),
    ),
    "stripe": Input("stripe", "stripe_client", "default", "get_customers"),
}

TARGETS_TEXT = {
    "generate": "generate wall <= 1.0x peer",
    "rss": "generate peak RSS <= 1 GB",
    "check": "generate --check (unchanged) < 0.5 s",
    "import": "import package + one resource <= 0.5x peer",
    "per_call": "per-call overhead <= 1.25x raw httpx",
}


# --------------------------------------------------------------------------- helpers


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def summary(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }


def ratio(ours: dict[str, float] | None, theirs: dict[str, float] | None) -> float | None:
    if not ours or not theirs or not theirs["median"]:
        return None
    return ours["median"] / theirs["median"]


def head(text: str, lines: int = 8, width: int = 400) -> str:
    kept = [line[:width] for line in text.strip().splitlines()[:lines]]
    return "\n".join(kept)


def tool_env() -> dict[str, str]:
    """The environment for child processes: this Python's bin first (ruff, the CLIs)."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault(
        "CLIENTGEN_CACHE_DIR", str(Path(tempfile.gettempdir()) / "clientgen-bench-cache")
    )
    env.pop("PYTHONPATH", None)
    return env


def measure(
    cmd: list[str], *, cwd: Path, timeout: float, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run ``cmd`` as a whole process; wall seconds, peak RSS (MB) of its tree, exit status.

    The timing and ``wait4`` happen in the small ``_measure.py`` wrapper (see there why).
    """
    with tempfile.TemporaryDirectory(prefix="clientgen-measure-") as tmp:
        out, err = Path(tmp) / "stdout", Path(tmp) / "stderr"
        wrapper = [
            sys.executable,
            "-S",
            str(HERE / "_measure.py"),
            "--stdout",
            str(out),
            "--stderr",
            str(err),
            "--timeout",
            str(timeout),
            "--cwd",
            str(cwd),
            "--",
            *cmd,
        ]
        done = subprocess.run(
            wrapper, env=env or tool_env(), capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"the measuring wrapper failed: {done.stderr[-2000:]}")
        result: dict[str, Any] = json.loads(done.stdout)
        result["stdout"] = out.read_text(errors="replace") if out.exists() else ""
        result["stderr"] = err.read_text(errors="replace") if err.exists() else ""
    return result


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for dist in (
        "clientgen",
        "openapi-python-client",
        "datamodel-code-generator",
        "openapi-spec-validator",
        "jsonschema",
        "ruff",
        "pydantic",
        "httpx",
        "jinja2",
    ):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = None
    return found


def git_state() -> dict[str, Any]:
    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"commit": git("rev-parse", "HEAD") or None, "dirty": bool(git("status", "--porcelain"))}


def find_tool(name: str) -> str | None:
    candidate = BIN / name
    if candidate.exists():
        return str(candidate)
    return shutil.which(name)


# --------------------------------------------------------------------------- inputs


def ensure_npm() -> str | None:
    """Install tests/benchmarks/npm if needed; an error message when that is impossible."""
    wanted = [
        MODULES / "@octokit" / "openapi" / "package.json",
        MODULES / "@readme" / "oas-examples" / "package.json",
        MODULES / ".bin" / "openapi-format",
    ]
    if all(path.exists() for path in wanted):
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not installed: cannot fetch the benchmark specs"
    command = "ci" if (NPM_DIR / "package-lock.json").exists() else "install"
    log(f"npm {command} in {NPM_DIR} ...")
    done = subprocess.run(
        [npm, command, "--no-audit", "--no-fund", "--loglevel=error", f"--prefix={NPM_DIR}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return f"npm {command} failed: {head(done.stderr)}"
    return None


def npm_version(package: str) -> str | None:
    try:
        return json.loads((MODULES / package / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def spec_path(name: str) -> tuple[Path | None, str | None, dict[str, Any]]:
    """(path, error, facts) of input ``name``."""
    facts: dict[str, Any] = {}
    if name == "chat":
        return ROOT / "spec" / "chat.openapi.yaml", None, facts
    if name in ("openai", "stripe"):
        facts["source"] = f"tests/corpus/specs (see its README): {name}"
        return (
            CORPUS_SPECS / {"openai": "openai.openapi.yaml", "stripe": "stripe.spec3.yaml"}[name],
            None,
            facts,
        )
    error = ensure_npm()
    if error:
        return None, error, facts
    if name == "petstore":
        facts["source"] = (
            f"@readme/oas-examples@{npm_version('@readme/oas-examples')} 3.1/json/petstore.json"
        )
        return MODULES / "@readme" / "oas-examples" / "3.1" / "json" / "petstore.json", None, facts
    github = MODULES / "@octokit" / "openapi" / "generated" / "api.github.com.json"
    version = npm_version("@octokit/openapi")
    facts["source"] = f"@octokit/openapi@{version} generated/api.github.com.json"
    if name == "github":
        return github, None, facts
    converted = CACHE / f"api.github.com-{version}-3.1.json"
    formatter = f"openapi-format@{npm_version('openapi-format')}"
    facts["source"] += f", converted to 3.1 with {formatter} (--convertTo 3.1)"
    if not converted.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        log(f"converting the GitHub spec to OpenAPI 3.1 with {formatter} ...")
        start = time.perf_counter()
        partial = converted.with_suffix(".partial.json")
        done = subprocess.run(
            [
                str(MODULES / ".bin" / "openapi-format"),
                str(github),
                "--convertTo",
                "3.1",
                "-o",
                str(partial),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or not partial.exists():
            return None, f"openapi-format failed: {head(done.stderr or done.stdout)}", facts
        partial.replace(converted)
        facts["conversion_s"] = time.perf_counter() - start
    return converted, None, facts


def spec_facts(path: Path) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "path": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    }
    facts["size_bytes"] = path.stat().st_size
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        document = json.loads(text)
        facts["openapi"] = document.get("openapi")
        facts["paths"] = len(document.get("paths", {}))
        facts["schemas"] = len(document.get("components", {}).get("schemas", {}))
    else:
        for line in text.splitlines():
            if line.startswith("openapi:"):
                facts["openapi"] = line.split(":", 1)[1].strip().strip("'\"")
                break
    return facts


# --------------------------------------------------------------------------- generate


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = Path(tempfile.mkdtemp(prefix="clientgen-bench-"))
        clientgen = find_tool("clientgen")
        self.clientgen = [clientgen] if clientgen else [sys.executable, "-m", "generator"]
        self.peer = None if args.no_peer else find_tool("openapi-python-client")
        self.counter = 0

    def fresh_dir(self, label: str) -> Path:
        self.counter += 1
        return self.work / f"{label}-{self.counter}"

    def ours_generate(self, item: Input, spec: Path) -> tuple[dict[str, Any], Path | None]:
        out = self.fresh_dir(f"ours-{item.name}")
        cmd = [
            *self.clientgen,
            "generate",
            str(spec),
            "--out",
            str(out),
            "--package",
            item.package,
            "--no-cache",  # a cold run: the peer has no cache either
            *item.options,
        ]
        run = measure(cmd, cwd=ROOT, timeout=self.args.timeout)
        package_dir = out / "src" / item.package
        ok = run["returncode"] == 0 and (package_dir / "__init__.py").exists()
        return self._record(run, ok), (out if ok else None)

    def peer_generate(self, item: Input, spec: Path) -> tuple[dict[str, Any], Path | None]:
        assert self.peer is not None
        out = self.fresh_dir(f"peer-{item.name}")
        cmd = [self.peer, "generate", "--path", str(spec), "--output-path", str(out), "--overwrite"]
        run = measure(cmd, cwd=self.work, timeout=self.args.timeout)
        ok = run["returncode"] == 0 and peer_package(out) is not None
        record = self._record(run, ok)
        if ok:
            record["warnings"] = "Warning(s) encountered" in run["stdout"] + run["stderr"]
        return record, (out if ok else None)

    @staticmethod
    def _record(run: dict[str, Any], ok: bool) -> dict[str, Any]:
        keys = ("wall_s", "peak_rss_mb", "tree_peak_rss_mb", "cpu_s", "returncode", "timed_out")
        record = {k: run.get(k) for k in keys}
        record["ok"] = ok
        if not ok:
            record["error"] = head(run["stderr"] or run["stdout"]) or "(no output)"
        return record

    def generate(self, item: Input, spec: Path) -> tuple[dict[str, Any], Path | None, Path | None]:
        runs: dict[str, list[dict[str, Any]]] = {"ours": [], "peer": []}
        last: dict[str, Path | None] = {"ours": None, "peer": None}
        tools = ["ours", "peer"] if self.peer else ["ours"]
        for round_no in range(self.args.rounds):
            order = tools if round_no % 2 == 0 else tools[::-1]
            for tool in order:
                if runs[tool] and not runs[tool][0]["ok"] and not self.args.repeat_failures:
                    continue  # a refusal is deterministic: once is enough (unless --repeat-failures)
                record, out = (self.ours_generate if tool == "ours" else self.peer_generate)(
                    item, spec
                )
                record["round"] = round_no
                runs[tool].append(record)
                status = "ok" if record["ok"] else f"FAILED (exit {record['returncode']})"
                log(
                    f"  [{item.name}] generate {tool:<4} round {round_no + 1}/{self.args.rounds}: "
                    f"{record['wall_s']:7.2f} s  {record['peak_rss_mb']:7.1f} MB  {status}"
                )
                if out is not None:
                    if last[tool] is not None:
                        shutil.rmtree(last[tool], ignore_errors=True)
                    last[tool] = out
        result: dict[str, Any] = {}
        for tool in tools:
            ok_runs = [r for r in runs[tool] if r["ok"]]
            failed = [r for r in runs[tool] if not r["ok"]]
            result[tool] = {
                "ok": bool(ok_runs) and not failed,
                "runs": runs[tool],
                "wall_s": summary([r["wall_s"] for r in ok_runs]),
                "peak_rss_mb": summary([r["peak_rss_mb"] for r in ok_runs]),
                # the whole process tree at once (workers included), where /proc has it
                "tree_peak_rss_mb": summary(
                    [r["tree_peak_rss_mb"] for r in ok_runs if r["tree_peak_rss_mb"] is not None]
                ),
                # also for failed runs: how long until clientgen gave up, and how big it got
                "wall_s_all_runs": summary([r["wall_s"] for r in runs[tool]]),
                "peak_rss_mb_all_runs": summary([r["peak_rss_mb"] for r in runs[tool]]),
                "error": failed[0]["error"] if failed else None,
            }
        if not self.peer:
            result["peer"] = {
                "ok": False,
                "skipped": "openapi-python-client is not installed (or --no-peer)",
            }
        if result["ours"]["ok"] and result["peer"].get("ok"):
            result["ratio"] = {
                "wall": ratio(result["ours"]["wall_s"], result["peer"]["wall_s"]),
                "peak_rss": ratio(result["ours"]["peak_rss_mb"], result["peer"]["peak_rss_mb"]),
                "tree_peak_rss": ratio(
                    result["ours"]["tree_peak_rss_mb"], result["peer"]["tree_peak_rss_mb"]
                ),
            }
        elif not result["ours"]["ok"] and result["peer"].get("ok"):
            # clientgen refused: how long it took to refuse, for scale
            result["ratio_until_failure"] = {
                "wall": ratio(result["ours"]["wall_s_all_runs"], result["peer"]["wall_s"]),
            }
        return result, last["ours"], last["peer"]

    # ----------------------------------------------------------------------- check

    def check(self, item: Input, spec: Path, ours_out: Path) -> dict[str, Any]:
        cmd = [
            *self.clientgen,
            "generate",
            str(spec),
            "--out",
            str(ours_out),
            "--package",
            item.package,
            "--check",
            *item.options,
        ]
        # the common CI case: nothing changed since the last generate, whose output is cached
        measure(cmd, cwd=ROOT, timeout=self.args.timeout)
        result: dict[str, Any] = {"spec_args": self._check_runs(item.name, "check", cmd)}
        if item.name == "chat" and not self.args.quick:
            cmd = [*self.clientgen, "generate", "--check"]
            result["project_config"] = self._check_runs(item.name, "check (pyproject)", cmd)
        return result

    def _check_runs(self, name: str, label: str, cmd: list[str]) -> dict[str, Any]:
        runs = []
        for round_no in range(self.args.rounds):
            run = measure(cmd, cwd=ROOT, timeout=self.args.timeout)
            record = self._record(run, run["returncode"] == 0)
            record["round"] = round_no
            runs.append(record)
            state = (
                "current"
                if run["returncode"] == 0
                else f"exit {run['returncode']} (stale or failed)"
            )
            log(
                f"  [{name}] {label} round {round_no + 1}/{self.args.rounds}: {run['wall_s']:7.2f} s  {state}"
            )
        return {
            "runs": runs,
            "wall_s": summary([r["wall_s"] for r in runs]),
            "peak_rss_mb": summary([r["peak_rss_mb"] for r in runs]),
            "all_current": all(r["ok"] for r in runs),
            "error": next((r["error"] for r in runs if not r["ok"]), None),
        }

    # ----------------------------------------------------------------------- import

    def forced_ours(self, item: Input, spec: Path) -> tuple[Path | None, dict[str, Any]]:
        """Build our package ignoring validation errors, only to measure its import."""
        out = self.fresh_dir(f"forced-{item.name}")
        cmd = [
            sys.executable,
            str(HERE / "profile_stages.py"),
            str(spec),
            "--out",
            str(out),
            "--package",
            item.package,
            "--keep-going",
            "--skip-validate",
        ]
        log(
            f"  [{item.name}] clientgen refused the spec; building its package with validation skipped (untimed) ..."
        )
        run = measure(cmd, cwd=ROOT, timeout=self.args.timeout)
        info = {
            "wall_s": run["wall_s"],
            "peak_rss_mb": run["peak_rss_mb"],
            "returncode": run["returncode"],
        }
        if run["returncode"] != 0 or not (out / "src" / item.package / "__init__.py").exists():
            info["error"] = head(run["stderr"], lines=12)
            return None, info
        info["stages"] = head(run["stderr"], lines=12)
        return out, info

    def imports(self, item: Input, ours_out: Path | None, peer_out: Path | None) -> dict[str, Any]:
        targets: dict[str, dict[str, Any]] = {}
        if ours_out is not None:
            src = ours_out / "src"
            pkg = src / item.package
            resource = pick(pkg / "resources", item.tag)
            with_resource = [item.package, f"{item.package}.resources.{resource}"]
            models = method_models(pkg / "resources" / f"{resource}.py", item) if resource else ""
            targets["ours"] = {
                "path": src,
                "package": [item.package],
                "package+resource": with_resource if resource else None,
                # what the first call of the method pays on top: the models it imports
                "package+operation": [*with_resource, f"from {item.package}.models import {models}"]
                if models
                else (with_resource if resource else None),
                "models": [f"{item.package}.models"]
                if (pkg / "models.py").exists() or (pkg / "models").is_dir()
                else None,
            }
        if peer_out is not None:
            name = peer_package(peer_out)
            assert name is not None
            tag = pick(peer_out / name / "api", item.tag, dirs=True)
            operation = pick(peer_out / name / "api" / tag, item.operation) if tag else None
            targets["peer"] = {
                "path": peer_out,
                "package": [name],
                "package+resource": [name, f"{name}.api.{tag}.{operation}"] if operation else None,
                # its operation module imports the models already
                "package+operation": [name, f"{name}.api.{tag}.{operation}"] if operation else None,
                "models": [f"{name}.models"] if (peer_out / name / "models").is_dir() else None,
            }
        kinds = ("package", "package+resource", "package+operation", "models")
        result: dict[str, Any] = {}
        for tool, spec in targets.items():
            result[tool] = {"modules": {k: spec[k] for k in kinds}}
        for kind in kinds:
            # warm-up: writes the bytecode caches, so that every timed run is alike
            for tool, spec in targets.items():
                if spec[kind]:
                    run = import_once(spec["path"], spec[kind], self.args.timeout)
                    if "error" in run:
                        result[tool][kind] = {"error": run["error"]}
            samples: dict[str, list[dict[str, float]]] = {tool: [] for tool in targets}
            live = [
                t for t, s in targets.items() if s[kind] and "error" not in result[t].get(kind, {})
            ]
            for round_no in range(self.args.import_rounds):
                for tool in live if round_no % 2 == 0 else live[::-1]:
                    run = import_once(targets[tool]["path"], targets[tool][kind], self.args.timeout)
                    if "error" in run:
                        result[tool][kind] = {"error": run["error"]}
                        live.remove(tool)
                        continue
                    samples[tool].append(run)
            for tool in live:
                result[tool][kind] = {
                    "seconds": summary([s["seconds"] for s in samples[tool]]),
                    "rss_mb": summary([s["rss_mb"] for s in samples[tool]]),
                    "modules_loaded": samples[tool][-1]["modules"] if samples[tool] else None,
                }
                entry = result[tool][kind]["seconds"]
                log(
                    f"  [{item.name}] import {tool:<4} {kind:<16} median {entry['median'] * 1000:8.1f} ms"
                )
            if all("seconds" in result.get(t, {}).get(kind, {}) for t in ("ours", "peer")):
                result.setdefault("ratio", {})[kind] = ratio(
                    result["ours"][kind]["seconds"], result["peer"][kind]["seconds"]
                )
        return result

    # ----------------------------------------------------------------------- per call

    def per_call(self, peer_chat: Path | None) -> dict[str, Any]:
        chat_src = ROOT / "generated" / "chat_client" / "src"
        server = subprocess.Popen(
            [sys.executable, str(HERE / "_server.py"), "--lifetime", str(self.args.timeout)],
            stdout=subprocess.PIPE,
            text=True,
            env=tool_env(),
        )
        try:
            assert server.stdout is not None
            port = int(server.stdout.readline().strip())
            cmd = [
                sys.executable,
                str(HERE / "_calls.py"),
                "--url",
                f"http://127.0.0.1:{port}",
                "--calls",
                str(self.args.calls),
                "--rounds",
                str(self.args.call_rounds),
                "--warmup",
                str(max(10, self.args.calls // 10)),
                "--chat-src",
                str(chat_src),
            ]
            name = peer_package(peer_chat) if peer_chat else None
            if peer_chat and name:
                cmd += ["--peer-src", str(peer_chat), "--peer-package", name]
            log(
                f"  per-call: {self.args.calls} calls x {self.args.call_rounds} rounds per variant ..."
            )
            run = measure(cmd, cwd=ROOT, timeout=self.args.timeout)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        if run["returncode"] != 0:
            return {"error": head(run["stderr"], lines=15)}
        raw = json.loads(run["stdout"])
        result: dict[str, Any] = {
            "client": str(chat_src.relative_to(ROOT)),
            "calls_per_round": self.args.calls,
            "rounds": self.args.call_rounds,
            "us_per_call": {k: summary(v) for k, v in raw["us_per_call"].items()},
            "samples": raw["us_per_call"],
        }
        if raw.get("errors"):
            result["errors"] = raw["errors"]
        calls = result["us_per_call"]
        result["ratio"] = {}
        for mode in ("sync", "async"):
            result["ratio"][f"ours/raw {mode}"] = ratio(
                calls.get(f"ours_{mode}"), calls.get(f"raw_{mode}")
            )
            if f"peer_{mode}" in calls:
                result["ratio"][f"peer/raw {mode}"] = ratio(
                    calls.get(f"peer_{mode}"), calls.get(f"raw_{mode}")
                )
                result["ratio"][f"ours/peer {mode}"] = ratio(
                    calls.get(f"ours_{mode}"), calls.get(f"peer_{mode}")
                )
        for key, value in result["ratio"].items():
            if value is not None:
                log(f"  per-call {key}: {value:.2f}x")
        return result


def pick(folder: Path, preferred: str, *, dirs: bool = False) -> str | None:
    """``preferred`` if ``folder`` has that module (or package); else the first one there."""
    if not folder.is_dir():
        return None
    if dirs:
        names = sorted(p.name for p in folder.iterdir() if (p / "__init__.py").exists())
    else:
        names = sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")
    if preferred in names:
        return preferred
    return names[0] if names else None


def peer_package(out: Path) -> str | None:
    """The import name of the package openapi-python-client wrote into ``out``."""
    if not out.is_dir():
        return None
    for child in sorted(out.iterdir()):
        if (child / "__init__.py").exists() and (child / "client.py").exists():
            return child.name
    return None


_IMPORT_CODE = """\
import json, resource, sys, time
start = time.perf_counter()
{imports}
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "modules": len(sys.modules)}}))
"""


def method_models(resource_file: Path, item: Input) -> str:
    """The models the benchmarked method of a resource module imports on its first call."""
    method = item.operation.removeprefix(f"{item.tag}_")
    found = re.search(
        rf"\n    def {re.escape(method)}\(.*?\n        from \.\.models import ([^\n]+)\n",
        resource_file.read_text(encoding="utf-8"),
        flags=re.DOTALL,
    )
    if found is None or "\n    def " in found.group(0)[5:]:
        return ""  # no such method, or it uses no model
    return found.group(1).strip()


def import_once(path: Path, modules: list[str], timeout: float) -> dict[str, Any]:
    """Time importing ``modules`` (or running ``from ... import ...`` lines) in a new process."""
    code = _IMPORT_CODE.format(
        imports="\n".join(m if m.startswith("from ") else f"import {m}" for m in modules)
    )
    env = tool_env()
    env["PYTHONPATH"] = str(path)
    run = measure([sys.executable, "-c", code], cwd=path, timeout=timeout, env=env)
    if run["returncode"] != 0:
        return {"error": head(run["stderr"], lines=12)}
    return json.loads(run["stdout"].strip().splitlines()[-1])


# --------------------------------------------------------------------------- targets / report


def status(value: float | None, limit: float, *, strict_less: bool = False) -> str:
    if value is None:
        return "N/A"
    ok = value < limit if strict_less else value <= limit
    return "PASS" if ok else "FAIL"


def evaluate_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    targets: list[dict[str, Any]] = []

    def add(
        name: str,
        value: float | None,
        limit: float,
        unit: str,
        note: str = "",
        *,
        strict: bool = False,
    ) -> None:
        targets.append(
            {
                "target": name,
                "value": value,
                "limit": limit,
                "unit": unit,
                "status": status(value, limit, strict_less=strict),
                "note": note,
            }
        )

    for name, entry in results["inputs"].items():
        if "error" in entry:
            continue
        gen = entry["generate"]
        ours_ok = gen["ours"]["ok"]
        peer_ok = gen["peer"].get("ok", False)
        why = "" if ours_ok else f"clientgen failed: {first_line(gen['ours'].get('error'))}"
        if not why and not peer_ok:
            why = "no peer result"
        if name in ("chat", "github", "github31"):
            add(
                f"{name}: {TARGETS_TEXT['generate']}",
                (gen.get("ratio") or {}).get("wall"),
                1.0,
                "x",
                why,
            )
        if name in ("github", "github31"):
            rss = gen["ours"]["peak_rss_mb"]["median"] if ours_ok else None
            add(f"{name}: {TARGETS_TEXT['rss']}", rss, 1024.0, "MB", why if not ours_ok else "")
        check = entry.get("check")
        if check:
            for key, label in (
                ("spec_args", ""),
                ("project_config", " [clientgen generate --check, CI case]"),
            ):
                if key in check:
                    c = check[key]
                    note = (
                        ""
                        if c["all_current"]
                        else f"not current / failed: {first_line(c.get('error'))}"
                    )
                    add(
                        f"{name}: {TARGETS_TEXT['check']}{label}",
                        c["wall_s"]["median"],
                        0.5,
                        "s",
                        note,
                        strict=True,
                    )
        elif ours_ok is False:
            add(f"{name}: {TARGETS_TEXT['check']}", None, 0.5, "s", why)
        imp = entry.get("import") or {}
        for kind, label in (
            ("package+resource", ""),
            ("package+operation", " [+ one operation's models, like for like]"),
        ):
            value = (imp.get("ratio") or {}).get(kind)
            note = (
                "ours built with validation skipped (clientgen refuses the spec)"
                if entry.get("ours_source") == "forced"
                else ""
            )
            if value is None:
                note = "; ".join(x for x in (note, _import_gap(imp)) if x)
            add(f"{name}: {TARGETS_TEXT['import']}{label}", value, 0.5, "x", note)
    calls = results.get("per_call") or {}
    for mode in ("sync", "async"):
        value = (calls.get("ratio") or {}).get(f"ours/raw {mode}")
        add(
            f"chat: {TARGETS_TEXT['per_call']} ({mode})",
            value,
            1.25,
            "x",
            first_line(calls.get("error")),
        )
    return targets


def _import_gap(imp: dict[str, Any]) -> str:
    for tool in ("ours", "peer"):
        if tool not in imp:
            return f"no {tool} package"
        error = (imp[tool].get("package+resource") or {}).get("error")
        if error:
            return f"{tool} import failed: {first_line(error)}"
    return ""


def first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0][:200] if (text or "").strip() else ""


def fmt_stat(stat: dict[str, float] | None, scale: float = 1.0, digits: int = 2) -> str:
    if not stat:
        return "-"
    return f"{stat['median'] * scale:.{digits}f} [{stat['min'] * scale:.{digits}f}-{stat['max'] * scale:.{digits}f}]"


def fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def report(results: dict[str, Any]) -> str:
    rows: list[tuple[str, str, str, str, str]] = [
        ("input", "measure", "clientgen (median [min-max])", "peer / raw", "ratio")
    ]
    for name, entry in results["inputs"].items():
        if "error" in entry:
            rows.append((name, "(skipped)", first_line(entry["error"]), "", ""))
            continue
        gen = entry["generate"]
        ours, peer = gen["ours"], gen["peer"]
        if ours["ok"]:
            ours_wall, ours_rss = fmt_stat(ours["wall_s"]), fmt_stat(ours["peak_rss_mb"], digits=0)
        else:
            ours_wall = f"FAILED after {fmt_stat(ours['wall_s_all_runs'])}"
            ours_rss = f"FAILED, peak {fmt_stat(ours['peak_rss_mb_all_runs'], digits=0)}"
        peer_wall = (
            fmt_stat(peer.get("wall_s"))
            if peer.get("ok")
            else ("FAILED" if "runs" in peer else "n/a")
        )
        peer_rss = fmt_stat(peer.get("peak_rss_mb"), digits=0) if peer.get("ok") else peer_wall
        r = gen.get("ratio") or {}
        wall_ratio = fmt_ratio(r.get("wall"))
        if "ratio_until_failure" in gen:
            wall_ratio = f"({fmt_ratio(gen['ratio_until_failure']['wall'])} to fail)"
        rows.append((name, "generate wall s", ours_wall, peer_wall, wall_ratio))
        rows.append(
            (name, "generate peak RSS MB", ours_rss, peer_rss, fmt_ratio(r.get("peak_rss")))
        )
        if ours["ok"] and ours.get("tree_peak_rss_mb"):
            peer_tree = (
                fmt_stat(peer.get("tree_peak_rss_mb"), digits=0)
                if peer.get("ok") and peer.get("tree_peak_rss_mb")
                else "n/a"
            )
            rows.append(
                (
                    name,
                    "generate tree peak RSS MB",
                    fmt_stat(ours["tree_peak_rss_mb"], digits=0),
                    peer_tree,
                    fmt_ratio(r.get("tree_peak_rss")),
                )
            )
        if not ours["ok"]:
            rows.append((name, "  clientgen error", first_line(ours.get("error")), "", ""))
        for key, label in (
            ("spec_args", "generate --check s"),
            ("project_config", "generate --check (CI) s"),
        ):
            c = (entry.get("check") or {}).get(key)
            if c:
                suffix = "" if c["all_current"] else " (NOT current)"
                rows.append((name, label, fmt_stat(c["wall_s"]) + suffix, "(no equivalent)", ""))
        imp = entry.get("import") or {}
        forced = " (forced)" if entry.get("ours_source") == "forced" else ""
        for kind in ("package", "package+resource", "package+operation", "models"):
            o = (imp.get("ours") or {}).get(kind) or {}
            p = (imp.get("peer") or {}).get(kind) or {}
            if not o and not p:
                continue
            o_text = (
                fmt_stat(o.get("seconds"), 1000, 1) if "seconds" in o else ("error" if o else "-")
            )
            p_text = (
                fmt_stat(p.get("seconds"), 1000, 1) if "seconds" in p else ("error" if p else "-")
            )
            rows.append(
                (
                    name,
                    f"import {kind} ms{forced}",
                    o_text,
                    p_text,
                    fmt_ratio((imp.get("ratio") or {}).get(kind)),
                )
            )
    calls = results.get("per_call") or {}
    if "error" in calls:
        rows.append(("chat", "per call", "ERROR: " + first_line(calls["error"]), "", ""))
    elif calls:
        us = calls["us_per_call"]
        for mode in ("sync", "async"):
            rows.append(
                (
                    "chat",
                    f"per call us ({mode})",
                    fmt_stat(us.get(f"ours_{mode}"), digits=0),
                    "raw " + fmt_stat(us.get(f"raw_{mode}"), digits=0),
                    fmt_ratio(calls["ratio"].get(f"ours/raw {mode}")),
                )
            )
            if f"peer_{mode}" in us:
                rows.append(
                    (
                        "chat",
                        f"  peer per call us ({mode})",
                        fmt_stat(us.get(f"peer_{mode}"), digits=0),
                        "raw " + fmt_stat(us.get(f"raw_{mode}"), digits=0),
                        fmt_ratio(calls["ratio"].get(f"peer/raw {mode}")),
                    )
                )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    widths = [min(w, 70) for w in widths]
    lines = [
        "  ".join(cell[:70].ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    lines.append("targets:")
    for t in results["targets"]:
        value = (
            "-"
            if t["value"] is None
            else f"{t['value']:.2f}{t['unit'] if t['unit'] != 'x' else 'x'}"
        )
        note = f"  ({t['note']})" if t["note"] else ""
        lines.append(f"  {t['status']:<4}  {t['target']:<62} {value:>10}{note}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--inputs",
        default=",".join(DEFAULT_INPUTS),
        help=f"comma-separated, of {', '.join(ALL_INPUTS)}",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        help="generate / --check runs per tool and input (default 3; --quick 1)",
    )
    parser.add_argument(
        "--import-rounds",
        type=int,
        help="fresh-interpreter imports per target (default 7; --quick 1)",
    )
    parser.add_argument(
        "--calls", type=int, help="per-call: calls per variant and round (default 2000; --quick 50)"
    )
    parser.add_argument("--call-rounds", type=int, help="per-call: rounds (default 5; --quick 1)")
    parser.add_argument(
        "--quick", action="store_true", help="smallest run that still exercises every part"
    )
    parser.add_argument("--no-peer", action="store_true", help="do not run openapi-python-client")
    parser.add_argument("--no-per-call", action="store_true", help="skip the per-call benchmark")
    parser.add_argument(
        "--no-forced",
        action="store_true",
        help="when clientgen refuses a spec, do not build its package anyway for the import benchmark",
    )
    parser.add_argument(
        "--repeat-failures",
        action="store_true",
        help="repeat a generate run that failed in round 1 in later rounds too",
    )
    parser.add_argument(
        "--timeout", type=float, default=1800.0, help="seconds before one process is killed"
    )
    parser.add_argument(
        "--json", type=Path, help="write the results here (default results/<timestamp>.json)"
    )
    parser.add_argument(
        "--keep-work", action="store_true", help="keep the generated packages (path is printed)"
    )
    args = parser.parse_args(argv)
    defaults = {
        "rounds": (3, 1),
        "import_rounds": (7, 1),
        "calls": (2000, 50),
        "call_rounds": (5, 1),
    }
    for key, (normal, quick) in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, quick if args.quick else normal)
    args.input_names = [n.strip() for n in args.inputs.split(",") if n.strip()]
    unknown = [n for n in args.input_names if n not in INPUTS]
    if unknown:
        parser.error(f"unknown input(s) {', '.join(unknown)}; choose from {', '.join(ALL_INPUTS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = _dt.datetime.now(_dt.UTC)
    bench = Bench(args)
    results: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "timestamp": started.isoformat(timespec="seconds"),
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_at_start": list(os.getloadavg()),
        },
        "versions": versions(),
        "git": git_state(),
        "config": {
            "inputs": args.input_names,
            "rounds": args.rounds,
            "import_rounds": args.import_rounds,
            "calls": args.calls,
            "call_rounds": args.call_rounds,
            "quick": args.quick,
            "peer": bench.peer is not None,
        },
        "inputs": {},
        "per_call": None,
        "targets": [],
    }
    log(
        f"clientgen bench: inputs {', '.join(args.input_names)}; {args.rounds} round(s); work dir {bench.work}"
    )
    if bench.peer is None:
        log("  openapi-python-client not found (or --no-peer): measuring clientgen only")
    peer_chat: Path | None = None
    try:
        for name in args.input_names:
            item = INPUTS[name]
            log(f"== {name}")
            spec, error, facts = spec_path(name)
            if spec is None:
                results["inputs"][name] = {"error": error, **facts}
                log(f"  skipped: {error}")
                continue
            entry: dict[str, Any] = {"spec": {**spec_facts(spec), **facts}}
            results["inputs"][name] = entry
            entry["generate"], ours_out, peer_out = bench.generate(item, spec)
            if ours_out is not None:
                entry["check"] = bench.check(item, spec, ours_out)
                entry["ours_source"] = "clientgen generate"
            elif not args.no_forced:
                ours_out, entry["forced_build"] = bench.forced_ours(item, spec)
                entry["ours_source"] = "forced" if ours_out else None
            entry["import"] = bench.imports(item, ours_out, peer_out)
            if name == "chat":
                peer_chat = peer_out
        if not args.no_per_call:
            log("== per call (chat)")
            results["per_call"] = bench.per_call(peer_chat)
    finally:
        try:
            results["targets"] = evaluate_targets(results)
        except Exception as exc:  # a partial result (interrupted run) still gets written
            results["targets_error"] = f"{type(exc).__name__}: {exc}"
        results["duration_s"] = (_dt.datetime.now(_dt.UTC) - started).total_seconds()
        results["machine"]["load_average_at_end"] = list(os.getloadavg())
        out = args.json or RESULTS / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
        if args.keep_work:
            log(f"generated packages kept in {bench.work}")
        else:
            shutil.rmtree(bench.work, ignore_errors=True)
    print()
    print(report(results))
    print(f"\nresults: {out}  ({results['duration_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
