"""Run one command and report its wall time and peak RSS as JSON (the harness's wrapper).

    python _measure.py --stdout FILE --stderr FILE --timeout SECONDS -- CMD...

Prints ``{"wall_s", "peak_rss_mb", "tree_peak_rss_mb", "cpu_s", "returncode",
"timed_out"}``. The peak RSS is the ``ru_maxrss`` that ``wait4`` returns for the child: the
largest resident set of any process in its tree (the kernel folds waited-for descendants in,
e.g. the ruff that a generator runs). The tree peak is the largest *sum* of the resident
sets of all processes of the child's session alive at the same moment, sampled every 20 ms
from ``/proc`` (Linux; ``null`` elsewhere): what a generator that forks workers really holds,
which the largest process alone under-reports. Pages shared after a fork count once per
process, as the kernel's RSS counts them. It runs in this small process rather than in the harness because a child's
``ru_maxrss`` starts at its parent's RSS at fork/exec: measured from the harness (which holds
parsed specs) small runs would all read as the harness's own size. The floor here is this
wrapper's size, about 10 MB. Wall time is taken here too, so it excludes this wrapper's start.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / (1024 * 1024) if hasattr(os, "sysconf") else 0.0


def _session_rss_mb(session: int) -> float:
    """The summed resident set of every process in ``session``, from ``/proc``."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) != session:  # the fields after ``(comm)``: state, ppid, pgrp, session
                continue
            total += int((entry / "statm").read_text().split()[1]) * _PAGE_MB
        except (OSError, IndexError, ValueError):
            continue  # the process ended while it was read
    return total


class _TreeSampler(threading.Thread):
    """Samples the session's summed RSS until stopped; ``peak`` is the largest sum seen."""

    def __init__(self, session: int) -> None:
        super().__init__(daemon=True)
        self.session = session
        self.peak: float | None = 0.0 if Path("/proc/self/statm").exists() else None
        self.stopped = threading.Event()

    def run(self) -> None:
        while self.peak is not None and not self.stopped.wait(0.02):
            self.peak = max(self.peak, _session_rss_mb(self.session))


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
                "tree_peak_rss_mb": sampler.peak,
                "cpu_s": usage.ru_utime + usage.ru_stime,
                "returncode": proc.returncode,
                "timed_out": expired.is_set(),
            }
        )
    )


if __name__ == "__main__":
    main()
