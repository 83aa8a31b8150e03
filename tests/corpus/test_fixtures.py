"""Every fixture spec in ``tests/specs_generate`` generates a package that type-checks and imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpus.checks import generate, import_packages, mypy_strict

FIXTURES = sorted((Path(__file__).parents[1] / "specs_generate").glob("*.yaml"))


@pytest.mark.slow
def test_fixture_specs_generate_typecheck_and_import(tmp_path: Path) -> None:
    sources = {}
    for spec in FIXTURES:
        package = "fixture_" + spec.name.split(".")[0].replace("-", "_")
        result = generate(spec, package, tmp_path / package)
        assert result.status == "generated", f"{spec.name}: {result.reason}"
        sources[package] = tmp_path / package / "src"
    assert not mypy_strict(sources, cwd=tmp_path)
    assert not import_packages(sources, cwd=tmp_path)
