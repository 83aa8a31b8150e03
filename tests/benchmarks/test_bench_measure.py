"""The memory sampler of ``_measure.py``: PSS counts the pages forked workers share once.

A parent touches 64 MB and forks two children that only sleep: the summed RSS counts the
shared heap three times, the summed PSS about once. No timing is checked.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.benchmarks._measure import sample_session

HERE = Path(__file__).resolve().parent

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/smaps_rollup").exists(), reason="needs Linux /proc smaps_rollup"
)


def test_pss_of_a_forked_tree_counts_shared_pages_once() -> None:
    code = """\
import os, time
heap = bytearray(64 * 1024 * 1024)
for i in range(0, len(heap), 4096):
    heap[i] = 1
for _ in range(2):
    if os.fork() == 0:
        break  # a child: forks no further
os.write(1, b"ready\\n")  # one write: the lines of the three processes do not interleave
time.sleep(30)
"""
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, start_new_session=True, text=True
    )
    try:
        assert proc.stdout is not None
        for _ in range(3):  # the parent and both children print
            assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.2)
        sample = sample_session(proc.pid, pss=True)
    finally:
        with contextlib.suppress(ProcessLookupError):  # its own group only (start_new_session)
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert sample.pss_mb is not None and not sample.pss_fallback
    assert sample.rss_mb > 3 * 64  # the heap once per process
    assert sample.pss_mb < 2 * 64  # the heap once in all
    assert sample.pss_mb > 64


def test_the_wrapper_reports_both_tree_peaks(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-S",
            str(HERE / "_measure.py"),
            "--stdout",
            str(tmp_path / "out"),
            "--stderr",
            str(tmp_path / "err"),
            "--",
            sys.executable,
            "-c",
            "import time; x = b'x' * (32 * 1024 * 1024); time.sleep(0.3)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)
    assert result["returncode"] == 0
    assert result["tree_peak_rss_mb"] > 32
    assert 32 < result["tree_peak_pss_mb"] <= result["tree_peak_rss_mb"]
