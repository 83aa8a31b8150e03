"""The recipe of a run, in the order its steps take effect.

:func:`generate_client` is the whole run: it refuses an output folder clientgen may not
replace, takes the files from the output cache when the spec and the generator are
unchanged, and otherwise follows the recipe (:func:`build_package`)::

    load -> validate -> model -> models -> name + render -> format + stage -> (validate's verdict) -> write

("model" builds the :mod:`generator.ir` records with :func:`generator.operations.build_api`;
"name" is :func:`generator.names.name_package`, the one naming pass.)

Each step reports problems into one :class:`~generator.diagnostics.Diagnostics`. The run
stops as soon as the findings so far forbid going on (errors, or with ``strict`` warnings
too), and in any case before anything is written: the output folder is replaced whole,
atomically, or not at all.

*Where and when* validation and model generation run (here, or in forked workers while
this process goes on) is the runner's business (:mod:`generator.runner`); the recipe reads
the same either way and the output is byte-identical.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.config import ClientConfig, find_pyproject
from generator.diagnostics import Diagnostic, Diagnostics, GenerationAborted, Level
from generator.rules import CONSEQUENTIAL
from generator.runner import Pending, Runner, SerialRunner
from generator.write import (
    FormatError,
    Formatting,
    Staged,
    TreeChange,
    UnsafeTarget,
    compare_files,
    discard,
    format_and_stage,
    publish,
    refusal,
    stage,
)

if TYPE_CHECKING:
    from generator.cache import CacheEntry, OutputCache
    from generator.ir import Api
    from generator.load import LoadedSpec
    from generator.models import ModelsModule

# The stages (and the libraries they wrap: Jinja, PyYAML, datamodel-code-generator,
# openapi-spec-validator) are imported where they run, so that a cache hit, the
# common CI case, pays for none of them.

__all__ = ["Outcome", "StageReporter", "build_package", "check_spec", "generate_client"]

#: called after each stage with its name and the seconds it took
StageReporter = Callable[[str, float], None]


@dataclass
class Outcome:
    """What a generate run did (or, with ``check``, would do)."""

    config: ClientConfig
    diagnostics: Diagnostics
    change: TreeChange | None = None
    operations: int = 0
    models: int = 0
    timings: list[tuple[str, float]] = field(default_factory=list)
    written: bool = False
    #: per kind of remembered work (``"models"`` parts, ``"format"``ted files):
    #: (units taken from the cache, units in all)
    reused: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Built:
    """The recipe's result: the formatted package, staged beside the output folder."""

    staged: Staged
    #: every file the spec was read from (the cache re-hashes them on a hit)
    sources: tuple[Path, ...]


def generate_client(
    config: ClientConfig,
    *,
    check: bool = False,
    strict: bool = False,
    reporter: StageReporter | None = None,
    cache: OutputCache | None = None,
    runner: Runner | None = None,
) -> Outcome:
    """Generate one client package; raise :class:`GenerationAborted` when that must not be.

    Nothing is written unless every step succeeded; with ``check`` nothing is written
    at all and :attr:`Outcome.change` says how the output folder differs. With a
    ``cache``, an unchanged spec (and generator) reuses the files of the run that made
    them, byte for byte. ``runner`` schedules the work (default: all in this process).
    """
    severity = dict(config.severity)
    if check:  # CI: an under-bumped version fails the check (unless re-levelled by the config)
        severity.setdefault("version-too-low", Level.ERROR)
    diagnostics = Diagnostics(severity=severity)
    outcome = Outcome(config=config, diagnostics=diagnostics)
    reason = refusal(config.out, protected=_protected(config), contents=not check)
    if reason is not None:  # before any work; the folder is checked again before the swap
        raise _refused(config, diagnostics, reason)
    key = ""
    if cache is not None:
        with _timed("cache", outcome, reporter):
            key = _cache_key(cache, config)
            entry = cache.lookup(key) if key else None
        if entry is not None:
            return _from_cache(entry, outcome, check=check, strict=strict)
    built = build_package(
        config, outcome, runner or SerialRunner(), strict=strict, reporter=reporter, cache=cache
    )
    staging, staged = built.staged.path, built.staged.files
    try:
        if cache is not None and key:
            cache.store(
                key,
                sources=list(built.sources),
                files=staged,
                diagnostics=diagnostics,
                operations=outcome.operations,
                models=outcome.models,
            )
            cache.prune()  # within its limit, what this run used kept
        with _timed("write", outcome, reporter):
            outcome.change = compare_files(
                staged, config.out, label=config.out.name, same=built.staged.same
            )
            if not check and not outcome.change.is_current:
                _publish(staging, config, diagnostics)
                outcome.written = True
    finally:
        discard(staging)
    return outcome


def build_package(
    config: ClientConfig,
    outcome: Outcome,
    runner: Runner,
    *,
    strict: bool = False,
    reporter: StageReporter | None = None,
    cache: OutputCache | None = None,
) -> Built:
    """The recipe: load -> validate -> model -> models -> name + render -> format.

    Returns the formatted package in a staging folder beside ``config.out``, which the
    caller publishes or discards; raises :class:`GenerationAborted` with every finding
    (the validator's too) when the spec forbids going on. With a ``cache``, the units
    of work an earlier run did on the same input (a part of the models, a formatted
    file) are taken from it rather than done again; the output is the same.
    """
    from generator import render
    from generator.names import name_package
    from generator.operations import build_api

    diagnostics = outcome.diagnostics
    # the many small results of a client's checks and formatting are kept in one file each
    scope = f"{config.package}\0{config.spec.resolve()}"
    with _timed("load", outcome, reporter):
        spec = runner.load(config.spec, diagnostics)
    if spec is None:
        raise GenerationAborted(diagnostics)
    with runner.run(spec) as work:
        with _timed("validate", outcome, reporter):
            validated = work.validate(
                spec, diagnostics, None if cache is None else cache.memo("checks").packed(scope)
            )
        try:
            _stop_if_failed(diagnostics, strict, validated)
            with _timed("model", outcome, reporter), _explained_by(validated, diagnostics, strict):
                api = build_api(spec, diagnostics)
            _stop_if_failed(diagnostics, strict, validated)
            with _timed("models", outcome, reporter):
                started = work.models(
                    api,
                    config.package,
                    config.spec.name,
                    diagnostics,
                    None if cache is None else cache.memo("models"),
                )
                render.prepare()  # the templates compile while a worker (if any) models
                models = started.result()
            if models is None:
                raise GenerationAborted(diagnostics)
            _stop_if_failed(diagnostics, strict, validated)
            outcome.operations, outcome.models = len(api.operations), len(models.classes)
            outcome.reused["models"] = models.reused
            with _timed("render", outcome, reporter), _explained_by(validated, diagnostics, strict):
                names = name_package(api, models.classes, config.package)
                files = render.render_package(
                    api, models, names, package=config.package, spec_name=config.spec.name
                )
            formatting = Formatting(
                files, None if cache is None else cache.memo("format").packed(scope)
            )
            with _timed("format", outcome, reporter):
                staged = _format(formatting, config, spec, diagnostics)
            outcome.reused["format"] = formatting.reused
            try:
                if config.release is not None:
                    with _timed("release", outcome, reporter):
                        staged = _changelog(staged, config, spec, api, models, diagnostics)
                if not validated.done():  # a big spec's checks may still be running
                    with _timed("checks", outcome, reporter):
                        validated.result()
                _stop_if_failed(diagnostics, strict, validated)
            except BaseException:
                discard(staged.path)
                raise
        except GenerationAborted:
            validated.result()  # every problem in one run, the validator's too
            diagnostics.drop_echoes(CONSEQUENTIAL)
            raise
    sources = tuple(f.path.resolve() for f in spec.files.values()) or (spec.root.path.resolve(),)
    return Built(staged, sources)


def check_spec(path: Path, diagnostics: Diagnostics) -> LoadedSpec | None:
    """Load and validate one spec; problems go into ``diagnostics``.

    Besides openapi-spec-validator and the lint rules, the API is modelled as
    ``generate`` would model it, so that every finding
    about the spec ``generate`` can print (an unsupported parameter or media type),
    ``validate`` prints too. Only the models, rendering and writing are left out.
    """
    from generator.load import load_spec
    from generator.operations import build_api
    from generator.validate import validate_spec

    spec = load_spec(path, diagnostics)
    if spec is not None:
        validate_spec(spec, diagnostics)
        try:
            build_api(spec, diagnostics)
        except Exception:
            if not diagnostics.has_errors():
                raise  # a valid spec the model cannot take is clientgen's bug: say so
        diagnostics.drop_echoes(CONSEQUENTIAL)
    return spec


# --------------------------------------------------------------------------- the steps' details


@contextmanager
def _timed(name: str, outcome: Outcome, reporter: StageReporter | None) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - start
        outcome.timings.append((name, elapsed))
        if reporter is not None:
            reporter(name, elapsed)


def _stop_if_failed(diagnostics: Diagnostics, strict: bool, validated: Pending[None]) -> None:
    """Stop when the findings in so far forbid going on (the validator's once they are in)."""
    if validated.done():
        validated.result()
    if diagnostics.has_errors(strict=strict):
        raise GenerationAborted(diagnostics)


@contextmanager
def _explained_by(
    validated: Pending[None], diagnostics: Diagnostics, strict: bool
) -> Iterator[None]:
    """A step that crashes on a spec the validator refuses: the refusal is the report."""
    try:
        yield
    except GenerationAborted:
        raise
    except Exception:
        validated.result()
        if diagnostics.has_errors(strict=strict):
            raise GenerationAborted(diagnostics) from None
        raise


def _format(
    formatting: Formatting, config: ClientConfig, spec: LoadedSpec, diagnostics: Diagnostics
) -> Staged:
    """ruff over the files not formatted before, then the package staged beside the output
    folder; code ruff cannot parse is clientgen's bug, reported."""
    try:
        return format_and_stage(formatting, config.out)
    except FormatError as exc:
        diagnostics.add(
            Diagnostic(
                spec.display,
                0,
                0,
                Level.ERROR,
                "format-failed",
                f"the rendered package could not be formatted: {exc}",
            )
        )
        raise GenerationAborted(diagnostics) from None
    except OSError as exc:
        raise _write_failed(
            config, diagnostics, "the package could not be staged beside the folder", exc
        ) from None


def _changelog(
    staged: Staged,
    config: ClientConfig,
    spec: LoadedSpec,
    api: Api,
    models: ModelsModule,
    diagnostics: Diagnostics,
) -> Staged:
    """Add ``CHANGELOG.md`` to the staged package; judge ``info.version`` on the way.

    The changes since the release recorded in ``config.release`` (the spec's, and the staged
    package's own public API against the released one) make the new version's section; an
    ``info.version`` below what they require is a ``version-too-low`` finding.
    """
    from generator.release import CHANGELOG, build_changelog

    staging = staged.path
    text = build_changelog(
        config.release or staging,
        spec=spec,
        api=api,
        models=models,
        package=config.package,
        new_search=staging / "src",
        spec_name=config.spec.name,
        diagnostics=diagnostics,
        shown_as=config.out / "src",
    )
    return staged.add(CHANGELOG, text) if text else staged


def _release_digest(config: ClientConfig) -> str:
    """A digest of the release record (it shapes the changelog and the version check)."""
    if config.release is None:
        return ""
    digest = hashlib.sha256(str(config.release.resolve()).encode())
    for path in sorted(config.release.rglob("*")) if config.release.is_dir() else ():
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(config.release).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _cache_key(cache: OutputCache, config: ClientConfig) -> str:
    try:
        return cache.key(
            config.spec.read_bytes(), config.package, config.severity, _release_digest(config)
        )
    except OSError:
        return ""  # loading says what is wrong with the file


def _from_cache(entry: CacheEntry, outcome: Outcome, *, check: bool, strict: bool) -> Outcome:
    """Finish a run whose output the cache already holds."""
    for item in entry.diagnostics:
        outcome.diagnostics.add(item)
    if outcome.diagnostics.has_errors(strict=strict):
        raise GenerationAborted(outcome.diagnostics)
    outcome.operations, outcome.models = entry.operations, entry.models
    out = outcome.config.out
    outcome.change = compare_files(entry.files, out, label=out.name)
    if not check and not outcome.change.is_current:
        staging = _stage(entry.files, outcome.config, outcome.diagnostics)
        try:
            _publish(staging, outcome.config, outcome.diagnostics)
        finally:
            discard(staging)
        outcome.written = True
    return outcome


def _protected(config: ClientConfig) -> tuple[Path, ...]:
    """What a run must never replace: the working directory, the spec, the project."""
    cwd = Path.cwd()
    projects = {find_pyproject(cwd), find_pyproject(config.spec.resolve().parent)}
    return (cwd, config.spec, *sorted(p for p in projects if p is not None))


def _refused(config: ClientConfig, diagnostics: Diagnostics, reason: str) -> GenerationAborted:
    diagnostics.add(
        Diagnostic(
            str(config.out), 0, 0, Level.ERROR, "out-refused", f"refusing to write here: {reason}"
        )
    )
    return GenerationAborted(diagnostics)


def _write_failed(
    config: ClientConfig, diagnostics: Diagnostics, what: str, error: OSError
) -> GenerationAborted:
    diagnostics.add(
        Diagnostic(
            str(config.out),
            0,
            0,
            Level.ERROR,
            "write-failed",
            f"{what}: {error.strerror or error}; the folder is as it was. Check that its "
            "parent folder exists (or can be created) and is writable",
        )
    )
    return GenerationAborted(diagnostics)


def _stage(
    files: Mapping[str, str | bytes], config: ClientConfig, diagnostics: Diagnostics
) -> Path:
    """Stage ``files`` beside ``config.out``; an OS error is a diagnostic."""
    try:
        return stage(files, config.out)
    except OSError as exc:
        raise _write_failed(
            config, diagnostics, "the package could not be staged beside the folder", exc
        ) from None


def _publish(staging: Path, config: ClientConfig, diagnostics: Diagnostics) -> None:
    """Swap ``staging`` into ``config.out``; a refusal or an OS error is a diagnostic."""
    try:
        publish(staging, config.out, protected=_protected(config))
    except UnsafeTarget as refused:
        raise _refused(config, diagnostics, refused.reason) from None
    except OSError as exc:
        raise _write_failed(config, diagnostics, "the package could not be written", exc) from None
