"""Releases in a project: the record, the version check, the override and the changelog.

A throw-away project (pyproject.toml with one client of the fixture spec
``tests/diff/base.openapi.yaml``, version 1.2.3) is generated and released; then the spec, the
version, or the generator itself changes, and ``generate``, ``generate --check``, ``diff``,
``accept`` and ``release`` are run in-process as a developer and CI would run them.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from generator import render
from generator.changes import Change
from generator.release import ACCEPTED, CHANGELOG, RECORD, Accepted, Record, changelog, verdict

BASE = Path(__file__).parent / "diff" / "base.openapi.yaml"

Run = Callable[..., Result]


#: each of these generates and releases a project (mypy checks its README examples): ~20 s
slow = pytest.mark.slow


@pytest.fixture
def project(tmp_path: Path, run_cli: Any) -> Path:
    """A project whose client ``shop`` was generated and released at 1.2.3."""
    (tmp_path / "spec").mkdir()
    shutil.copy(BASE, tmp_path / "spec" / "shop.openapi.yaml")
    (tmp_path / "pyproject.toml").write_text(
        '[[tool.clientgen.clients]]\nspec = "spec/shop.openapi.yaml"\npackage = "shop"\n'
        'out = "generated/shop"\n',
        encoding="utf-8",
    )
    assert run_cli("generate", cwd=tmp_path).exit_code == 0
    released = run_cli("release", cwd=tmp_path)
    assert released.exit_code == 0, released.output
    assert (tmp_path / "release" / "shop" / RECORD).is_file()
    return tmp_path


def _edit(project: Path, old: str, new: str) -> None:
    spec = project / "spec" / "shop.openapi.yaml"
    text = spec.read_text(encoding="utf-8")
    assert text.count(old) == 1
    spec.write_text(text.replace(old, new), encoding="utf-8")


def _changelog(project: Path) -> str:
    return (project / "generated" / "shop" / CHANGELOG).read_text(encoding="utf-8")


@slow
def test_a_generator_only_change_is_caught_by_the_package_check(
    project: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A naming change in the generator renames a method: the spec is the same, the API is not."""
    original = render.build_view

    def renamed(*args: Any, **kwargs: Any) -> render.PackageView:
        view = original(*args, **kwargs)
        resources = tuple(
            dataclasses.replace(
                r,
                methods=tuple(
                    dataclasses.replace(m, name="fetch_order") if m.name == "get_order" else m
                    for m in r.methods
                ),
            )
            for r in view.client.resources
        )
        return dataclasses.replace(
            view, client=dataclasses.replace(view.client, resources=resources)
        )

    monkeypatch.setattr(render, "build_view", renamed)
    assert run_cli("generate", cwd=project).exit_code == 0  # a warning: version-too-low
    result = run_cli("diff", "--no-typecheck", cwd=project)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    removed = [line for line in lines if ": breaking [package-object-removed]" in line]
    assert any("OrdersResource.get_order" in line for line in removed), result.stdout
    assert all(
        re.match(r"generated/shop/src/shop/resources/orders\.py:\d+:1: breaking", line)
        for line in removed
    )
    assert not any(
        "[request-" in line or "[operation-" in line for line in lines
    )  # the spec is as released
    assert "the next release must be 2.0.0 or higher" in result.stdout
    check = run_cli("generate", "--check", cwd=project)
    assert check.exit_code == 1
    assert "error [version-too-low]" in check.output
    assert "spec/shop.openapi.yaml:4:" in check.output  # at info.version
    assert "package-object-removed" in check.output and "2.0.0" in check.output


@slow
def test_the_version_follows_the_change_and_the_changelog_keeps_history(
    project: Path, run_cli: Any
) -> None:
    first = _changelog(project)
    assert "## 1.2.3\n\nFirst release.\n" in first
    _edit(project, "required: [customer]", "required: [customer, quantity]")
    assert run_cli("generate", cwd=project).exit_code == 0
    refused = run_cli("generate", "--check", cwd=project)
    assert refused.exit_code == 1
    assert re.search(
        r"spec/shop\.openapi\.yaml:4:\d+: error \[version-too-low\] info\.version 1\.2\.3 is lower "
        r"than 2\.0\.0, .*request-property-required\] orders\.create_order: argument 'quantity' is "
        r"now required \(spec/shop\.openapi\.yaml:\d+:\d+\)",
        refused.output,
    ), refused.output

    # a deliberate exception: 1.3.0 with the reason in the changelog
    _edit(project, "version: 1.2.3", "version: 1.3.0")
    assert run_cli("generate", "--check", cwd=project).exit_code == 1  # still too low
    accepted = run_cli("accept", "No client sends orders without a quantity.", cwd=project)
    assert accepted.exit_code == 0
    assert (project / "release" / "shop" / ACCEPTED).is_file()
    assert run_cli("generate", cwd=project).exit_code == 0
    assert run_cli("generate", "--check", cwd=project).exit_code == 0
    text = _changelog(project)
    assert text.index("## 1.3.0") < text.index("## 1.2.3")
    assert (
        "> Released as 1.3.0 although the changes call for 2.0.0: No client sends orders "
        "without a quantity." in text
    )
    assert "### Breaking\n\n- orders.create_order: argument 'quantity' is now required\n" in text

    # the right version, no exception needed
    (project / "release" / "shop" / ACCEPTED).unlink()
    _edit(project, "version: 1.3.0", "version: 2.0.0")
    assert run_cli("generate", cwd=project).exit_code == 0
    assert run_cli("generate", "--check", cwd=project).exit_code == 0
    assert run_cli("release", cwd=project).exit_code == 0
    released = _changelog(project)
    assert released.startswith(first.split("## 1.2.3")[0])  # the head is kept
    assert released.endswith(first[first.index("## 1.2.3") :])  # the first section byte for byte

    # a fix after the release: a new section on top, the released ones unchanged
    _edit(project, "summary: Get an order", "summary: Fetch one order")
    _edit(project, "version: 2.0.0", "version: 2.0.1")
    assert run_cli("generate", "--check", cwd=project).exit_code == 1  # stale: changelog and more
    assert run_cli("generate", cwd=project).exit_code == 0
    assert run_cli("generate", "--check", cwd=project).exit_code == 0
    latest = _changelog(project)
    assert latest.endswith(released[released.index("## 2.0.0") :])
    assert "## 2.0.1\n\n### Fixed\n\n- orders.get_order: summary changed\n" in latest
    assert (
        "no change since release 2.0.0" not in run_cli("diff", "--no-typecheck", cwd=project).stdout
    )


def test_a_changelog_section_lists_changes_by_section() -> None:
    changes = [
        Change("request-property-required", "a.b: argument 'x' is now required"),
        Change("operation-added", "a.c: new method (GET /c)"),
        Change("description-changed", "a.b: summary changed"),
    ]
    record = Record(Path("."), "p", "1.0.0", Accepted("1.1.0", "why"))
    judged = verdict(record, "1.1.0", changes)
    assert judged.ok and judged.overridden and judged.required == "2.0.0"
    text = changelog(
        released="<!-- h -->\n# Changelog\n\n## 1.0.0\n\nFirst release.\n",
        version="1.1.0",
        changes=changes,
        verdict_=judged,
        distribution="p",
        header="# h",
    )
    assert text == (
        "<!-- h -->\n# Changelog\n\n## 1.1.0\n\n> Released as 1.1.0 although the changes call "
        "for 2.0.0: why\n\n### Breaking\n\n- a.b: argument 'x' is now required\n\n### Added\n\n"
        "- a.c: new method (GET /c)\n\n### Fixed\n\n- a.b: summary changed\n\n"
        "## 1.0.0\n\nFirst release.\n"
    )


def test_a_lower_version_than_released_is_refused_even_without_changes() -> None:
    judged = verdict(Record(Path("."), "p", "1.0.0"), "0.9.0", [])
    assert not judged.ok
    assert "lower than the released 1.0.0" in judged.explain()


def test_package_findings_the_spec_explains_are_reported_once() -> None:
    from generator.surface import unexplained

    spec_level = [
        Change("request-parameter-removed", "orders.get_order: argument 'x_trace' removed")
    ]
    explained = Change(
        "package-parameter-removed",
        "shop.resources.orders.OrdersResource.get_order: parameter 'x_trace': parameter was removed",
    )
    own = Change(
        "package-object-removed",
        "shop.resources.orders.OrdersResource.get_order_v2: public object was removed",
    )
    assert unexplained([explained, own], spec_level) == [own]
