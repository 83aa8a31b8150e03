"""Jobs shared by this process and a one-worker pool: each runs once, results in order."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor

from generator.jobs import SharedJobs


def _square_where(value: int, pause: float) -> tuple[int, int]:
    time.sleep(pause)
    return value * value, os.getpid()


def _die_in_a_worker(value: int, parent: int) -> tuple[int, int]:
    if os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    return value * value, os.getpid()


def _pool() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))


def test_without_a_pool_every_job_runs_here_in_order() -> None:
    jobs = SharedJobs(_square_where, [(n, 0.0) for n in range(5)])
    results = jobs.results()
    assert [value for value, _ in results] == [0, 1, 4, 9, 16]
    assert {pid for _, pid in results} == {os.getpid()}


def test_both_sides_take_jobs_from_opposite_ends() -> None:
    with _pool() as pool:
        jobs = SharedJobs(_square_where, [(n, 0.2) for n in range(6)], pool)
        results = jobs.results()
    assert [value for value, _ in results] == [n * n for n in range(6)]
    here = [i for i, (_, pid) in enumerate(results) if pid == os.getpid()]
    there = [i for i, (_, pid) in enumerate(results) if pid != os.getpid()]
    assert here and there  # both worked
    assert here == list(range(len(here)))  # this process from the front
    assert there == list(range(len(here), 6))  # the worker from the back


def test_a_dead_worker_hands_its_jobs_back() -> None:
    with _pool() as pool:
        jobs = SharedJobs(_die_in_a_worker, [(n, os.getpid()) for n in range(3)], pool)
        results = jobs.results()
    assert [value for value, _ in results] == [0, 1, 4]
    assert {pid for _, pid in results} == {os.getpid()}


def test_then_gives_the_worker_more_once_it_has_no_job_left() -> None:
    with _pool() as pool:
        handed: list[object] = []
        jobs = SharedJobs(
            _square_where,
            [(n, 0.2) for n in range(4)],
            pool,
            then=lambda: handed.append(pool.submit(os.getpid)),
        )
        results = jobs.results()
        there = [i for i, (_, pid) in enumerate(results) if pid != os.getpid()]
        assert there  # the worker took parts first
        deadline = time.monotonic() + 10
        while not handed and time.monotonic() < deadline:
            time.sleep(0.01)  # called from the pool's thread as the worker's last job ends
        assert len(handed) == 1
        assert handed[0].result() == results[there[0]][1]  # type: ignore[attr-defined]


def test_then_is_called_at_once_when_there_is_no_job() -> None:
    with _pool() as pool:
        handed: list[int] = []
        SharedJobs(_square_where, [], pool, then=lambda: handed.append(1)).results()
    assert handed == [1]


def test_a_broken_worker_is_given_nothing_more() -> None:
    with _pool() as pool:
        handed: list[int] = []
        jobs = SharedJobs(
            _die_in_a_worker,
            [(n, os.getpid()) for n in range(4)],
            pool,
            then=lambda: handed.append(1),
        )
        results = jobs.results()
    assert [value for value, _ in results] == [0, 1, 4, 9]
    assert handed == []
