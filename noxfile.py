"""Every development task, each in its own virtual environment.

``nox`` runs the default sessions, which are exactly what CI needs (lint, typecheck,
check, tests); ``nox -s generate`` regenerates ``generated/``; ``nox -s bench`` runs
the benchmarks. Arguments after ``--`` are passed on (``nox -s tests -- -k retry``).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import tomllib
from pathlib import Path

import nox
from nox.command import CommandFailed

ROOT = Path(__file__).parent
GENERATED = [str(p) for p in sorted((ROOT / "generated").glob("*/pyproject.toml"))]
NPM_DIR = ROOT / "tests" / "npm"

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "typecheck", "check", "tests"]
nox.options.reuse_existing_virtualenvs = True
nox.needs_version = ">=2024.10"


def _install_project(session: nox.Session, *, dev: bool = True) -> None:
    session.install("-e", ".[dev]" if dev else ".")


def _install_generated(session: nox.Session) -> None:
    for pyproject in GENERATED:
        session.install("-e", str(Path(pyproject).parent))


def _npm_install(session: nox.Session) -> None:
    """The Prism mock server and the spec corpus, from the lock file."""
    if shutil.which("npm") is None:
        session.error("npm is needed for the mock-server and corpus tests")
    command = "ci" if (NPM_DIR / "package-lock.json").exists() else "install"
    session.run(
        "npm",
        command,
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        f"--prefix={NPM_DIR}",
        external=True,
    )


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """The whole test suite: generator, runtime and the generated client (incl. slow tests)."""
    _install_project(session)
    _install_generated(session)
    _npm_install(session)
    session.run("pytest", *session.posargs, env={"CLIENTGEN_NPM_DIR": str(NPM_DIR)})


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check on the generator, the tests and the generated packages."""
    _install_project(session, dev=False)
    session.run("ruff", "check", "generator", "tests", "noxfile.py", *session.posargs)
    session.run("ruff", "format", "--check", "generator", "tests", "noxfile.py")
    for pyproject in GENERATED:
        folder = str(Path(pyproject).parent)
        session.run("ruff", "check", folder)
        session.run("ruff", "format", "--check", folder)


@nox.session(python="3.11")
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the generator (runtime included) and on every generated package."""
    _install_project(session)
    session.install("mypy>=1.13", "types-PyYAML")
    _install_generated(session)
    session.run("mypy", "--strict", "generator", *session.posargs)
    for pyproject in GENERATED:
        src = Path(pyproject).parent / "src"
        for package in sorted(p for p in src.iterdir() if (p / "__init__.py").is_file()):
            session.run(
                "mypy",
                "--strict",
                "--config-file",
                str(src.parent / "pyproject.toml"),  # not ours, which excludes generated/
                str(package),
                env={"MYPYPATH": str(src)},
            )


@nox.session(python="3.11")
def generate(session: nox.Session) -> None:
    """Regenerate every client listed in [tool.clientgen] of pyproject.toml."""
    _install_project(session, dev=False)
    session.run("clientgen", "generate", *session.posargs)


@nox.session(python="3.11")
def check(session: nox.Session) -> None:
    """Fail (with a diff) when generated/ is not what the spec, generator and templates produce."""
    _install_project(session, dev=False)
    session.run("clientgen", "generate", "--check", *session.posargs)


def _stale_files(diff: str) -> list[str]:
    """The files a ``clientgen generate --check`` diff adds, changes or removes."""
    return sorted({line[6:] for line in diff.splitlines() if line.startswith(("--- a/", "+++ b/"))})


def _require_current(session: nox.Session, action: str) -> None:
    """Stop ``action`` (build, publish) unless generated/ is what the spec makes.

    Runs ``clientgen generate --check`` (as the check session does; it writes nothing and exits
    1 with a diff when generated/ is stale) and refuses, naming the stale files, when it fails:
    a package built from a stale generated/ would not be the spec's client.
    """
    _install_project(session, dev=False)
    with tempfile.TemporaryFile("w+", encoding="utf-8") as captured:
        try:
            session.run("clientgen", "generate", "--check", stdout=captured)
            failed = False
        except CommandFailed:
            failed = True
        captured.seek(0)
        output = captured.read()
    sys.stderr.write(output)
    if not failed:
        return
    stale = _stale_files(output)
    if "[version-too-low]" in output:
        session.error(
            f"refusing to {action}: info.version is lower than the changes since the last release "
            "require (the version-too-low line above names the worst change and the version "
            "needed). Set info.version in the spec to that version, run `nox -s generate`, commit, "
            f'then `nox -s {action}` again; or record a deliberate exception with `clientgen accept "REASON"`.'
        )
    if not stale:
        session.error(
            f"refusing to {action}: `clientgen generate --check` failed (see its output above), "
            "so generated/ cannot be shown to match the spec. Fix what it reports, run "
            f"`nox -s generate`, commit generated/, then `nox -s {action}` again."
        )
    shown = "\n".join(f"    {name}" for name in stale[:20])
    more = f"\n    ... and {len(stale) - 20} more" if len(stale) > 20 else ""
    session.error(
        f"refusing to {action}: generated/ is stale, it is not what the spec, the generator and "
        f"the templates make; {len(stale)} file(s) under generated/ differ (diff above):\n"
        f"{shown}{more}\n"
        f"Run `nox -s generate`, review and commit generated/, then `nox -s {action}` again."
    )


def _require_right_version(session: nox.Session) -> None:
    """Refuse to publish when ``clientgen diff`` says info.version is too low.

    ``diff`` compares with the recorded last release: the spec, the package's public API
    (griffe) and the released README examples (``mypy --strict`` against the new package).
    Without a recorded release (the first one) there is nothing to compare with.
    """
    _install_project(session, dev=False)
    if not any((ROOT / "release").glob("*/release.json")):
        session.log("no release recorded yet: this is the first one")
        return
    try:
        session.run("clientgen", "diff", "-q")
    except CommandFailed:
        session.error(
            "refusing to publish: info.version is lower than the changes since the last release "
            "require (see `clientgen diff` above: the worst change and the version needed). Set "
            "info.version in the spec, run `nox -s generate`, commit, then publish again; or "
            'record a deliberate exception with `clientgen accept "REASON"`.'
        )


def _dist_dir() -> Path:
    """Where build and publish put the distributions: ``dist/``, or ``$CLIENTGEN_DIST_DIR``."""
    return Path(os.environ.get("CLIENTGEN_DIST_DIR") or ROOT / "dist").resolve()


@nox.session(python="3.11")
def build(session: nox.Session) -> None:
    """Build sdist and wheel of each generated package into dist/ and check them with twine.

    ``dist/<package>/`` is emptied first. Set CLIENTGEN_DIST_DIR to build somewhere else than
    ``dist/`` (the publishing test does, so that it leaves the work tree alone).

    The build backend is installed into build's isolated environments with uv (``build[uv]``,
    ``--installer=uv``): the same packages as with pip, in a fraction of the time.

    Nothing is built when generated/ is stale (``clientgen generate --check`` fails): the session
    names the stale files and says to run ``nox -s generate`` first.
    """
    _require_current(session, session.name)
    session.install("build[uv]>=1.2", "twine>=6.1")  # 6.1: reads Metadata 2.4+
    for pyproject in GENERATED:
        folder = Path(pyproject).parent
        out = _dist_dir() / folder.name
        shutil.rmtree(out, ignore_errors=True)
        session.run("python", "-m", "build", "--installer=uv", "--outdir", str(out), str(folder))
        session.run("twine", "check", "--strict", *[str(p) for p in sorted(out.iterdir())])


def _project_name_version(folder: Path) -> tuple[str, str]:
    """``(name, version)`` from the ``[project]`` table of a generated package."""
    with (folder / "pyproject.toml").open("rb") as fh:
        project = tomllib.load(fh)["project"]
    return str(project["name"]), str(project["version"])


@nox.session(python="3.11")
def publish(session: nox.Session) -> None:
    """Build the generated packages and upload them with twine.

    The index is given by the environment: TWINE_REPOSITORY_URL (the upload URL, e.g.
    ``https://upload.pypi.org/legacy/`` or a pypiserver's ``http://host:port/``),
    TWINE_USERNAME and TWINE_PASSWORD (twine's own variables). Extra arguments after ``--``
    go to ``twine upload``. The files are built as by ``nox -s build`` (CLIENTGEN_DIST_DIR too).

    Uploading a version that is already on the index fails instead of overwriting it: twine
    runs without ``--skip-existing`` and with ``--verbose`` (so the index's own reason, such as
    "already exists", is printed), and the session then fails naming the package and version.
    To publish a new release, bump ``info.version`` in the spec and regenerate.

    A stale generated/ is refused before anything is built or uploaded (see ``build``).
    """
    if not os.environ.get("TWINE_REPOSITORY_URL"):
        session.error("set TWINE_REPOSITORY_URL (and TWINE_USERNAME / TWINE_PASSWORD) to the index")
    _require_right_version(session)
    build(session)
    for pyproject in GENERATED:
        folder = Path(pyproject).parent
        name, version = _project_name_version(folder)
        files = [str(p) for p in sorted((_dist_dir() / folder.name).iterdir())]
        try:
            session.run(
                "twine", "upload", "--non-interactive", "--verbose", *files, *session.posargs
            )
        except CommandFailed:
            session.error(
                f"uploading {name} {version} to {os.environ['TWINE_REPOSITORY_URL']} failed (see "
                "twine's output above). If the index says the file already exists, version "
                f"{version} is published already and is never overwritten: bump info.version "
                "in the spec and regenerate. Otherwise check the URL and credentials."
            )
    # what was published becomes the base of the next `clientgen diff`: commit release/
    session.run("clientgen", "release")
    session.log("recorded the release in release/: commit it (git add release && git commit)")


@nox.session(python="3.11", default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks against openapi-python-client (not run by default): prints ratios, writes JSON.

    Runs tests/benchmarks/run.py (see its --help: --inputs, --rounds, --quick, ...), which
    installs its npm inputs (tests/benchmarks/npm) itself and writes
    tests/benchmarks/results/<timestamp>.json. python-dateutil is a runtime dependency of
    the packages openapi-python-client generates (imported by the import benchmark). The
    peer is pinned to the version the targets are stated against.
    """
    _install_project(session, dev=False)
    _install_generated(session)
    session.install("openapi-python-client==0.29.1", "python-dateutil")
    session.run("python", "tests/benchmarks/run.py", *session.posargs)
