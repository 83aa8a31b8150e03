"""``clientgen diff``: the change catalogue (tests/diff/cases.yaml), each case through the CLI.

Every case edits the fixture spec ``tests/diff/base.openapi.yaml`` (version 1.2.3) and checks
that the diff reports the change with its rule and level, at the right line of the new spec, and
that the version required is the right one (breaking 2.0.0, feature 1.3.0, fix 1.2.4). The new
spec keeps ``info.version: 1.2.3``, so each run also exits 1: the version is too low.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.changes import CHANGE_RULES
from generator.release import required_version

CASES_DIR = Path(__file__).parent / "diff"
BASE = CASES_DIR / "base.openapi.yaml"
CASES: list[dict[str, Any]] = yaml.safe_load((CASES_DIR / "cases.yaml").read_text(encoding="utf-8"))


def _edited(case: dict[str, Any]) -> str:
    text = BASE.read_text(encoding="utf-8")
    for old, new in case["edits"]:
        assert text.count(old) == 1, f"{case['name']}: {old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def _line_of(text: str, needle: str, offset: int) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number + offset
    raise AssertionError(f"{needle!r} is not in the new spec")


def test_the_catalogue_covers_every_spec_rule() -> None:
    spec_rules = {
        rule
        for rule in CHANGE_RULES
        if not rule.startswith(("package-", "example-type"))
        and rule != "response-type-narrowed"  # the base has no union response to narrow
    }
    covered = {case["rule"] for case in CASES}
    assert len(CASES) >= 30
    assert spec_rules - covered == set()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_change_is_classified_located_and_bumped(
    run_cli, tmp_path: Path, case: dict[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    text = _edited(case)
    new = tmp_path / "shop.openapi.yaml"
    new.write_text(text, encoding="utf-8")
    result = run_cli(
        "diff",
        str(new),
        "--base",
        str(BASE),
        "--package",
        "shop",
        "--format",
        "json",
        "--no-typecheck",
    )
    assert result.exit_code == 1, result.output  # info.version 1.2.3 stayed: too low
    (report,) = json.loads(result.stdout)
    found = [
        c
        for c in report["changes"]
        if c["rule"] == case["rule"] and case["message"] in c["message"]
    ]
    assert found, json.dumps(report["changes"], indent=1)
    change = found[0]
    assert change["level"] == case["level"]
    assert change["file"].endswith("shop.openapi.yaml")
    assert change["line"] == _line_of(text, case["at"], case.get("offset", 0)), change
    assert report["required"] == case["bump"]
    assert report["ok"] is False


def test_text_output_is_one_located_line_per_change(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = BASE.read_text(encoding="utf-8").replace(
        "required: [customer]", "required: [customer, quantity]"
    )
    new = tmp_path / "shop.openapi.yaml"
    new.write_text(text, encoding="utf-8")
    result = run_cli("diff", str(new), "--base", str(BASE), "--package", "shop", "--no-typecheck")
    assert result.exit_code == 1
    line = _line_of(text, "required: [customer, quantity]", 0)
    assert (
        f"shop.openapi.yaml:{line}:15: breaking [request-property-required] "
        "orders.create_order: argument 'quantity' is now required"
    ) in result.stdout
    assert "Set info.version to 2.0.0 (or higher)" in result.stdout


def test_an_unchanged_spec_needs_no_new_version(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("diff", str(BASE), "--base", str(BASE), "--package", "shop", "--no-typecheck")
    assert result.exit_code == 0, result.output
    assert "no change since release 1.2.3" in result.stdout


def test_a_right_version_passes_and_markdown_lists_the_changes(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = BASE.read_text(encoding="utf-8").replace("maxLength: 64", "maxLength: 32")
    new = tmp_path / "shop.openapi.yaml"
    new.write_text(text.replace("version: 1.2.3", "version: 2.0.0"), encoding="utf-8")
    result = run_cli(
        "diff",
        str(new),
        "--base",
        str(BASE),
        "--package",
        "shop",
        "--format",
        "markdown",
        "--no-typecheck",
    )
    assert result.exit_code == 0, result.output
    assert "| breaking | `request-constraint-tightened` |" in result.stdout
    assert "info.version is 2.0.0: ok" in result.stdout


@pytest.mark.parametrize(
    ("released", "kind", "required"),
    [
        ("1.2.3", "breaking", "2.0.0"),
        ("1.2.3", "feature", "1.3.0"),
        ("1.2.3", "fix", "1.2.4"),
        ("1.2.3", None, "1.2.3"),
        ("0.4.2", "breaking", "0.5.0"),
        ("0.4.2", "feature", "0.4.3"),
        ("0.4.2", "fix", "0.4.3"),
    ],
)
def test_required_version(released: str, kind: Any, required: str) -> None:
    assert required_version(released, kind) == required


def test_the_readme_lists_exactly_the_change_rules() -> None:
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = text.split("## Releasing", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z-]+)` \| (\w+) \| (\w+) \| (\w+) \|", section, re.MULTILINE)
    assert rows == [(r.id, r.level, r.kind, r.section) for r in CHANGE_RULES.values()]


def test_base_may_be_a_git_ref(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    spec = tmp_path / "shop.openapi.yaml"
    spec.write_text(BASE.read_text(encoding="utf-8"), encoding="utf-8")
    git = [
        "git",
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.test",
        "-c",
        "commit.gpgsign=false",
    ]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", spec.name], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "base"], cwd=tmp_path, check=True)
    spec.write_text(
        BASE.read_text(encoding="utf-8").replace(
            "enum: [open, shipped]", "enum: [open, shipped, lost]"
        ),
        encoding="utf-8",
    )
    result = run_cli("diff", str(spec), "--base", "HEAD", "--package", "shop", "--no-typecheck")
    assert result.exit_code == 1, result.output
    assert (
        "warning [response-enum-value-added] orders.get_order() -> Order.status now may return"
        in (result.stdout)
    )
    assert "the next release must be 1.3.0 or higher" in result.stdout
    unknown = run_cli("diff", str(spec), "--base", "no-such-ref", "--package", "shop")
    assert unknown.exit_code == 2
    assert "neither a file nor a git ref" in unknown.output
