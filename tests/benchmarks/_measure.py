"""Run one command and report its wall time and peak memory as JSON (the harness's wrapper).

    python _measure.py --stdout FILE --stderr FILE --timeout SECONDS -- CMD...

Prints ``{"wall_s", "peak_rss_mb", "tree_peak_rss_mb", "tree_peak_pss_mb", "tree_pss_fallback",
"cpu_s", "returncode", "timed_out"}``.

* ``peak_rss_mb``: the ``ru_maxrss`` that ``wait4`` returns for the child: the largest
  resident set of any process in its tree (the kernel folds waited-for descendants in, e.g.
  the ruff that a generator runs).
* ``tree_peak_rss_mb``: the largest *sum* of the resident sets of all processes of the
  child's session alive at the same moment, sampled every 100 ms from ``/proc/PID/statm``
  (Linux; ``null`` elsewhere). What a generator that forks workers holds, which the largest
  process alone under-reports. But RSS counts a page that several processes share (a
  forked worker's untouched copy of its parent's heap, the shared libraries) once in *every*
  process, so this sum over-reports a forked tree and can never show the benefit of sharing
  read-only data between forked workers.
* ``tree_peak_pss_mb``: the same, summing the **proportional** set size (``Pss:`` of
  ``/proc/PID/smaps_rollup``) instead: a page shared by N processes counts 1/N in each, so the
  sum is what the tree really costs the machine, shared pages once. This is the honest sum
  for a forked tree (pages shared with processes outside the session, such as libc, count
  only their share). Reading ``smaps_rollup`` makes the kernel walk the process's page tables
  (about 1 ms per 100 MB mapped), so it is sampled every 250 ms. The sampling takes CPU
  from the run it measures, and more from a generator that uses both cores than from one
  that leaves a core idle: at 20 and 50 ms it took about a quarter of a core, and slowed
  clientgen's big runs by more than the peer's. A generator's memory peaks last seconds
  (a stage), so these intervals still see them. Where
  ``smaps_rollup`` cannot be read (kernels before 4.14, no permission) that process's RSS is
  summed instead and ``tree_pss_fallback`` is true.

Both tree peaks are sampled, so a peak shorter than the interval can be missed: they are
lower bounds. The sampling runs in this small process rather than in the harness because a
child's ``ru_maxrss`` starts at its parent's RSS at fork/exec: measured from the harness
(which holds parsed specs) small runs would all read as the harness's own size. The floor
here is this wrapper's size, about 10 MB. Wall time is taken here too, so it excludes this
wrapper's start.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass

__all__ = ["TreeSample", "main", "sample_session"]

_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / (1024 * 1024) if hasattr(os, "sysconf") else 0.0
#: seconds between two samples of the session's RSS, and of its PSS (dearer to read)
RSS_INTERVAL = 0.1
PSS_INTERVAL = 0.25


def _read(path: str) -> bytes:
    """The first 4 KB of a ``/proc`` file (plain ``os`` calls: this runs 50 times a second)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, 4096)
    finally:
        os.close(fd)


def _session_pids(session: int) -> list[int]:
    """The processes of ``session`` (field 6 of ``/proc/PID/stat``)."""
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            # the fields after ``(comm)``: state, ppid, pgrp, session
            if int(_read(f"/proc/{name}/stat").rsplit(b")", 1)[1].split()[3]) == session:
                pids.append(int(name))
        except (OSError, IndexError, ValueError):
            continue  # the process ended while it was read
    return pids


def _pss_mb(pid: int) -> float | None:
    """``Pss:`` of ``/proc/PID/smaps_rollup`` in MB; ``None`` when that file cannot be read."""
    try:
        data = _read(f"/proc/{pid}/smaps_rollup")
    except OSError as exc:
        if exc.errno == errno.ESRCH:
            return 0.0  # exiting: its memory map is already gone
        if exc.errno == errno.ENOENT and not os.path.exists(f"/proc/{pid}"):
            return 0.0  # the process ended
        return None  # no such file on this kernel, or not allowed
    for line in data.splitlines():
        if line.startswith(b"Pss:"):
            return int(line.split()[1]) / 1024  # kB
    return 0.0  # a zombie or kernel thread: no memory map


@dataclass(frozen=True)
class TreeSample:
    """One sample of a session: summed RSS, summed PSS (when asked for), PSS fallbacks."""

    rss_mb: float
    pss_mb: float | None
    pss_fallback: bool


def sample_session(session: int, *, pss: bool) -> TreeSample:
    """Sum the memory of every process in ``session`` now (PSS too when ``pss``)."""
    rss_total, pss_total, fallback = 0.0, 0.0, False
    for pid in _session_pids(session):
        try:
            rss = int(_read(f"/proc/{pid}/statm").split()[1]) * _PAGE_MB
        except (OSError, IndexError, ValueError):
            continue  # the process ended while it was read
        rss_total += rss
        if pss:
            value = _pss_mb(pid)
            if value is None:
                value, fallback = rss, True
            pss_total += value
    return TreeSample(rss_total, pss_total if pss else None, fallback)


class _TreeSampler(threading.Thread):
    """Samples the session until stopped; ``peak_rss`` / ``peak_pss`` are the largest sums."""

    def __init__(self, session: int) -> None:
        super().__init__(daemon=True)
        self.session = session
        self.available = os.path.exists("/proc/self/statm")
        self.peak_rss: float | None = 0.0 if self.available else None
        self.peak_pss: float | None = 0.0 if self.available else None
        self.pss_fallback = False
        self.stopped = threading.Event()

    def run(self) -> None:
        last_pss = float("-inf")
        while self.available and not self.stopped.wait(RSS_INTERVAL):
            now = time.monotonic()
            want_pss = now - last_pss >= PSS_INTERVAL
            if want_pss:
                last_pss = now
            sample = sample_session(self.session, pss=want_pss)
            self.peak_rss = max(self.peak_rss or 0.0, sample.rss_mb)
            if sample.pss_mb is not None:
                self.peak_pss = max(self.peak_pss or 0.0, sample.pss_mb)
                self.pss_fallback = self.pss_fallback or sample.pss_fallback


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stdout", required=True)
    parser.add_argument("--stderr", required=True)
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--cwd")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    with open(args.stdout, "wb") as out, open(args.stderr, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            command, cwd=args.cwd, stdout=out, stderr=err, start_new_session=True
        )
        expired = threading.Event()
        sampler = _TreeSampler(proc.pid)  # start_new_session: the child leads its session
        sampler.start()

        def kill() -> None:
            expired.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(args.timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
            sampler.stopped.set()
            sampler.join()
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    print(
        json.dumps(
            {
                "wall_s": wall,
                "peak_rss_mb": usage.ru_maxrss / 1024,
                "tree_peak_rss_mb": sampler.peak_rss,
                "tree_peak_pss_mb": sampler.peak_pss,
                "tree_pss_fallback": sampler.pss_fallback,
                "cpu_s": usage.ru_utime + usage.ru_stime,
                "returncode": proc.returncode,
                "timed_out": expired.is_set(),
            }
        )
    )


if __name__ == "__main__":
    main()
