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
* the spec is validated here while a worker generates its models (the checks wait until
  this process would otherwise wait for the worker, or would take a part of the models
  itself);
* a spec of :data:`BIG_SPEC_BYTES` or more ends that early worker: its schemas are
  generated in parts shared between this process and a worker forked once this process
  has imported the library and modelled the API, so that the worker shares all of that
  (:class:`generator.jobs.SharedJobs`). One worker, not one per stage: on two cores a
  third process only takes turns with the other two, and holds its own copy of every page
  of the spec it touches (a separate checks worker made OpenAI's run a quarter bigger);
* its long-lived objects (the loaded spec, the models document) are frozen out of the cyclic
  garbage collector's sight for the run (:func:`gc.freeze`): datamodel-code-generator's millions
  of short-lived objects would otherwise make every full collection traverse them again.

Workers are forked only on Linux, where it is cheap and safe; elsewhere only a big spec is
worth spawning them. One core means no workers at all.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from generator.diagnostics import Diagnostics

if TYPE_CHECKING:
    from generator.cache import Memo
    from generator.ir import Api
    from generator.load import LoadedSpec
    from generator.models import ModelsModule

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
    executor: ProcessPoolExecutor | None = None,
) -> Callable[[], ModelsModule | None]:
    """Start the models (parts shared with ``executor``, if any); the call that finishes them."""
    from generator.models import start_models

    run = start_models(api, package=package, spec_name=spec_name, executor=executor, memo=memo)
    return lambda: run.finish(diagnostics)


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

    @contextmanager
    def run(self, spec: LoadedSpec) -> Iterator[Work]:
        with _frozen():
            yield _SerialWork()

    def close(self) -> None:
        """Nothing to end."""


# --------------------------------------------------------------------------- workers


def _prepare_models() -> None:
    from generator.models import prepare

    prepare()


class _Worker:
    """One worker process behind a :class:`ProcessPoolExecutor`, which :meth:`end` can stop.

    The pool forks its process at the first submission (the ``fork`` start method starts
    every process at once), so the children that appear then are this worker's: they are
    found with :func:`multiprocessing.active_children`, and terminated by :meth:`end` when
    their work is no longer wanted (an import no run will use).
    """

    def __init__(self, method: str) -> None:
        self.pool = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context(method)
        )
        self._processes: list[BaseProcess] | None = None

    def submit(self, function: Callable[..., T], *args: object) -> Future[T]:
        before = set(multiprocessing.active_children()) if self._processes is None else set()
        future = self.pool.submit(function, *args)
        if self._processes is None:
            self._processes = [p for p in multiprocessing.active_children() if p not in before]
        return future

    def end(self) -> None:
        """Stop now: terminate the process (whatever it still does), then shut down."""
        for process in self._processes or ():
            if process.is_alive():
                process.terminate()
        self.pool.shutdown(wait=True, cancel_futures=True)


def _ending(worker: _Worker, finish: Callable[[], T]) -> Callable[[], T]:
    """``finish``, after which ``worker`` ends (its memory is not held through the run)."""

    def run() -> T:
        try:
            return finish()
        finally:
            worker.end()

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
        self.early = early
        if early is not None and _is_big(spec):  # its own worker shares the import and more
            early.end()
            self.early = None
        elif early is not None:
            self.workers.append(early)

    def validate(
        self, spec: LoadedSpec, diagnostics: Diagnostics, memo: Memo | None = None
    ) -> Pending[None]:
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
        if self.early is not None:
            worker = self.early
        else:  # forked at its first part (none if the memo has them all): see start_models
            worker = _Worker(self.method)
            self.workers.append(worker)
        finish = _ending(
            worker, _models_here(api, package, spec_name, diagnostics, memo, worker.pool)
        )
        return _WaitsAfter(self.here, _Later(finish))

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
