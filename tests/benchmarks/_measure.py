"""Run one command and report its wall time and peak RSS as JSON (the harness's wrapper).

    python _measure.py --stdout FILE --stderr FILE --timeout SECONDS -- CMD...

Prints ``{"wall_s", "peak_rss_mb", "cpu_s", "returncode", "timed_out"}``. The peak RSS is
the ``ru_maxrss`` that ``wait4`` returns for the child: the largest resident set of any
process in its tree (the kernel folds waited-for descendants in, e.g. the ruff that a
generator runs). It runs in this small process rather than in the harness because a child's
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
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    print(
        json.dumps(
            {
                "wall_s": wall,
                "peak_rss_mb": usage.ru_maxrss / 1024,
                "cpu_s": usage.ru_utime + usage.ru_stime,
                "returncode": proc.returncode,
                "timed_out": expired.is_set(),
            }
        )
    )


if __name__ == "__main__":
    main()
