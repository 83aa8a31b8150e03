"""Independent jobs shared by this process and a one-worker pool, each run once.

:class:`SharedJobs` starts handing jobs to the pool's worker as it is created, one at a
time from the *back* of the list; :meth:`SharedJobs.results` then runs jobs here from the
*front* until none is left, and waits for the worker's. Neither side waits while a job is
left, and the two meet wherever their speeds make them meet, so jobs of unequal cost
balance themselves. A worker that dies (out of memory, a signal) hands its jobs back:
they run here. Which process ran a job never changes its result.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import BrokenExecutor, CancelledError, Executor, Future
from typing import Any, Generic, TypeVar

__all__ = ["SharedJobs"]

R = TypeVar("R")


class SharedJobs(Generic[R]):
    """``function(*arguments[i])`` for every ``i``, here and in ``executor`` (if any).

    ``function`` and the arguments must be picklable when an executor is given. The worker
    gets its first job once every future of ``after`` is done (work it was given before,
    e.g. checks): until then this process takes every job, so none waits in the worker's
    queue. Should one of them fail (a dead worker), the worker gets no job at all.
    """

    def __init__(
        self,
        function: Callable[..., R],
        arguments: Sequence[tuple[object, ...]],
        executor: Executor | None = None,
        after: Iterable[Future[Any]] = (),
    ) -> None:
        self._function = function
        self._arguments = list(arguments)
        self._todo: deque[int] = deque(range(len(arguments)))
        self._remote: dict[int, Future[R]] = {}
        self._lock = threading.Lock()
        self._executor = executor
        self._waiting: set[Future[Any]] = set(after) if executor is not None else set()
        if executor is None:
            return
        if not self._waiting:
            self._feed()
        for future in list(self._waiting):
            future.add_done_callback(self._after_done)

    def _after_done(self, finished: Future[Any]) -> None:
        """One of the futures the worker's first job waits for ended."""
        with self._lock:
            self._waiting.discard(finished)
            if finished.cancelled() or finished.exception() is not None:
                self._executor = None  # the worker is broken or ended: it gets nothing
                return
            if self._waiting:
                return
        self._feed()

    def _feed(self, finished: Future[R] | None = None) -> None:
        """Give the worker the last job left (called again as each of its jobs ends)."""
        executor = self._executor
        if executor is None or (
            finished is not None and (finished.cancelled() or finished.exception() is not None)
        ):
            return  # a broken worker takes no more; what is left runs here
        with self._lock:
            if not self._todo:
                return
            index = self._todo.pop()
            try:
                future = executor.submit(self._function, *self._arguments[index])
            except (BrokenExecutor, RuntimeError):  # broken or shut down: run it here
                self._todo.append(index)
                self._executor = None
                return
            self._remote[index] = future
        future.add_done_callback(self._feed)

    def _next_here(self) -> int | None:
        with self._lock:
            return self._todo.popleft() if self._todo else None

    def results(self) -> list[R]:
        """Every job's result, in the order of ``arguments``."""
        done: dict[int, R] = {}
        while (index := self._next_here()) is not None:
            done[index] = self._function(*self._arguments[index])
        with self._lock:
            self._executor = None  # nothing more is handed out
            remote = dict(self._remote)
        for index, future in remote.items():
            try:
                done[index] = future.result()
            except (BrokenExecutor, CancelledError):  # the worker died, or was ended
                done[index] = self._function(*self._arguments[index])
        # a job the feeding gave up on (broken pool) is back in the list
        while (index := self._next_here()) is not None:
            done[index] = self._function(*self._arguments[index])
        return [done[i] for i in range(len(self._arguments))]
