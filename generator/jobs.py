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
from collections.abc import Callable, Sequence
from concurrent.futures import BrokenExecutor, CancelledError, Executor, Future
from typing import Generic, TypeVar

__all__ = ["SharedJobs"]

R = TypeVar("R")


class SharedJobs(Generic[R]):
    """``function(*arguments[i])`` for every ``i``, here and in ``executor`` (if any).

    ``function`` and the arguments must be picklable when an executor is given. ``then``
    is called once the worker is left without a job (at once when there is none for it):
    it may give the worker other work, such as checks this process would otherwise do.
    It is not called when the worker broke (the jobs it had run here; the other work
    should too).
    """

    def __init__(
        self,
        function: Callable[..., R],
        arguments: Sequence[tuple[object, ...]],
        executor: Executor | None = None,
        then: Callable[[], object] | None = None,
    ) -> None:
        self._function = function
        self._arguments = list(arguments)
        self._todo: deque[int] = deque(range(len(arguments)))
        self._remote: dict[int, Future[R]] = {}
        self._lock = threading.Lock()
        self._executor = executor
        self._then = then if executor is not None else None
        if executor is not None:
            self._feed()

    def _feed(self, finished: Future[R] | None = None) -> None:
        """Give the worker the last job left (called again as each of its jobs ends); with
        none left, call ``then``."""
        if finished is not None and (finished.cancelled() or finished.exception() is not None):
            return  # a broken worker takes no more; what is left runs here
        with self._lock:
            executor = self._executor
            if executor is None or not self._todo:
                then, self._then = self._then, None
                future = None
            else:
                index = self._todo.pop()
                try:
                    future = executor.submit(self._function, *self._arguments[index])
                except (BrokenExecutor, RuntimeError):  # broken or shut down: run it here
                    self._todo.append(index)
                    self._executor = self._then = None
                    return
                self._remote[index] = future
        if future is not None:
            future.add_done_callback(self._feed)
        elif then is not None:
            then()

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
