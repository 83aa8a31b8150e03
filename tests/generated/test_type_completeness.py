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


GOOD = '''
from chat_client import ChatClient
from chat_client.models import ChatroomParticipant

client = ChatClient(server_variables={"tenant": "demo"})
participant: ChatroomParticipant = client.iw_erp.add_chatroom_participant(
    data={"chatroom": {"id": 7, "created": "2025-05-04T09:42:00Z"}, "first_name": "Ada"},
    timeout=5.0,
)
'''
MISSPELT = GOOD.replace('"id": 7', '"idd": 7')  # the typo, one level down
TOP_LEVEL = GOOD.replace('"first_name"', '"frist_name"')  # and at the top level
WRONG_TYPE = GOOD.replace('"id": 7', '"id": "seven"')


def _check(tmp_path: Path, source: str) -> dict[str, str]:
    """``{checker: output}`` of ``mypy --strict`` and ``pyright --strict`` on ``source``
    (the output is ``""`` when the checker accepts it)."""
    (tmp_path / "program.py").write_text(source, encoding="utf-8")
    (tmp_path / "pyrightconfig.json").write_text('{"typeCheckingMode": "strict"}', encoding="utf-8")
    env = {**os.environ, "VIRTUAL_ENV": sys.prefix, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    commands = {
        "mypy": [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "program.py"],
        "pyright": [_pyright(), "program.py"],
    }
    outputs: dict[str, str] = {}
    for name, command in commands.items():
        result = subprocess.run(
            command, capture_output=True, text=True, check=False, cwd=tmp_path, env=env, timeout=600
        )
        outputs[name] = "" if result.returncode == 0 else result.stdout + result.stderr
    return outputs


@pytest.mark.slow
def test_request_dicts_are_checked_by_mypy_and_pyright(tmp_path: Path) -> None:
    assert _check(tmp_path, GOOD) == {"mypy": "", "pyright": ""}
    misspelt = _check(tmp_path, MISSPELT)
    for checker in ("mypy", "pyright"):  # the dict is no ChatroomParticipantParam
        assert "ChatroomParticipantParam" in misspelt[checker], misspelt
    for source in (TOP_LEVEL, WRONG_TYPE):
        outputs = _check(tmp_path, source)
        assert all("ChatroomParticipantParam" in text for text in outputs.values()), outputs
