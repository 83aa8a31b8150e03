"""The rule registry: every rule the code reports is listed, documented and accepted by name.

Also what follows from it: ``validate`` reports every finding about a spec that
``generate`` does, and ``--severity`` refuses a rule id that does not exist.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from generator.diagnostics import Level
from generator.rules import RULES, UnknownRule, check_rule_id
from tests.conftest import ROOT

SPECS = ROOT / "tests" / "specs_generate"
RULE_ID = re.compile(r"^[a-z]+(-[a-z]+)+$")
#: the calls that make a diagnostic out of a rule id
REPORTERS = {"Diagnostic", "diagnostic", "report", "warn", "_LoadError", "raw"}


def _reported_rule_ids() -> dict[str, str]:
    """Rule ids passed as literals to a diagnostic-making call, with where they are."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "generator").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in REPORTERS:
                continue
            for arg in node.args:
                literal = arg.value if isinstance(arg, ast.Constant) else None
                if isinstance(literal, str) and RULE_ID.match(literal):
                    found.setdefault(literal, f"{path.name}:{node.lineno}")
    return found


def test_every_reported_rule_is_registered() -> None:
    reported = _reported_rule_ids()
    assert len(reported) > 30  # the scan sees the code's diagnostics
    missing = {rule: where for rule, where in reported.items() if rule not in RULES}
    assert not missing, f"add these to generator/rules.py: {missing}"


def test_every_registered_rule_is_reported_somewhere() -> None:
    assert set(RULES) - set(_reported_rule_ids()) == set()


def _readme_rules() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Rules", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z-]+)` \| (\w+) \| ([^|]+) \|", section, re.MULTILINE)
    return {rule: level for rule, level, _ in rows}


def test_the_readme_table_lists_exactly_the_rules_with_their_levels() -> None:
    assert _readme_rules() == {rule.id: str(rule.level) for rule in RULES.values()}


def test_check_rule_id_suggests_the_closest() -> None:
    assert check_rule_id("example-invalid") == "example-invalid"
    with pytest.raises(UnknownRule, match="did you mean 'example-invalid'") as info:
        check_rule_id("example-invalidd")
    assert "load-syntax" in str(info.value)  # lists the known ids


@pytest.mark.parametrize("command", ["validate", "generate"])
def test_an_unknown_severity_rule_is_a_usage_error(run_cli, tmp_path: Path, command: str) -> None:  # type: ignore[no-untyped-def]
    spec = str(SPECS / "minimal.openapi.yaml")
    args = (
        [spec] if command == "validate" else [spec, "--out", str(tmp_path / "o"), "--package", "p"]
    )
    result = run_cli(command, *args, "--severity", "nonexistent-rule=off")
    assert result.exit_code == 2
    assert "unknown rule 'nonexistent-rule'" in result.output
    assert "example-invalid" in result.output
    assert not (tmp_path / "o").exists()


def test_an_unknown_severity_rule_in_the_config_is_a_usage_error(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "pyproject.toml").write_text(
        "[[tool.clientgen.clients]]\n"
        f'spec = "{SPECS / "minimal.openapi.yaml"}"\n'
        'package = "p"\nout = "out"\n'
        'severity = { "exmple-invalid" = "off" }\n'
    )
    result = run_cli("validate", cwd=tmp_path)
    assert result.exit_code == 2
    assert "unknown rule 'exmple-invalid'" in result.output


def _finding_lines(output: str) -> list[str]:
    return sorted(
        line for line in output.splitlines() if re.search(r": (error|warning|info) \[", line)
    )


@pytest.mark.parametrize(
    "name", ["specs/structural/bad-parameter-location.yaml", "specs/lint/multi-problem.yaml"]
)
def test_validate_and_generate_agree_on_invalid_specs(run_cli, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    spec = str(ROOT / "tests" / name)
    checked = run_cli("validate", spec)
    generated = run_cli("generate", spec, "--out", str(tmp_path / "o"), "--package", "p")
    assert checked.exit_code == generated.exit_code == 1
    assert _finding_lines(checked.output) == _finding_lines(generated.output)
    assert not (tmp_path / "o").exists()


def test_an_error_is_not_echoed_by_what_follows_from_it(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("validate", str(ROOT / "tests/specs/structural/bad-parameter-location.yaml"))
    findings = _finding_lines(result.output)
    assert len(findings) == 1 and "[spec-invalid]" in findings[0], findings


def test_validate_reports_what_generate_reports(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = str(SPECS / "unsupported.openapi.yaml")
    checked = run_cli("validate", spec, "--strict")
    generated = run_cli(
        "generate", spec, "--out", str(tmp_path / "o"), "--package", "p", "--strict", "--no-cache"
    )
    assert checked.exit_code == generated.exit_code == 1
    findings = _finding_lines(checked.output)
    assert findings == _finding_lines(generated.output)
    rules = {re.search(r"\[([a-z-]+)\]", line).group(1) for line in findings}  # type: ignore[union-attr]
    assert rules == {
        "unsupported-parameter",
        "unsupported-media-type",
        "unsupported-callbacks",
        "unsupported-webhooks",
    }
    assert all(RULES[rule].level is Level.WARNING for rule in rules)


def test_an_unresolved_ref_is_reported_once(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = (SPECS / "minimal.openapi.yaml").read_text()
    text = text.replace('$ref: "#/components/schemas/Pet"', '$ref: "#/components/schemas/Pett"')
    text = text.replace(
        "        name: {type: string}\n",
        "        name: {type: string}\n      example: {id: '1', name: Rex}\n",
    )
    spec = tmp_path / "typo.yaml"
    spec.write_text(text)
    result = run_cli("validate", str(spec))
    assert result.exit_code == 1
    findings = _finding_lines(result.output)
    assert len(findings) == 1, findings
    assert "[ref-unresolved]" in findings[0]
    assert "did you mean #/components/schemas/Pet?" in findings[0]
    assert "PointerToNowhere" not in result.output and "'openapi'" not in result.output


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_repeated_key_is_an_error_at_the_second(run_cli, tmp_path: Path, suffix: str) -> None:  # type: ignore[no-untyped-def]
    if suffix == ".yaml":
        text = (SPECS / "minimal.openapi.yaml").read_text()
        text = text.replace(
            "      summary: Get a pet\n", "      summary: Get a pet\n      summary: Again\n"
        )
        where = (14, 7)
    else:
        text = (
            '{"openapi": "3.1.0",\n "info": {"title": "t", "version": "1"},\n'
            ' "paths": {},\n "info": {"title": "u", "version": "2"}}\n'
        )
        where = (4, 2)
    spec = tmp_path / f"dup{suffix}"
    spec.write_text(text)
    result = run_cli("validate", str(spec))
    assert result.exit_code == 1
    findings = _finding_lines(result.output)
    assert len(findings) == 1, findings
    line, column = where
    assert f"{spec.name}:{line}:{column}: error [load-duplicate-key]" in findings[0], findings
    assert "given twice" in findings[0]
