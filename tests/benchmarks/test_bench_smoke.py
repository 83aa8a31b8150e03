"""The benchmark harness runs end to end in its quickest mode and writes its JSON result.

Only the shape of the result is checked, never a timing. The peer (openapi-python-client)
is used when it is installed (as in ``nox -s bench``) and skipped otherwise. The chat input
also runs the incremental measure (``--incremental-inputs chat``, one round) and the
no-bytecode generate, so every part of the harness runs; the byte identity of the
incremental outputs is checked, as it is a correctness fact rather than a timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "tests" / "benchmarks" / "run.py"
CHAT_SRC = ROOT / "generated" / "chat_client" / "src"


@pytest.mark.skipif(
    not (CHAT_SRC / "chat_client").is_dir(), reason="generated/chat_client is missing"
)
def test_quick_bench_on_the_chat_spec_writes_the_expected_json(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    done = subprocess.run(
        [
            sys.executable,
            str(RUN),
            "--quick",
            "--inputs",
            "chat",
            "--rounds",
            "1",
            "--calls",
            "20",
            "--incremental-inputs",
            "chat",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "targets:" in done.stdout

    result = json.loads(out.read_text())
    assert {
        "schema_version",
        "timestamp",
        "machine",
        "versions",
        "git",
        "config",
        "inputs",
        "per_call",
        "targets",
        "duration_s",
    } <= result.keys()
    assert result["config"]["inputs"] == ["chat"]
    assert result["config"]["rounds"] == 1

    chat = result["inputs"]["chat"]
    assert {"spec", "generate", "import"} <= chat.keys()
    ours = chat["generate"]["ours"]
    assert {"ok", "runs", "wall_s", "peak_rss_mb", "error"} <= ours.keys()
    assert len(ours["runs"]) == 1
    assert {"wall_s", "peak_rss_mb", "tree_peak_pss_mb", "returncode", "ok"} <= ours["runs"][
        0
    ].keys()
    assert {"tree_peak_rss_mb", "tree_peak_pss_mb", "tree_pss_fallback"} <= ours.keys()
    assert result["config"]["incremental_inputs"] == ["chat"]
    peer = chat["generate"]["peer"]
    assert "ok" in peer
    if result["config"]["peer"]:
        assert {"runs", "wall_s", "peak_rss_mb", "tree_peak_pss_mb"} <= peer.keys()
        if ours["ok"] and peer["ok"]:
            assert "tree_peak_pss" in chat["generate"]["ratio"]
    else:
        assert "skipped" in peer
    bare = chat["generate_no_bytecode"]
    assert {"ours", "peer"} <= bare.keys()
    assert len(bare["ours"]["runs"]) == 1
    if ours["ok"]:
        assert {"wall_s", "all_current", "runs"} <= chat["check"]["spec_args"].keys()
        assert "package" in chat["import"]["ours"]
        incremental = chat["incremental"]
        assert {"description", "add_operation"} <= incremental["edits"].keys()
        assert incremental["error"] is None
        for kind in ("description", "unchanged", "add_operation"):
            measured = incremental[kind]
            assert len(measured["runs"]) == 1
            assert {"wall_s", "ratio_to_cold_caching", "ratio_to_cold_no_cache"} <= measured.keys()
            assert measured["identical"] is True, measured["runs"][0].get("differences")
        assert incremental["cold_caching"]["wall_s"]["n"] == 1
    else:
        assert ours["error"]

    per_call = result["per_call"]
    if "error" not in per_call:
        assert {"raw_sync", "ours_sync", "raw_async", "ours_async"} <= per_call[
            "us_per_call"
        ].keys()
        assert {"ours/raw sync", "ours/raw async"} <= per_call["ratio"].keys()

    names = [t["target"] for t in result["targets"]]
    assert any("generate wall" in n for n in names)
    assert any("[#16] chat cold" in n and "no bytecode" in n for n in names)
    assert any("per-call" in n for n in names)
    for target in result["targets"]:
        assert target["status"] in {"PASS", "FAIL", "N/A"}
