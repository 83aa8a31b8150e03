"""Every OpenAPI 3.0 and 3.1 JSON document of ``@readme/oas-examples`` through the generator.

Each document either generates a package that imports and passes ``mypy --strict``,
or is refused with a located diagnostic; anything else (a crash, a package that
does not type-check or import, a refusal for the generator's own failure) fails.
``expected.json`` records each document's status; the number of passing documents
may only grow (raise ``minimum_passing`` there when it does).

The corpus comes from npm (``tests/npm/package.json``); ``CLIENTGEN_NPM_DIR`` points
at the folder ``npm ci`` installed it into (default ``tests/npm``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator import naming
from generator.diagnostics import Diagnostics
from generator.ir import Api
from generator.load import load_spec
from generator.names import Names, name_package
from generator.operations import build_api
from tests.conftest import npm_dir
from tests.corpus.checks import Result, generate, import_packages, mypy_strict

pytestmark = pytest.mark.slow

EXPECTED_FILE = Path(__file__).with_name("expected.json")
CORPUS = npm_dir() / "node_modules" / "@readme" / "oas-examples"


def corpus_specs() -> list[tuple[str, Path]]:
    """``("3.0/petstore.json", path)`` for every 3.0 and 3.1 JSON document."""
    return [
        (f"{version}/{path.name}", path)
        for version in ("3.0", "3.1")
        for path in sorted((CORPUS / version / "json").glob("*.json"))
    ]


def package_name(label: str) -> str:
    return "corpus_" + naming.snake_case(label.removesuffix(".json").replace(".", " "))


def _require_corpus() -> None:
    if not corpus_specs():
        pytest.skip(
            f"the npm spec corpus is not installed in {CORPUS} (run `npm ci --prefix tests/npm`)"
        )


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Result]:
    """Generate, type-check and import the whole corpus once."""
    _require_corpus()
    work = tmp_path_factory.mktemp("corpus")
    outcome: dict[str, Result] = {}
    sources: dict[str, Path] = {}
    for label, path in corpus_specs():
        package = package_name(label)
        result = generate(path, package, work / package, label=label)
        outcome[label] = result
        if result.status == "generated":
            sources[package] = work / package / "src"
    by_package = {r.package: r for r in outcome.values()}
    for package, errors in mypy_strict(sources, cwd=work).items():
        target = by_package.get(package)
        for result in (
            [target] if target else [r for r in outcome.values() if r.status == "generated"]
        ):
            result.problems += [f"mypy: {e}" for e in errors]
    for package, error in import_packages(sources, cwd=work).items():
        target = by_package.get(package)
        for result in (
            [target] if target else [r for r in outcome.values() if r.status == "generated"]
        ):
            result.problems.append(f"import: {error}")
    return outcome


def _report(results: dict[str, Result]) -> str:
    lines = []
    for label, result in results.items():
        state = "pass" if result.passed else result.status
        detail = result.reason or "; ".join(p[:300] for p in result.problems[:3])
        lines.append(f"  {label:<45} {state:<9} {detail}")
    return "\n".join(lines)


def test_corpus_is_installed() -> None:
    _require_corpus()
    expected = json.loads(EXPECTED_FILE.read_text(encoding="utf-8"))["specs"]
    assert sorted(expected) == sorted(label for label, _ in corpus_specs()), (
        "expected.json does not list exactly the corpus documents; update it"
    )


def test_nothing_crashes_or_fails(results: dict[str, Result]) -> None:
    """Each document passes or is refused for a located reason; nothing else."""
    bad = {
        label: r
        for label, r in results.items()
        if r.status == "failed" or (r.status == "generated" and r.problems)
    }
    assert not bad, "documents the generator failed on:\n" + _report(bad)


def test_pass_count_never_drops(results: dict[str, Result]) -> None:
    data = json.loads(EXPECTED_FILE.read_text(encoding="utf-8"))
    passing = sorted(label for label, r in results.items() if r.passed)
    lost = sorted(
        label
        for label, status in data["specs"].items()
        if status == "pass" and label not in passing
    )
    assert len(passing) >= data["minimum_passing"] and not lost, (
        f"{len(passing)} documents pass, at least {data['minimum_passing']} must; no longer passing: {lost}\n"
        + _report(results)
    )


def test_refusals_are_the_expected_ones(results: dict[str, Result]) -> None:
    """A newly refused document is a regression; a newly passing one should be recorded."""
    expected = json.loads(EXPECTED_FILE.read_text(encoding="utf-8"))["specs"]
    actual = {label: ("pass" if r.passed else r.status) for label, r in results.items()}
    newly_refused = {
        k: results[k].reason
        for k, v in actual.items()
        if v == "refused" and expected.get(k) != "refused"
    }
    assert not newly_refused, f"newly refused: {newly_refused}"


def test_skipped_parts_are_located_warnings(results: dict[str, Result]) -> None:
    """What the generator leaves out is reported with a file, line and JSON pointer."""
    for result in results.values():
        for warning in result.warnings:
            assert warning.file and warning.line and warning.pointer, warning.format()


# -- the per-client rules, on the intermediate model of every generated document --------------


def _api(path: Path) -> Api:
    diagnostics = Diagnostics()
    spec = load_spec(path, diagnostics)
    assert spec is not None
    return build_api(spec, diagnostics)


def _named(path: Path, package: str) -> tuple[Api, Names]:
    """The intermediate model and its names (bodies taken whole: no models are generated)."""
    api = _api(path)
    return api, name_package(api, {}, package)


def _document(path: Path) -> dict[str, object]:
    document: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return document


@pytest.mark.parametrize(
    ("label", "path"), corpus_specs() or [pytest.param("", Path(), marks=pytest.mark.skip)]
)
def test_general_rules(label: str, path: Path) -> None:
    """One resource per tag, one method per operation, one credential per scheme."""
    api, names = _named(path, package_name(label))
    attributes = [names.resource(r).attribute for r in api.resources]
    assert len(set(attributes)) == len(attributes)
    assert len({r.tag for r in api.resources}) == len(api.resources)
    for resource in api.resources:
        attribute = names.resource(resource).attribute
        assert naming.is_identifier(attribute)
        assert attribute.rstrip("_") == naming.identifier(resource.tag).rstrip("_")
        methods = [names.method(op).name for op in resource.operations]
        assert len(set(methods)) == len(methods), methods
        for op in resource.operations:
            method = names.method(op)
            assert op.tag == resource.tag
            assert naming.is_identifier(method.name)
            assert method.name.rstrip("_") == naming.identifier(op.operation_id).rstrip("_")
            arguments = [k.name for k in method.keywords]
            assert len(set(arguments)) == len(arguments)
            assert all(naming.is_identifier(a) for a in arguments)
    credentials = [names.credentials[s.name] for s in api.security_schemes]
    keywords = [c.keyword for c in credentials]
    env_vars = [c.env_var for c in credentials]
    assert len(set(keywords)) == len(keywords) and len(set(env_vars)) == len(env_vars)
    for credential in credentials:
        assert naming.is_identifier(credential.keyword)
        assert credential.env_var == naming.env_var_name(package_name(label), credential.keyword)


def _find(api: Api, method: str, path: str) -> object:
    return next(op for op in api.operations if op.method == method and op.path == path)


def test_servers_per_operation() -> None:
    """Operation servers win over path-item servers, which win over the document's."""
    _require_corpus()
    path = CORPUS / "3.0" / "json" / "server-variables.json"
    api = _api(path)
    urls = {(op.method, op.path): [s.url for s in op.servers] for op in api.operations}
    top = [s["url"] for s in _document(path)["servers"]]  # type: ignore[index, union-attr]
    assert urls[("POST", "/global")] == top
    assert urls[("POST", "/operation")] == [
        "https://httpbin.com/anything/{subpath}",
        "http://httpbin.com/anything/alt/{subpath}",
    ]
    assert urls[("PUT", "/path")] == [
        "https://httpbin.com/anything/common/{subpath}",
        "http://httpbin.com/anything/alt-common/{subpath}",
    ]
    assert urls[("PUT", "/combo")][0] == "https://httpbin.com/anything/{subpath}"

    path = CORPUS / "3.0" / "json" / "server-path-level.json"
    api = _api(path)
    urls = {op.path: [s.url for s in op.servers] for op in api.operations}
    assert urls["/relative-path-server"] == ["/v2"]
    assert urls["/relative-operation-server"] == ["/v3"]
    assert urls["/operation-server-variables"] == ["https://operation.example.com/{version}"]
    assert urls["/path-item-ref-server"] == [
        "https://path-item-ref.example.com"
    ]  # a $ref path item
    assert urls["/empty-operation-servers"] == ["https://empty-operation-path.example.com"]
    assert urls["/empty-path-item-servers"][0].startswith("https://{name}.example.com")


def test_servers_in_generated_code(
    results: dict[str, Result], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Each generated operation constant names exactly the servers of its operation."""
    del results  # generated once by the fixture; regenerate one small document here to read it
    out = tmp_path_factory.mktemp("servers") / "pkg"
    path = CORPUS / "3.0" / "json" / "server-variables.json"
    assert generate(path, "corpus_servers", out).status == "generated"
    src = out / "src" / "corpus_servers"
    spec_py = (src / "_spec.py").read_text(encoding="utf-8")
    servers = dict(re.findall(r'^(SERVER_\d+) = Server\(\s*"([^"]+)"', spec_py, re.MULTILINE))
    resources = {p.stem: p.read_text(encoding="utf-8") for p in (src / "resources").glob("*.py")}
    assert {"global_", "operation", "path"} <= set(resources) or {
        "global",
        "operation",
        "path",
    } & set(resources)
    operation = resources["operation"]
    used = re.findall(r"_spec\.(SERVER_\d+)", operation.split("class ")[0])
    assert {servers[u] for u in used} >= {"https://httpbin.com/anything/{subpath}"}
    assert not any(servers[u].startswith("https://{name}") for u in used)


def test_credentials_per_scheme() -> None:
    """Each supported security scheme is one keyword and one environment variable."""
    _require_corpus()
    path = CORPUS / "3.0" / "json" / "security-multiple.json"
    api, names = _named(path, "corpus_security")
    by_name = {s.name: s for s in api.security_schemes}
    assert set(by_name) == set(_document(path)["components"]["securitySchemes"])  # type: ignore[index]
    assert names.credentials["apiKey_cookie"].keyword == "api_key_cookie"
    assert names.credentials["apiKey_cookie"].env_var == "CORPUS_SECURITY_API_KEY_COOKIE"
    assert by_name["apiKey_query"].location == "query"
    assert by_name["basic"].http_scheme == "basic"
    assert by_name["oauth2"].http_scheme == "bearer"
    and_or = _find(api, "POST", "/anything/and-or")
    assert and_or.security == (("oauth2", "apiKey_header"), ("oauth2_alternate",))  # type: ignore[attr-defined]
