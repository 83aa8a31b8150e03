"""Real specs written by others (``tests/corpus/specs``) generate whole, type-check and import.

OpenAI (3.1, multipart uploads), Stripe (3.0, every body a form with ``deepObject``
nesting) and openapi-python-client's own end-to-end specs each generate a package with
every operation the spec declares, using at most the documented ``--severity``
relaxations for the spec violations they contain (listed per spec below). Every module
of each package imports, and the packages pass ``mypy --strict``.
openapi-python-client's broken documents are each refused with a located error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator.diagnostics import Level
from generator.schemas import iter_operations
from tests.corpus.checks import Result, generate, import_packages, mypy_strict

pytestmark = pytest.mark.slow

SPECS = Path(__file__).parent / "specs"
OPC = SPECS / "openapi-python-client"

#: the genuine violations each spec has, re-levelled to warnings as a user would
_VIOLATIONS = ("spec-invalid", "default-invalid", "example-invalid")
VENDOR = {
    "openai": (SPECS / "openai.openapi.yaml", _VIOLATIONS),
    "stripe": (SPECS / "stripe.spec3.yaml", ()),
    "opc_baseline_30": (OPC / "baseline_openapi_3.0.json", ("spec-invalid", "default-invalid")),
    "opc_baseline_31": (OPC / "baseline_openapi_3.1.yaml", ("spec-invalid", "default-invalid")),
    "opc_31_specific": (OPC / "3.1_specific.openapi.yaml", ()),
    "opc_enums": (OPC / "openapi_3.1_enums.yaml", ()),
    "opc_docstrings": (OPC / "docstrings_on_attributes.yml", ()),
}


def _operations(spec: Path) -> int:
    """How many operations the spec declares (``$ref`` path items resolved)."""
    with spec.open(encoding="utf-8") as file:
        document = yaml.load(file, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    paths = document.get("paths") or {}
    resolved = {}
    for path, item in paths.items():
        ref = item.get("$ref") if isinstance(item, dict) else None
        if isinstance(ref, str) and ref.startswith("#/"):
            target = document
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            item = target
        resolved[path] = item
    return sum(1 for _ in iter_operations({"paths": resolved}))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Result, Path]]:
    work = tmp_path_factory.mktemp("vendor")
    results = {}
    for package, (spec, relaxed) in VENDOR.items():
        severity = tuple((rule, Level.WARNING) for rule in relaxed)
        out = work / package
        results[package] = (generate(spec, package, out, severity=severity), out)
    return results


@pytest.mark.parametrize("package", sorted(VENDOR))
def test_every_operation_is_generated(
    generated: dict[str, tuple[Result, Path]], package: str
) -> None:
    result, out = generated[package]
    assert result.status == "generated", result.reason
    spec = VENDOR[package][0]
    resources = (out / "src" / package / "resources").glob("*.py")
    methods = sum(text.count(" = Operation(") for text in (p.read_text() for p in resources))
    assert methods == _operations(spec)


def test_every_module_imports_and_type_checks(
    generated: dict[str, tuple[Result, Path]], tmp_path: Path
) -> None:
    sources = {
        package: out / "src"
        for package, (result, out) in generated.items()
        if result.status == "generated"
    }
    assert set(sources) == set(VENDOR)
    assert not import_packages(sources, cwd=tmp_path)
    errors = mypy_strict(sources, cwd=tmp_path)
    assert not errors, "\n".join(line for lines in errors.values() for line in lines[:20])


@pytest.mark.parametrize("spec", sorted((OPC / "documents_with_errors").glob("*.yaml")), ids=str)
def test_broken_documents_are_refused_located(spec: Path, tmp_path: Path) -> None:
    result = generate(spec, "broken", tmp_path / "broken")
    assert result.status == "refused", result.reason
