"""The ``clientgen`` command line: ``validate``, ``generate [--check]``, ``diff``, ``release``
and ``accept``.

Only this module decides what is printed and which exit status a run has:

* 0: the spec is valid / the client was generated / ``generated/`` is current;
* 1: the spec is invalid, ``--check`` found ``generated/`` stale, or (``diff``, ``generate
  --check``) ``info.version`` is lower than the changes since the last release require;
* 2: the command was used wrongly (unknown option, missing config, ...).

Diagnostics go to standard error, one line each; a unified diff (``--check``)
goes to standard output. Colour and per-stage timings appear only on a terminal.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from generator import __version__
from generator.config import (
    ClientConfig,
    ConfigError,
    check_package_name,
    find_pyproject,
    load_config,
)
from generator.diagnostics import Diagnostics, GenerationAborted, Level, parse_severity
from generator.rules import check_rule_id, relaxations
from generator.runner import Runner, default_runner

if TYPE_CHECKING:
    from generator.cache import OutputCache
    from generator.pipeline import Outcome
    from generator.release import Report

__all__ = ["main"]

_COLOURS = {Level.ERROR: "red", Level.WARNING: "yellow", Level.INFO: "blue"}


def _print_diagnostics(diagnostics: Diagnostics) -> None:
    for item in diagnostics.sorted():
        click.secho(item.format(), fg=_COLOURS[item.level], err=True)


def _usage_error(message: str) -> NoReturn:
    click.secho(f"clientgen: {message}", fg="red", err=True)
    sys.exit(2)


def _configs(config_path: Path | None) -> tuple[ClientConfig, ...]:
    pyproject = config_path or find_pyproject(Path.cwd())
    if pyproject is None:
        _usage_error("no pyproject.toml here or above; name a SPEC, or pass --config")
    try:
        return load_config(pyproject)
    except ConfigError as exc:
        _usage_error(str(exc))


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _interactive() -> bool:
    return sys.stderr.isatty()


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="clientgen")
def cli() -> None:
    """Generate typed Python API clients from OpenAPI 3.0 / 3.1 specs.

    The project's clients are listed in pyproject.toml under [tool.clientgen];
    every command works on those unless you name a spec.
    """


_config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="pyproject.toml with [tool.clientgen] (default: the nearest one).",
)
_strict_option = click.option("--strict", is_flag=True, help="Fail on warnings too.")
_quiet_option = click.option("-q", "--quiet", is_flag=True, help="Print only problems (for CI).")
_severity_option = click.option(
    "--severity",
    "severity",
    multiple=True,
    metavar="RULE=LEVEL",
    help="Re-level a rule: error, warning, info or off (repeatable; overrides the config).",
)


def _severity(values: Sequence[str]) -> tuple[tuple[str, Level | None], ...]:
    try:
        levels = tuple(parse_severity(v) for v in values)
        for rule, _ in levels:
            check_rule_id(rule)
        return levels
    except ValueError as exc:
        _usage_error(f"--severity: {exc}")


@cli.command()
@click.argument("specs", nargs=-1, type=click.Path(path_type=Path))
@_strict_option
@_severity_option
@_quiet_option
@_config_option
def validate(
    specs: Sequence[Path],
    strict: bool,
    severity: Sequence[str],
    quiet: bool,
    config_path: Path | None,
) -> None:
    """Check SPECS (default: every spec in the project config).

    Runs openapi-spec-validator and clientgen's lint rules and prints every problem
    as FILE:LINE:COLUMN: LEVEL [RULE] MESSAGE (at JSON-POINTER). Exit status 0 when
    all specs are valid, 1 when any is not.
    """
    from generator.pipeline import check_spec

    overrides = _severity(severity)
    targets: list[tuple[Path, tuple[tuple[str, Level | None], ...]]]
    targets = [(p, ()) for p in specs]
    targets = targets or [(c.spec, c.severity) for c in _configs(config_path)]
    failed = False
    for path, configured in targets:
        diagnostics = Diagnostics(severity=dict((*configured, *overrides)))
        check_spec(path, diagnostics)
        _print_diagnostics(diagnostics)
        bad = diagnostics.has_errors(strict=strict)
        failed |= bad
        if not quiet:
            verdict = click.style("invalid", fg="red") if bad else click.style("valid", fg="green")
            click.echo(
                f"{_shown(path)}: {verdict} ({diagnostics.error_count} error(s), "
                f"{diagnostics.warning_count} warning(s))",
                err=True,
            )
    sys.exit(1 if failed else 0)


@cli.command()
@click.argument("spec", required=False, type=click.Path(path_type=Path))
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder (with SPEC)."
)
@click.option("--package", help="Import name of the generated package (with SPEC).")
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 with a diff if the output is stale."
)
@_strict_option
@_severity_option
@click.option(
    "--no-cache",
    is_flag=True,
    help="Regenerate everything even if the spec and generator are unchanged "
    "(also CLIENTGEN_NO_CACHE=1).",
)
@_quiet_option
@_config_option
def generate(
    spec: Path | None,
    out: Path | None,
    package: str | None,
    check: bool,
    strict: bool,
    severity: Sequence[str],
    no_cache: bool,
    quiet: bool,
    config_path: Path | None,
) -> None:
    """Generate client packages (default: every client in the project config).

    With SPEC, generate that one spec into --out as package --package. With
    --check, compare instead of writing: exit 1 and print a unified diff when the
    folder differs from what would be generated (a stale spec, generator or
    template change, or a hand edit).
    """
    # first: a forking runner starts importing the models library in a worker at once
    runner = default_runner()
    try:
        configs = _clients(spec, out, package, _severity(severity), config_path)
        _generate_all(runner, configs, check=check, strict=strict, no_cache=no_cache, quiet=quiet)
    finally:
        runner.close()  # a worker no run needed (a cache hit, a usage error) is ended


def _clients(
    spec: Path | None,
    out: Path | None,
    package: str | None,
    overrides: tuple[tuple[str, Level | None], ...],
    config_path: Path | None,
) -> tuple[ClientConfig, ...]:
    """The clients to generate: the one ad hoc SPEC, or the project config's."""
    if spec is None:
        if out is not None or package is not None:
            _usage_error("--out and --package go with a SPEC")
        return tuple(replace(c, severity=(*c.severity, *overrides)) for c in _configs(config_path))
    if out is None or package is None:
        _usage_error("with a SPEC, give --out DIR and --package NAME too")
    try:
        return (ClientConfig(spec, check_package_name(package), out, overrides),)
    except ConfigError as exc:
        _usage_error(str(exc))


def _generate_all(
    runner: Runner,
    configs: tuple[ClientConfig, ...],
    *,
    check: bool,
    strict: bool,
    no_cache: bool,
    quiet: bool,
) -> NoReturn:
    # imported once the worker (if any) is forked: it does not need the pipeline's modules
    from generator.pipeline import generate_client

    show_stages = _interactive() and not quiet
    cache = None
    if not no_cache:
        from generator.cache import default_cache  # not even imported without a cache

        cache = default_cache()

    def report(stage: str, seconds: float) -> None:
        if show_stages:
            click.echo(f"  {stage:<9} {seconds * 1000:8.0f} ms", err=True)

    failed = False
    for config in configs:
        if show_stages:
            click.echo(f"{config.package} <- {_shown(config.spec)}", err=True)
        try:
            outcome = generate_client(
                config, check=check, strict=strict, reporter=report, cache=cache, runner=runner
            )
        except GenerationAborted as aborted:
            _print_diagnostics(aborted.diagnostics)
            click.secho(
                f"{_shown(config.spec)}: nothing was written to {_shown(config.out)}",
                fg="red",
                err=True,
            )
            _explain_refusal(aborted.diagnostics)
            failed = True
            continue
        _print_diagnostics(outcome.diagnostics)
        if show_stages and outcome.reused:
            click.echo(f"  reused    {_reuse(outcome.reused)}", err=True)
        failed |= _summarise(outcome, check=check, quiet=quiet)
    sys.exit(1 if failed else 0)


def _reuse(reused: dict[str, tuple[int, int]]) -> str:
    """What a run took from the cache's remembered units: "5 of 6 model parts, ..."."""
    labels = {"models": "model parts", "format": "formatted files"}
    return ", ".join(
        f"{taken} of {total} {labels.get(kind, kind)}" for kind, (taken, total) in reused.items()
    )


def _explain_refusal(diagnostics: Diagnostics) -> None:
    """Which rules refused the run and, when they all may be relaxed, how to accept them."""
    blocking, options = relaxations(diagnostics)
    if not blocking:
        return
    counts = ", ".join(f"{rule} ({count})" for rule, count in blocking.items())
    click.secho(f"  refused by: {counts}", err=True)
    if options:
        click.secho(
            "  these are the spec's to fix; to generate from it as it is (a third-party spec),\n"
            f"  accept them as warnings: {' '.join(options)}",
            err=True,
        )


def _summarise(outcome: Outcome, *, check: bool, quiet: bool) -> bool:
    change = outcome.change
    assert change is not None
    if check and not change.is_current:
        click.echo(change.diff, nl=False)
        click.secho(
            f"{_shown(outcome.config.out)} is stale: {len(change.added)} file(s) to add, "
            f"{len(change.changed)} to change, {len(change.removed)} to remove; "
            "run 'clientgen generate'",
            fg="red",
            err=True,
        )
        return True
    if not quiet:
        verb = "is current" if check or change.is_current else "written"
        click.echo(
            f"{outcome.config.package}: {outcome.operations} operation(s), {outcome.models} model(s); "
            f"{_shown(outcome.config.out)} {verb} ({len(change.added)} added, {len(change.changed)} changed, "
            f"{len(change.removed)} removed, {change.unchanged} unchanged)",
            err=True,
        )
    return False


# --------------------------------------------------------------------------- releases


def _release_targets(
    spec: Path | None, package: str | None, config_path: Path | None
) -> tuple[ClientConfig, ...]:
    """The clients ``diff``/``release``/``accept`` work on: the config's, or the one for SPEC."""
    if spec is None:
        return _configs(config_path)
    configs: tuple[ClientConfig, ...] = ()
    pyproject = config_path or find_pyproject(Path.cwd())
    if pyproject is not None:
        try:
            configs = load_config(pyproject)
        except ConfigError:
            configs = ()
    for config in configs:
        if config.spec.resolve() == spec.resolve() and package in (None, config.package):
            return (replace(config, spec=spec),)
    try:
        name = check_package_name(package or "client")
    except ConfigError as exc:
        _usage_error(str(exc))
    return (ClientConfig(spec, name, Path(".")),)


def _base_spec(base: str, spec: Path) -> Path:
    """``--base``: a file as it is, or the spec's text at a git ref in a temporary file."""
    import subprocess
    import tempfile

    if Path(base).is_file():
        return Path(base)
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=spec.resolve().parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        relative = spec.resolve().relative_to(Path(top).resolve()).as_posix()
        text = subprocess.run(
            ["git", "show", f"{base}:{relative}"], cwd=top, capture_output=True, check=True
        ).stdout
    except (OSError, ValueError, subprocess.CalledProcessError):
        _usage_error(f"--base {base!r} is neither a file nor a git ref holding {_shown(spec)}")
    folder = Path(tempfile.mkdtemp(prefix="clientgen-base-"))
    target = folder / spec.name
    target.write_bytes(text)
    return target


@cli.command()
@click.argument("spec", required=False, type=click.Path(path_type=Path))
@click.option(
    "--base",
    metavar="REF_OR_FILE",
    help="Compare with this spec file or git ref (default: the last release's spec).",
)
@click.option("--package", help="Import name of the client (with SPEC outside the config).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
)
@click.option(
    "--no-typecheck",
    is_flag=True,
    help="Skip mypy --strict on the released README examples (the slowest check).",
)
@_quiet_option
@_config_option
def diff(
    spec: Path | None,
    base: str | None,
    package: str | None,
    output_format: str,
    no_typecheck: bool,
    quiet: bool,
    config_path: Path | None,
) -> None:
    """List what changed since the last release, in the generated Python API's terms.

    Compares SPEC (default: every spec in the project config) with the spec of the last
    release recorded by `clientgen release` (or --base FILE / --base GIT_REF), and the
    generated package with the released one (griffe; the released README examples are
    type-checked with mypy --strict against it). Prints one line per change,
    FILE:LINE:COLUMN: LEVEL [RULE] MESSAGE, and the version the next release needs.
    Exit status 0, or 1 when info.version is lower than that version.
    """
    from generator import release as releases

    failed = False
    reports: list[releases.Report] = []
    for config in _release_targets(spec, package, config_path):
        report = _assess(config, base, typecheck=not no_typecheck)
        if report is None:
            failed = True
            continue
        failed |= not report.verdict.ok
        reports.append(report)
        if output_format == "text":
            for line in report.lines(quiet=quiet):
                click.echo(line)
    if output_format == "json":
        click.echo(releases.reports_json(reports), nl=False)
    elif output_format == "markdown":
        click.echo(releases.reports_markdown(reports), nl=False)
    sys.exit(1 if failed else 0)


def _cache() -> OutputCache | None:
    from generator.cache import default_cache

    return default_cache()


def _assess(config: ClientConfig, base: str | None, *, typecheck: bool) -> Report | None:
    """The changes of one client since its release (or ``base``); ``None`` after printing why not.

    Against the release, the new package is generated afresh into a temporary folder (the
    committed one may be stale) and compared with the released one.
    """
    import tempfile

    from generator import release as releases
    from generator.diff import diff_specs
    from generator.load import load_spec
    from generator.pipeline import generate_client
    from generator.render import package_version

    diagnostics = Diagnostics()
    loaded = load_spec(config.spec, diagnostics)
    if loaded is None or diagnostics.has_errors():
        _print_diagnostics(diagnostics)
        return None
    current = package_version(str(loaded.document.get("info", {}).get("version", "")))
    try:
        record = releases.read_record(config.release)
        if base is None and record is None:
            where = _shown(config.release) if config.release else "no release folder"
            _usage_error(
                f"no release of {config.package} is recorded ({where}); run `clientgen release` "
                "after publishing, or give --base FILE_OR_REF"
            )
        names = releases.names_of(loaded, config.package)
        if base is not None:
            base_spec = releases.load_base(_base_spec(base, config.spec))
            changes = diff_specs(
                base_spec, releases.names_of(base_spec, config.package), loaded, names
            )
            released = package_version(str(base_spec.document.get("info", {}).get("version", "")))
            record = releases.Record(Path(base), config.package, released)
        else:
            assert record is not None
            with tempfile.TemporaryDirectory(prefix="clientgen-diff-") as folder:
                out = Path(folder) / config.package
                try:  # the package the spec and the generator make now (generated/ may be stale)
                    generate_client(replace(config, out=out, release=None), cache=_cache())
                except GenerationAborted as aborted:
                    _print_diagnostics(aborted.diagnostics)
                    return None
                changes = releases.assess(
                    record,
                    loaded,
                    names,
                    config.package,
                    out / "src",
                    typecheck=typecheck,
                    shown_as=config.out / "src",
                )
    except releases.RecordError as exc:
        click.secho(f"clientgen: {exc}", fg="red", err=True)
        return None
    return releases.Report(
        config.package, _shown(config.spec), changes, releases.verdict(record, current, changes)
    )


@cli.command()
@_config_option
def release(config_path: Path | None) -> None:
    """Record the current spec and package as the last release (after publishing it).

    Refuses unless `clientgen generate --check` passes (generated/ is current and
    info.version is right for the changes). Writes the release folder of each client
    (default release/<package>/: the spec, the package's sources, its README examples
    and its CHANGELOG.md); commit it.
    """
    from generator import release as releases
    from generator.load import load_spec
    from generator.pipeline import generate_client
    from generator.render import package_version

    failed = False
    for config in _configs(config_path):
        assert config.release is not None
        try:
            outcome = generate_client(config, check=True)
        except GenerationAborted as aborted:
            _print_diagnostics(aborted.diagnostics)
            click.secho(f"{config.package}: not recorded (see above)", fg="red", err=True)
            failed = True
            continue
        _print_diagnostics(outcome.diagnostics)
        if outcome.change is None or not outcome.change.is_current:
            click.secho(
                f"{config.package}: {_shown(config.out)} is stale; run 'clientgen generate', "
                "commit it, then release",
                fg="red",
                err=True,
            )
            failed = True
            continue
        loaded = load_spec(config.spec, Diagnostics())
        assert loaded is not None  # generate --check just read it
        version = package_version(str(loaded.document.get("info", {}).get("version", "")))
        readme = config.out / "README.md"
        examples = releases.working_examples(
            readme.read_text(encoding="utf-8") if readme.is_file() else "",
            config.package,
            config.out / "src",
        )
        files = releases.record_files(
            package=config.package, version=version, spec=loaded, out=config.out, examples=examples
        )
        releases.write_folder(config.release, files)
        click.echo(
            f"{config.package} {version}: recorded in {_shown(config.release)} "
            f"({len(examples)} README example(s) kept); commit it",
            err=True,
        )
    sys.exit(1 if failed else 0)


@cli.command()
@click.argument("reason")
@_config_option
def accept(reason: str, config_path: Path | None) -> None:
    """Release the current info.version although the changes ask for a higher one.

    REASON (why, for the users) goes into the changelog section of that version. The
    decision is kept in the release folder (accepted.json) until the next `clientgen
    release`; run `clientgen generate` afterwards and commit both.
    """
    from generator import release as releases
    from generator.load import load_spec
    from generator.render import package_version

    if not reason.strip():
        _usage_error("give the reason, in words the users of the package will read")
    for config in _configs(config_path):
        record = releases.read_record(config.release)
        if record is None or config.release is None:
            _usage_error(f"no release of {config.package} is recorded yet: nothing to accept")
        loaded = load_spec(config.spec, Diagnostics())
        if loaded is None:
            _usage_error(f"{_shown(config.spec)} cannot be read; run clientgen validate")
        version = package_version(str(loaded.document.get("info", {}).get("version", "")))
        (config.release / releases.ACCEPTED).write_text(
            releases.accepted_text(version, " ".join(reason.split())), encoding="utf-8"
        )
        click.echo(
            f"{config.package} {version}: accepted ({_shown(config.release / releases.ACCEPTED)}); "
            "run 'clientgen generate' and commit both",
            err=True,
        )
    sys.exit(0)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``clientgen`` console script (and ``python -m generator``).

    Run as a program (no ``argv``), the process ends with :func:`os._exit` once its
    output is flushed: Python's orderly shutdown would free every object of the run one
    by one, a quarter of a second after even a small generation and more after a big
    one, and there is nothing left to tear down (workers are joined, files written and
    closed). Called with ``argv``, it raises :class:`SystemExit` like any click command.
    """
    try:
        _main(argv)
    except SystemExit as done:
        if argv is not None:
            raise
        _end_process(done.code)


def _end_process(code: object) -> NoReturn:
    """Exit now with ``code`` as :class:`SystemExit` would, after flushing the output."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            status = status or 1
    os._exit(status)


def _main(argv: Sequence[str] | None) -> None:
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="clientgen")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # never show a traceback to a user; keep it for debugging
        if os.environ.get("CLIENTGEN_DEBUG"):
            traceback.print_exc()
        click.secho(
            f"clientgen: internal error: {type(exc).__name__}: {exc} "
            "(set CLIENTGEN_DEBUG=1 for the traceback and report it)",
            fg="red",
            err=True,
        )
        sys.exit(1)
