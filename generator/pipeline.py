"""The whole run, top to bottom: load -> validate -> ir -> models -> render -> format -> write.

Each stage reports problems into one :class:`~generator.diagnostics.Diagnostics`;
the pipeline stops before writing anything as soon as there are errors (or, with
``strict``, warnings), and the target folder is only ever replaced as a whole.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from generator import warm
from generator.cache import CacheEntry, OutputCache
from generator.config import ClientConfig, find_pyproject
from generator.diagnostics import Diagnostic, Diagnostics, GenerationAborted, Level
from generator.rules import CONSEQUENTIAL
from generator.write import (
    FormatError,
    TreeChange,
    UnsafeTarget,
    compare_files,
    discard,
    format_tree,
    publish,
    read_tree,
    refusal,
    stage,
)

if TYPE_CHECKING:
    from generator.load import LoadedSpec

# The stages (and the libraries they wrap: Jinja, PyYAML, datamodel-code-generator,
# openapi-spec-validator) are imported where they run, so that a cache hit, the
# common CI case, pays for none of them.

__all__ = ["Outcome", "StageReporter", "check_spec", "generate_client"]

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


#: specs at least this big use two worker processes: one runs openapi-spec-validator and
#: the lint rules while this process models, the other a big schema set's second models
#: part (a small spec is done before a process starts)
PARALLEL_BYTES = 512 * 1024

#: the spec a forked worker inherits from the run that started it, by path
_INHERITED: dict[Path, LoadedSpec] = {}


def _check_in_child(
    check: Literal["structure", "lint"], path: Path, severity: dict[str, Level | None]
) -> list[Diagnostic]:
    from generator.load import load_spec
    from generator.validate import check_structure, lint_spec

    diagnostics = Diagnostics(severity=severity)
    try:
        # a forked worker has the loaded spec already; a spawned one loads it again
        spec = _INHERITED.get(path) or load_spec(path, diagnostics)
        if spec is not None:
            (check_structure if check == "structure" else lint_spec)(spec, diagnostics)
    except Exception as exc:  # reported, never a traceback
        diagnostics.add(
            Diagnostic(
                str(path), 0, 0, Level.ERROR, "spec-invalid", f"the {check} check failed: {exc}"
            )
        )
    return diagnostics.items


def _run_at_low_priority() -> None:
    """Have the scheduler prefer every other process of the run to this one.

    The checks are not on the way to the output; the models are. Three processes share
    two cores while both models parts run, and the checks worker, niced, takes what the
    others leave: the cores' idle time before the parts start and while this process
    renders and stages the package.
    """
    if hasattr(os, "nice"):  # not on Windows
        with suppress(OSError):
            os.nice(19)


class _Workers:
    """Forked worker processes, in two pools of one; none on one core.

    A big spec gets both. The checks worker is forked as soon as the spec is loaded and
    runs openapi-spec-validator and then the lint rules, niced. The models worker is
    forked once this process has modelled the API and imported datamodel-code-generator,
    so it starts on the second models part at once, with nothing left to import, while
    this process generates the first. A small spec gets only the models worker (when
    processes can be forked cheaply): the one :mod:`generator.warm` forked as the program
    started, if any. datamodel-code-generator runs there while this process validates.

    With the ``fork`` start method a pool starts its process at the first submission,
    before its manager thread exists, and the process inherits the imports made (and the
    spec loaded) so far. When the run ends every result it uses is in; the pools are shut
    down and whatever still runs (an unused import) is terminated.
    """

    def __init__(self, spec: LoadedSpec) -> None:
        size = len(spec.root.text) + sum(
            len(f.text) for f in spec.files.values() if f is not spec.root
        )
        self.big = size >= PARALLEL_BYTES
        # fork is cheap and inherits the loaded spec; off Linux (macOS system libraries
        # are not fork-safe) workers are spawned, and only a big spec is worth that
        forkable = sys.platform.startswith("linux")
        self._method = "fork" if forkable else "spawn"
        cores = os.cpu_count() or 1
        self.enabled = cores > 1 and (self.big or self._method == "fork")
        self._pools: dict[str, ProcessPoolExecutor] = {}
        # forked as the program started, importing the models library: a small spec's
        # models worker. A big spec's is forked once this process has imported the
        # library itself, and shares it (and the rest of this process's memory).
        early = warm.take()
        if early is not None and self.big:
            warm.end(early)
        elif early is not None:
            self._pools["models"] = early

    def _pool(self, role: str) -> ProcessPoolExecutor | None:
        if not self.enabled:
            return None
        if role not in self._pools:
            self._pools[role] = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context(self._method),
                initializer=_run_at_low_priority if role == "checks" else None,
            )
        return self._pools[role]

    @property
    def checks(self) -> ProcessPoolExecutor | None:
        """The worker for a big spec's checks; ``None`` when they run in this process."""
        return self._pool("checks") if self.big else None

    @property
    def models(self) -> ProcessPoolExecutor | None:
        """The worker for model generation; ``None`` when it all runs in this process."""
        return self._pool("models")

    def close(self) -> None:
        """Stop the workers: every result the run uses is in by now.

        A worker may still be busy with work nobody waits for (the models library's
        import, when the run needs no models or stopped early): it is terminated rather
        than waited for.
        """
        for pool in self._pools.values():
            warm.end(pool)
        self._pools.clear()


class _Checks:
    """openapi-spec-validator's pass and the lint rules: here for a small spec, else in workers.

    For a big spec they run in workers while this process models (:meth:`start`); for a
    small one here, while a worker models (:meth:`run_here`). Either way their findings
    are in before anything is rendered, so an invalid spec still writes nothing.
    """

    def __init__(self, spec: LoadedSpec, diagnostics: Diagnostics, workers: _Workers) -> None:
        self.spec, self.diagnostics, self.workers = spec, diagnostics, workers
        self._futures: list[Future[list[Diagnostic]]] = []
        self.done = False

    @property
    def parallel(self) -> bool:
        """Whether the checks run in a worker."""
        return self.workers.big and self.workers.enabled

    def start(self) -> None:
        """Hand the checks to their worker (a big spec only)."""
        pool = self.workers.checks
        if pool is None:
            return
        path, severity = self.spec.root.path, dict(self.diagnostics.severity)
        _INHERITED[path] = self.spec  # the pool forks on this first submit
        try:
            self._futures = [
                pool.submit(_check_in_child, "structure", path, severity),
                pool.submit(_check_in_child, "lint", path, severity),
            ]
        finally:
            _INHERITED.clear()

    def run_here(self) -> None:
        """Run the checks in this process, unless workers have them."""
        if self.parallel or self.done:
            return
        from generator.validate import check_structure, lint_spec

        self.done = True
        check_structure(self.spec, self.diagnostics)
        lint_spec(self.spec, self.diagnostics)

    def finish(self) -> None:
        """Have every finding: wait for the workers, or run the checks here."""
        self.run_here()
        futures, self._futures = self._futures, []
        for future in futures:
            for item in future.result():
                self.diagnostics.add(item)


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


def _stage(
    files: Mapping[str, str | bytes], config: ClientConfig, diagnostics: Diagnostics
) -> Path:
    """Stage ``files`` beside ``config.out``; an OS error is a diagnostic."""
    try:
        return stage(files, config.out)
    except OSError as exc:
        diagnostics.add(
            Diagnostic(
                str(config.out),
                0,
                0,
                Level.ERROR,
                "write-failed",
                f"the package could not be staged beside the folder: {exc.strerror or exc}; "
                "check that its parent folder can be created and written",
            )
        )
        raise GenerationAborted(diagnostics) from None


def _publish(staging: Path, config: ClientConfig, diagnostics: Diagnostics) -> None:
    """Swap ``staging`` into ``config.out``; a refusal or an OS error is a diagnostic."""
    try:
        publish(staging, config.out, protected=_protected(config))
    except UnsafeTarget as refused:
        raise _refused(config, diagnostics, refused.reason) from None
    except OSError as exc:
        diagnostics.add(
            Diagnostic(
                str(config.out),
                0,
                0,
                Level.ERROR,
                "write-failed",
                f"the package could not be written: {exc.strerror or exc}; the folder is as it "
                "was. Check that its parent folder exists and is writable",
            )
        )
        raise GenerationAborted(diagnostics) from None


def check_spec(
    path: Path, diagnostics: Diagnostics, *, package: str = "client"
) -> LoadedSpec | None:
    """Load and validate one spec; problems go into ``diagnostics``.

    Besides openapi-spec-validator and the lint rules, the API is modelled as
    ``generate`` would model it (for the package ``package``), so that every finding
    about the spec ``generate`` can print (an unsupported parameter or media type),
    ``validate`` prints too. Only the models, rendering and writing are left out.
    """
    from generator.ir import build_api
    from generator.load import load_spec
    from generator.validate import validate_spec

    spec = load_spec(path, diagnostics)
    if spec is not None:
        validate_spec(spec, diagnostics)
        try:
            build_api(spec, package, diagnostics)
        except Exception:
            if not diagnostics.has_errors():
                raise  # a valid spec the model cannot take is clientgen's bug: say so
        diagnostics.drop_echoes(CONSEQUENTIAL)
    return spec


def generate_client(
    config: ClientConfig,
    *,
    check: bool = False,
    strict: bool = False,
    reporter: StageReporter | None = None,
    cache: OutputCache | None = None,
) -> Outcome:
    """Generate one client package; raise :class:`GenerationAborted` when the spec forbids it.

    Nothing is written unless every stage succeeded; with ``check`` nothing is written
    at all and :attr:`Outcome.change` says how the output folder differs. With a
    ``cache``, an unchanged spec (and generator) reuses the files of the run that
    made them, byte for byte.
    """
    diagnostics = Diagnostics(severity=dict(config.severity))
    outcome = Outcome(config=config, diagnostics=diagnostics)
    reason = refusal(config.out, protected=_protected(config), contents=not check)
    if reason is not None:  # before any work: the folder is checked again before the swap
        raise _refused(config, diagnostics, reason)
    key = ""
    if cache is not None:
        with _timed("cache", outcome, reporter):
            try:
                key = cache.key(config.spec.read_bytes(), config.package, config.severity)
            except OSError:
                key = ""  # loading says what is wrong with the file
            entry = cache.lookup(key) if key else None
            if entry is not None:
                return _from_cache(entry, outcome, check=check, strict=strict)
    from generator.load import load_spec

    with _timed("load", outcome, reporter):
        spec = load_spec(config.spec, diagnostics)
    if spec is None:
        raise GenerationAborted(diagnostics)
    workers = _Workers(spec)
    checks = _Checks(spec, diagnostics, workers)
    gc.freeze()  # see _build
    try:
        staging = _build(spec, config, outcome, checks, workers, strict=strict, reporter=reporter)
    except GenerationAborted:
        checks.finish()  # every problem in one run, the validator's too
        diagnostics.drop_echoes(CONSEQUENTIAL)
        raise
    finally:
        workers.close()
        gc.unfreeze()
    try:
        staged = read_tree(staging)  # read once: cached and compared
        if cache is not None and key:
            cache.store(
                key,
                sources=[f.path.resolve() for f in spec.files.values()]
                or [spec.root.path.resolve()],
                files=staged,
                diagnostics=diagnostics,
                operations=outcome.operations,
                models=outcome.models,
            )
        with _timed("write", outcome, reporter):
            outcome.change = compare_files(staged, config.out, label=config.out.name)
            if not check and not outcome.change.is_current:
                _publish(staging, config, diagnostics)
                outcome.written = True
    finally:
        discard(staging)
    return outcome


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


def _build(
    spec: LoadedSpec,
    config: ClientConfig,
    outcome: Outcome,
    checks: _Checks,
    workers: _Workers,
    *,
    strict: bool,
    reporter: StageReporter | None,
) -> Path:
    """validate -> ir -> models -> render -> format; the formatted staging folder."""
    from generator.ir import build_api
    from generator.models import prepare as prepare_models
    from generator.models import start_models
    from generator.render import prepare as prepare_render
    from generator.render import render_package

    diagnostics = outcome.diagnostics

    def stop_if_failed() -> None:
        if diagnostics.has_errors(strict=strict):
            raise GenerationAborted(diagnostics)

    if checks.parallel:
        with _timed("validate", outcome, reporter):
            checks.start()
    with _timed("model", outcome, reporter):
        try:
            api = build_api(spec, config.package, diagnostics)
        except Exception:
            # modelled before the checks were done: a spec they refuse explains it
            checks.finish()
            stop_if_failed()
            raise
    stop_if_failed()
    # The loaded spec and the models document live to the end of the run. Moved out of
    # the collector's sight (here and after loading, before the workers fork), they are
    # not traversed again by every full collection datamodel-code-generator's millions
    # of short-lived objects cause: several seconds on a big spec. Undone when the run ends.
    gc.freeze()
    if checks.parallel:
        # imported here once, before the models worker is forked, rather than in both
        prepare_models()
    spec_name = config.spec.name
    run = start_models(api, package=config.package, spec_name=spec_name, executor=workers.models)
    if not checks.parallel:
        with _timed("validate", outcome, reporter):
            checks.run_here()  # while a worker (if any) generates the models
        stop_if_failed()
        prepare_render()  # still waiting for the worker: compile the templates meanwhile
    with _timed("models", outcome, reporter):
        models = run.finish(diagnostics)
    if models is None:
        raise GenerationAborted(diagnostics)
    stop_if_failed()
    outcome.operations, outcome.models = len(api.operations), len(models.classes)
    # A big spec's checks may still be running (they yield the cores to the models
    # worker and this process): rendered and formatted meanwhile, the package is only
    # published once they are in. Should rendering fail, a spec they refuse explains it.
    try:
        with _timed("render", outcome, reporter):
            files = render_package(api, models, package=config.package, spec_name=spec_name)
            staging = _stage(files, config, diagnostics)
    except Exception:
        checks.finish()
        stop_if_failed()
        raise
    try:
        with _timed("format", outcome, reporter):
            try:
                format_tree(staging)
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
        if checks.parallel:
            with _timed("checks", outcome, reporter):
                checks.finish()
        stop_if_failed()
    except BaseException:
        discard(staging)
        raise
    return staging
