"""How the recipe's work is scheduled: all here and in order, or partly in forked workers.

:mod:`generator.pipeline` says *what* a run does and in which order it takes effect; a
runner says *where and when* the two stages worth moving elsewhere run:

* :meth:`Work.validate`: openapi-spec-validator and the lint rules;
* :meth:`Work.models`: datamodel-code-generator over the API's schemas.

Each returns a :class:`Pending` whose :meth:`~Pending.result` adds the stage's findings
to the run's diagnostics and hands back its value; :meth:`~Pending.done` says whether
that would wait. The output never depends on the runner (a test compares the bytes).

:class:`SerialRunner` does everything in this process, at the call. :class:`ForkingRunner`
uses a second core:

* it forks a models worker as it is created (the command line creates it first thing), which
  imports datamodel-code-generator, the longest step of a small run, while this process reads
  the config and loads, validates and models the spec;
* a small spec is validated here while that worker generates its models (the checks wait
  until this process would otherwise wait for the worker);
* a YAML spec of :data:`BIG_SPEC_BYTES` or more is parsed in a worker of its own, forked
  for that alone (:meth:`ForkingRunner.load`), while this process imports the models
  library; the spec comes back pickled, compact;
* a spec of :data:`BIG_SPEC_BYTES` or more ends that early worker and forks its own once
  this process has imported the library and modelled the API, so that the worker shares
  all of that. Its schemas are generated in parts shared between the two processes
  (:class:`generator.jobs.SharedJobs`); once the worker has no part left it checks the
  spec, while this process renders and formats. One worker, not one per stage: on two
  cores a third process only takes turns with the other two, and holds its own copy of
  every page of the spec it touches (a checks worker of its own made OpenAI's run a
  quarter bigger); and the checks overlap the rendering, not the models;
* its long-lived objects (the loaded spec, the models document) are frozen out of the cyclic
  garbage collector's sight for the run (:func:`gc.freeze`): datamodel-code-generator's millions
  of short-lived objects would otherwise make every full collection traverse them again.

Workers are forked only on Linux, where it is cheap and safe; elsewhere only a big spec is
worth spawning them. One core means no workers at all.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor
from contextlib import AbstractContextManager, contextmanager, suppress
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, Protocol, TypeVar

from generator.diagnostics import Diagnostic, Diagnostics, Level

if TYPE_CHECKING:
    from generator.cache import Memo
    from generator.ir import Api
    from generator.load import LoadedSpec
    from generator.models import ModelsModule, PartResult

__all__ = [
    "BIG_SPEC_BYTES",
    "ForkingRunner",
    "Pending",
    "Runner",
    "SerialRunner",
    "Work",
    "default_runner",
]

T = TypeVar("T")
P = ParamSpec("P")
T_co = TypeVar("T_co", covariant=True)

#: specs at least this big fork their models worker once modelled (sharing what this process
#: built) instead of taking the early one; without fork, only they are worth a worker at all
BIG_SPEC_BYTES = 512 * 1024


class Pending(Protocol[T_co]):
    """A stage's outcome: there already, or still being worked on."""

    def done(self) -> bool:
        """Whether :meth:`result` would return without waiting."""
        ...

    def result(self) -> T_co:
        """The value, once; the stage's findings are in the run's diagnostics by then."""
        ...


class Work(Protocol):
    """One run's scheduling, from the loaded spec to the end of the run."""

    def validate(
        self, spec: LoadedSpec, diagnostics: Diagnostics, memo: Memo | None = None
    ) -> Pending[None]:
        """Start openapi-spec-validator and the lint rules on ``spec`` (the findings of the
        units ``memo`` holds are taken from there)."""
        ...

    def models(
        self,
        api: Api,
        package: str,
        spec_name: str,
        diagnostics: Diagnostics,
        memo: Memo | None = None,
    ) -> Pending[ModelsModule | None]:
        """Start generating ``api``'s models (parts ``memo`` holds are taken from there);
        ``None`` (with a diagnostic) when that fails."""
        ...


class Runner(Protocol):
    """Makes the :class:`Work` of each run; :meth:`close` ends what the runs left."""

    def load(self, path: Path, diagnostics: Diagnostics) -> LoadedSpec | None:
        """:func:`generator.load.load_spec`, here or in a worker (the same spec either way)."""
        ...

    def run(self, spec: LoadedSpec) -> AbstractContextManager[Work]:
        """The scheduling of a run on ``spec``; leaving it ends the run's workers."""
        ...

    def close(self) -> None:
        """End every worker still running (one no run needed, after a cache hit)."""
        ...


class _Done(Generic[T]):
    """A value computed at the call."""

    def __init__(self, value: T) -> None:
        self._value = value

    def done(self) -> bool:
        return True

    def result(self) -> T:
        return self._value


class _Later(Generic[T]):
    """Work this process does when the value is first needed (or :meth:`run` is called)."""

    def __init__(self, function: Callable[[], T]) -> None:
        self._function: Callable[[], T] | None = function
        self._value: T | None = None

    def done(self) -> bool:
        return self._function is None

    def run(self) -> None:
        if self._function is not None:
            function, self._function = self._function, None
            self._value = function()

    def result(self) -> T:
        self.run()
        return self._value  # type: ignore[return-value]  # set by run()


def _check(spec: LoadedSpec, diagnostics: Diagnostics, memo: Memo | None = None) -> None:
    from generator.validate import validate_spec

    validate_spec(spec, diagnostics, memo)


def _models_here(
    api: Api,
    package: str,
    spec_name: str,
    diagnostics: Diagnostics,
    memo: Memo | None,
    executor: Executor | None = None,
    then: Callable[[], None] | None = None,
    *,
    lean: bool = False,
) -> Callable[[], ModelsModule | None]:
    """Start the models (parts shared with ``executor``, if any, which gets ``then`` once it
    has no part left); the call that finishes them. ``lean``: each process gives back
    what a part left before it starts the next (:func:`_lean_part`)."""
    from generator.models import start_models

    run = start_models(
        api,
        package=package,
        spec_name=spec_name,
        executor=executor,
        memo=memo,
        then=then,
        part=_lean_part if lean else None,
    )
    return lambda: run.finish(diagnostics)


def _lean_part(document: dict[str, Any], package: str, spec_name: str) -> PartResult:
    """:func:`generator.models.run_part`, then the memory it left is given back.

    On a big spec each process runs several parts, and the peak of the run is where
    the two processes' last parts meet (the worker's checks, this process's rendering):
    without this, each part's garbage would still be held then (3 MB on OpenAI's spec).
    """
    from generator.models import run_part

    try:
        return run_part(document, package, spec_name)
    finally:
        _give_back_memory()


@contextmanager
def _frozen() -> Iterator[None]:
    """Keep what exists now out of the cyclic collector's traversals until the run ends."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _is_big(spec: LoadedSpec) -> bool:
    """Whether ``spec``'s files hold :data:`BIG_SPEC_BYTES` or more."""
    size = len(spec.root.text) + sum(len(f.text) for f in spec.files.values() if f is not spec.root)
    return size >= BIG_SPEC_BYTES


class _SerialWork:
    def validate(
        self, spec: LoadedSpec, diagnostics: Diagnostics, memo: Memo | None = None
    ) -> Pending[None]:
        _check(spec, diagnostics, memo)
        return _Done(None)

    def models(
        self,
        api: Api,
        package: str,
        spec_name: str,
        diagnostics: Diagnostics,
        memo: Memo | None = None,
    ) -> Pending[ModelsModule | None]:
        gc.freeze()  # the models document joins the frozen objects (thawed as the run ends)
        return _Done(_models_here(api, package, spec_name, diagnostics, memo)())


class SerialRunner:
    """Everything in this process, each stage done when the recipe calls it."""

    def load(self, path: Path, diagnostics: Diagnostics) -> LoadedSpec | None:
        from generator.load import load_spec

        return load_spec(path, diagnostics)

    @contextmanager
    def run(self, spec: LoadedSpec) -> Iterator[Work]:
        with _frozen():
            yield _SerialWork()

    def close(self) -> None:
        """Nothing to end."""


# --------------------------------------------------------------------------- workers


#: in a big spec's worker: the spec it checks, given as it started (a fork inherits it as is)
_WORKER_SPEC: list[LoadedSpec] = []


def _keep_spec(spec: LoadedSpec) -> None:
    """A big spec's worker's initializer: keep the spec for :func:`_check_in_worker`."""
    _WORKER_SPEC[:] = [spec]


def _give_back_memory() -> None:
    """Collect garbage and hand the C heap's free pages back to the system (glibc only).

    After a stage that leaves megabytes of freed objects behind (parsing a big spec, a
    models part), so that the process does not hold that stage's peak through the next, and
    a forked worker does not share pages of garbage: on OpenAI's spec this takes 20 to 30
    MB off the run's peak.
    """
    gc.collect()
    with suppress(OSError, AttributeError):  # not glibc: nothing to trim
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)


def _load_apart(path: Path) -> tuple[LoadedSpec | None, list[Diagnostic]]:
    """:func:`generator.load.load_spec` in a worker: the spec (which pickles its marks by
    order, :meth:`generator.load.SourceFile.__getstate__`) and the findings."""
    from generator.load import load_spec

    diagnostics = Diagnostics()
    spec = load_spec(path, diagnostics)
    return spec, diagnostics.items


def _is_big_file(path: Path) -> bool:
    """Whether the file at ``path`` holds :data:`BIG_SPEC_BYTES` or more (no: unreadable)."""
    try:
        return path.stat().st_size >= BIG_SPEC_BYTES
    except OSError:
        return False


def _check_in_worker(
    path: str, severity: dict[str, Level | None], memo: Memo | None
) -> list[Diagnostic]:
    """Both checks of the worker's spec; never raises (a crash is a located error)."""
    from generator.validate import check_structure, lint_spec

    _give_back_memory()  # what the models left
    diagnostics = Diagnostics(severity=severity)
    for which, check in (("structure", check_structure), ("lint", lint_spec)):
        try:  # each on its own: one crash does not hide the other's findings
            check(_WORKER_SPEC[0], diagnostics, memo)
        except Exception as exc:
            diagnostics.add(
                Diagnostic(
                    path, 0, 0, Level.ERROR, "spec-invalid", f"the {which} check failed: {exc}"
                )
            )
    return diagnostics.items


class _Checks:
    """The spec's checks, done here when their result is first asked for, unless a worker
    took them first (:meth:`attach`, :meth:`hand_over`): then their findings come from it,
    or, should it have died, the checks are done here after all. Added to the run's
    diagnostics once; the worker is released then."""

    def __init__(self, spec: LoadedSpec, diagnostics: Diagnostics, memo: Memo | None) -> None:
        self.spec, self._diagnostics, self._memo = spec, diagnostics, memo
        self._worker: _Worker | None = None
        self._future: Future[list[Diagnostic]] | None = None
        self._finished = False
        self._lock = threading.Lock()

    def attach(self, worker: _Worker) -> None:
        """``worker`` (forked with the spec kept) may take the checks: it lives until then."""
        worker.hold()
        self._worker = worker

    def hand_over(self) -> None:
        """Give the checks to the attached worker now (unless they are done already)."""
        with self._lock:
            if self._finished or self._worker is None or self._future is not None:
                return
            severity = dict(self._diagnostics.severity)
            with suppress(BrokenExecutor, RuntimeError):  # broken or ended: done here
                self._future = self._worker.submit(
                    _check_in_worker, self.spec.display, severity, self._memo
                )

    def done(self) -> bool:
        return self._finished or (self._future is not None and self._future.done())

    def result(self) -> None:
        with self._lock:
            if self._finished:
                return
            self._finished = True
            future = self._future
        found: list[Diagnostic] | None = None
        try:
            if future is not None:
                with suppress(BrokenExecutor):  # the worker died (out of memory, a signal)
                    found = future.result()
        finally:
            if self._worker is not None:
                self._worker.release()
        if found is None:
            _check(self.spec, self._diagnostics, self._memo)
            return
        for item in found:
            self._diagnostics.add(item)


def _prepare_models() -> None:
    from generator.models import prepare

    prepare()


class _Worker(Executor):
    """One worker process behind a :class:`ProcessPoolExecutor`, which :meth:`end` can stop.

    The pool forks its process at the first submission (the ``fork`` start method starts
    every process at once), so the children that appear then are this worker's: they are
    found with :func:`multiprocessing.active_children`, and terminated by :meth:`end` when
    their work is no longer wanted (an import no run will use).
    """

    def __init__(self, method: str, *, spec: LoadedSpec | None = None) -> None:
        self.pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context(method),
            initializer=None if spec is None else functools.partial(_keep_spec, spec),
        )
        self._processes: list[BaseProcess] | None = None
        self._users = 0

    def hold(self) -> None:
        """One more stage uses the worker: it calls :meth:`release` once done with it."""
        self._users += 1

    def release(self) -> None:
        """A stage is done with the worker; the last one ends it."""
        self._users -= 1
        if self._users <= 0:
            self.end()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        before = set(multiprocessing.active_children()) if self._processes is None else set()
        future = self.pool.submit(fn, *args, **kwargs)
        if self._processes is None:
            self._processes = [p for p in multiprocessing.active_children() if p not in before]
        return future

    def end(self) -> None:
        """Stop now: terminate the process (whatever it still does), then shut down."""
        for process in self._processes or ():
            if process.is_alive():
                process.terminate()
        self.pool.shutdown(wait=True, cancel_futures=True)


def _releasing(worker: _Worker, finish: Callable[[], T], *, big: bool) -> Callable[[], T]:
    """``finish``, after which the models release ``worker`` (:meth:`_Worker.release`) and,
    on a ``big`` spec, this process gives back what they left before rendering."""
    worker.hold()

    def run() -> T:
        try:
            return finish()
        finally:
            worker.release()
            if big:
                _give_back_memory()

    return run


class _WaitsAfter(Generic[T]):
    """A worker's result that first lets this process do its own pending work."""

    def __init__(self, first: list[_Later[None]], then: _Later[T]) -> None:
        self._first, self._then = first, then

    def done(self) -> bool:
        return self._then.done()

    def result(self) -> T:
        for work in self._first:
            work.run()
        return self._then.result()


class _ForkingWork:
    def __init__(self, spec: LoadedSpec, method: str, early: _Worker | None) -> None:
        self.method = method
        self.workers: list[_Worker] = []
        self.here: list[_Later[None]] = []  # this process's work, done before it waits
        self.checks: _Checks | None = None  # a big spec's, for its worker to take
        self.early = early
        self.big = _is_big(spec)
        if early is not None and self.big:  # its own worker shares the import and more
            early.end()
            self.early = None
        elif early is not None:
            self.workers.append(early)

    def validate(
        self, spec: LoadedSpec, diagnostics: Diagnostics, memo: Memo | None = None
    ) -> Pending[None]:
        if self.big:
            self.checks = _Checks(spec, diagnostics, memo)
            return self.checks
        later: _Later[None] = _Later(lambda: _check(spec, diagnostics, memo))
        self.here.append(later)
        return later

    def models(
        self,
        api: Api,
        package: str,
        spec_name: str,
        diagnostics: Diagnostics,
        memo: Memo | None = None,
    ) -> Pending[ModelsModule | None]:
        gc.freeze()  # the models document joins the frozen objects before the fork
        then: Callable[[], None] | None = None
        if self.early is not None:
            worker = self.early
        elif self.checks is not None:  # a big spec: parts, then the checks, in one worker
            worker = _Worker(self.method, spec=self.checks.spec)
            self.workers.append(worker)
            self.checks.attach(worker)
            then = self.checks.hand_over
        else:  # forked at its first part (none if the memo has them all): see start_models
            worker = _Worker(self.method)
            self.workers.append(worker)
        finish = _models_here(
            api, package, spec_name, diagnostics, memo, worker, then, lean=self.big
        )
        return _WaitsAfter(self.here, _Later(_releasing(worker, finish, big=self.big)))

    def end(self) -> None:
        for worker in self.workers:
            worker.end()
        self.workers.clear()


class ForkingRunner:
    """Stages in worker processes where that saves time (see the module docstring).

    Created as the program starts: it forks the early models worker at once.
    """

    def __init__(self, *, method: str | None = None, early: bool = True) -> None:
        self.method = method or ("fork" if sys.platform.startswith("linux") else "spawn")
        self._early: _Worker | None = None
        if early and self.method == "fork":
            self._early = _Worker(self.method)
            self._early.submit(_prepare_models)

    def load(self, path: Path, diagnostics: Diagnostics) -> LoadedSpec | None:
        """A big YAML spec is parsed in a worker of its own (:func:`_load_apart`), while
        this process imports the libraries the run needs next; others here.

        Parsing YAML is the slow part of loading (0.4 s for OpenAI's 3 MB spec, 0.5 s for
        Stripe's, against 0.7 s for importing datamodel-code-generator), and it leaves
        garbage interleaved with the data in this process's heap; sent back pickled,
        the spec arrives compact (OpenAI's peak is 4 MB lower) and the parsing
        overlaps the import. A JSON spec parses fast and cleanly: it stays here.
        """
        from generator.load import load_spec, parses_as_yaml

        if self.method != "fork" or not _is_big_file(path) or not parses_as_yaml(path):
            return load_spec(path, diagnostics)
        if self._early is not None:  # a big spec forks its own models worker (see run)
            self._early.end()
            self._early = None
        loader = _Worker(self.method)
        try:
            future = loader.submit(_load_apart, path)
            _prepare_models()  # meanwhile: the import the models need, once, before their fork
            spec, found = future.result()
        except (BrokenExecutor, RuntimeError):  # the worker died or never started: load here
            return load_spec(path, diagnostics)
        finally:
            loader.end()
        for item in found:
            diagnostics.add(item)
        return spec

    @contextmanager
    def run(self, spec: LoadedSpec) -> Iterator[Work]:
        early, self._early = self._early, None  # one run takes it; later runs fork their own
        if self.method != "fork" and not _is_big(spec):  # spawning costs more than it saves
            if early is not None:
                early.end()
            with SerialRunner().run(spec) as work:
                yield work
            return
        work = _ForkingWork(spec, self.method, early)
        if work.big:  # what parsing left, before the worker forks and shares the rest
            _give_back_memory()
        try:
            with _frozen():
                yield work
        finally:
            work.end()

    def close(self) -> None:
        if self._early is not None:
            self._early.end()
            self._early = None


def default_runner() -> Runner:
    """Forked workers when a second core exists, else everything in this process."""
    if (os.cpu_count() or 1) < 2:
        return SerialRunner()
    return ForkingRunner()
