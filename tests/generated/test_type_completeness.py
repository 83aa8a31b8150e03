"""``pyright --verifytypes chat_client --ignoreexternal`` scores the generated package 100%.

Every public symbol (client, resources, raw and streaming wrappers, exceptions, models) has a
declared type, so users' type checkers infer the same types everywhere. pyright comes from
PyPI (``pyright``, in the ``dev`` extra) and runs on node.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def _pyright() -> str:
    found = shutil.which("pyright", path=str(BIN))
    if found is None:
        pytest.skip("pyright is not installed (pip install -e '.[dev]')")
    return found


def test_verifytypes_reports_full_completeness(tmp_path: Path) -> None:
    env = {**os.environ, "VIRTUAL_ENV": sys.prefix, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        [_pyright(), "--verifytypes", "chat_client", "--ignoreexternal", "--outputjson"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=env,
        timeout=600,
    )
    report = json.loads(result.stdout)
    completeness = report["typeCompleteness"]
    assert completeness["packageName"] == "chat_client"
    assert completeness["exportedSymbolCounts"]["withKnownType"] > 50
    problems = [
        f"{d.get('file', '')}:{d.get('range', {}).get('start', {}).get('line', '')} {d['message']}"
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    ]
    assert completeness["completenessScore"] == 1.0, "\n".join(problems)
    assert problems == []
