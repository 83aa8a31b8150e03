"""The catalogue of broken specs (``tests/specs``): every case is caught, by the right rule, at the right place.

Each case names the spec, and for each expected diagnostic its rule, the file it is
reported in (relative to ``tests/specs``), line, column and JSON pointer. Line 0 means
the problem has no position (the file cannot be parsed at all). The lists are exact:
a case fails on a missing diagnostic and on an unexpected one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.diagnostics import Diagnostic, Diagnostics, Level
from generator.pipeline import check_spec
from generator.validate import RULES, _merged, _unknown_field_hint

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "tests" / "specs"
REAL_SPEC = ROOT / "spec" / "chat.openapi.yaml"

Expected = tuple[str, str, int, int, str]  # rule, file, line, column, pointer

CHAT = "/paths/~1chats~1{chatId}~1participants/post/requestBody/content/application~1json"

CATALOGUE: dict[str, list[Expected]] = {
    # -- files that are no OpenAPI document at all ------------------------------------------
    "load/empty.yaml": [("load-empty", "load/empty.yaml", 0, 0, "")],
    "load/comments-only.yaml": [("not-openapi", "load/comments-only.yaml", 1, 1, "")],
    "load/binary.yaml": [("load-not-text", "load/binary.yaml", 0, 0, "")],
    "load/invalid-utf8.yaml": [("load-not-text", "load/invalid-utf8.yaml", 3, 13, "")],
    "load/yaml-syntax.yaml": [("load-syntax", "load/yaml-syntax.yaml", 8, 1, "")],
    "load/json-syntax.json": [("load-syntax", "load/json-syntax.json", 5, 1, "")],
    "load/not-openapi.yaml": [("not-openapi", "load/not-openapi.yaml", 1, 1, "")],
    "load/swagger-2.yaml": [("not-openapi", "load/swagger-2.yaml", 1, 1, "/swagger")],
    "load/json-array.json": [("not-openapi", "load/json-array.json", 1, 1, "")],
    "load/version-3.2.yaml": [("not-openapi", "load/version-3.2.yaml", 1, 1, "/openapi")],
    "load/version-4.0.json": [("not-openapi", "load/version-4.0.json", 2, 3, "/openapi")],
    "load/version-number.yaml": [("not-openapi", "load/version-number.yaml", 1, 1, "/openapi")],
    "load/billion-laughs.yaml": [("load-too-large", "load/billion-laughs.yaml", 0, 0, "")],
    "load/recursive-alias.yaml": [("load-recursive", "load/recursive-alias.yaml", 0, 0, "")],
    # -- openapi-spec-validator, located ----------------------------------------------------
    "structural/missing-info-version.yaml": [
        ("spec-invalid", "structural/missing-info-version.yaml", 2, 1, "/info"),
    ],
    "structural/unknown-field.yaml": [
        ("spec-invalid", "structural/unknown-field.yaml", 10, 9, "/paths/~1ping/get/responses/200"),
        (
            "spec-invalid",
            "structural/unknown-field.yaml",
            11,
            11,
            "/paths/~1ping/get/responses/200/descripton",
        ),
    ],
    "structural/bad-parameter-location.yaml": [
        (
            "spec-invalid",
            "structural/bad-parameter-location.yaml",
            11,
            11,
            "/paths/~1items/post/parameters/0/in",
        ),
    ],
    "structural/bad-schema-type.json": [
        ("spec-invalid", "structural/bad-schema-type.json", 8, 9, "/components/schemas/Item/type"),
    ],
    "structural/empty-responses.yaml": [
        ("spec-invalid", "structural/empty-responses.yaml", 9, 7, "/paths/~1items/get/responses"),
    ],
    # -- lint rules -------------------------------------------------------------------------
    "lint/example-invalid-enum.yaml": [
        (
            "example-invalid",
            "lint/example-invalid-enum.yaml",
            23,
            17,
            CHAT + "/examples/sdkExample/value",
        ),
    ],
    "lint/example-invalid-schema.yaml": [
        (
            "example-invalid",
            "lint/example-invalid-schema.yaml",
            11,
            7,
            "/components/schemas/Count/example",
        ),
    ],
    "lint/default-invalid.yaml": [
        (
            "default-invalid",
            "lint/default-invalid.yaml",
            15,
            13,
            "/paths/~1items/get/parameters/0/schema/default",
        ),
    ],
    "lint/operation-id-missing.yaml": [
        ("operation-id-missing", "lint/operation-id-missing.yaml", 7, 5, "/paths/~1items/get"),
    ],
    "lint/operation-id-duplicate.yaml": [
        (
            "operation-id-duplicate",
            "lint/operation-id-duplicate.yaml",
            14,
            7,
            "/paths/~1things/get/operationId",
        ),
    ],
    "lint/name-collision-operation.yaml": [
        (
            "name-collision",
            "lint/name-collision-operation.yaml",
            13,
            7,
            "/paths/~1items/post/operationId",
        ),
    ],
    "lint/name-collision-tag.yaml": [
        ("name-collision", "lint/name-collision-tag.yaml", 7, 5, "/tags/1/name"),
    ],
    "lint/name-collision-schema.yaml": [
        (
            "name-collision",
            "lint/name-collision-schema.yaml",
            10,
            5,
            "/components/schemas/ChatRoom",
        ),
    ],
    "lint/security-undefined.yaml": [
        (
            "security-undefined",
            "lint/security-undefined.yaml",
            10,
            11,
            "/paths/~1items/get/security/0/bearerAuth",
        ),
    ],
    "lint/path-param-undeclared.yaml": [
        (
            "path-param-undeclared",
            "lint/path-param-undeclared.yaml",
            7,
            5,
            "/paths/~1items~1{itemId}/get",
        ),
    ],
    "lint/path-param-unused.yaml": [
        (
            "path-param-unused",
            "lint/path-param-unused.yaml",
            10,
            11,
            "/paths/~1items/get/parameters/0",
        ),
    ],
    "lint/server-security-mismatch.yaml": [
        (
            "server-security-mismatch",
            "lint/server-security-mismatch.yaml",
            11,
            7,
            "/paths/~1a/get/security",
        ),
        (
            "server-security-mismatch",
            "lint/server-security-mismatch.yaml",
            24,
            7,
            "/paths/~1b/get/security",
        ),
    ],
    "lint/server-missing.yaml": [
        ("server-missing", "lint/server-missing.yaml", 22, 5, "/paths/~1own/post"),
        ("server-missing", "lint/server-missing.yaml", 28, 5, "/paths/~1lost/get"),
    ],
    "lint/server-missing-everywhere.yaml": [
        ("server-missing", "lint/server-missing-everywhere.yaml", 7, 5, "/paths/~1a/get"),
    ],
    "lint/server-variable-placeholder.yaml": [
        (
            "server-variable-placeholder",
            "lint/server-variable-placeholder.yaml",
            9,
            9,
            "/servers/0/variables/tenant/default",
        ),
        (
            "server-variable-placeholder",
            "lint/server-variable-placeholder.yaml",
            37,
            15,
            "/paths/~1b/get/servers/1/variables/site/default",
        ),
    ],
    "lint/ref-unresolved.yaml": [
        (
            "ref-unresolved",
            "lint/ref-unresolved.yaml",
            15,
            17,
            "/paths/~1items/get/responses/200/content/application~1json/schema/$ref",
        ),
    ],
    "lint/ref-remote.yaml": [
        ("ref-remote", "lint/ref-remote.yaml", 11, 11, "/paths/~1items/get/responses/200/$ref"),
    ],
    "lint/multi-problem.yaml": [
        ("path-param-undeclared", "lint/multi-problem.yaml", 7, 5, "/paths/~1users~1{userId}/get"),
        (
            "security-undefined",
            "lint/multi-problem.yaml",
            10,
            11,
            "/paths/~1users~1{userId}/get/security/0/oauth",
        ),
        (
            "example-invalid",
            "lint/multi-problem.yaml",
            18,
            15,
            "/paths/~1users~1{userId}/get/responses/200/content/application~1json/example",
        ),
        (
            "operation-id-duplicate",
            "lint/multi-problem.yaml",
            22,
            7,
            "/paths/~1users/get/operationId",
        ),
    ],
    # -- several files: external $refs ------------------------------------------------------
    "refs/ok/openapi.yaml": [],
    "refs/missing/openapi.yaml": [
        (
            "ref-unresolved",
            "refs/missing/openapi.yaml",
            15,
            17,
            "/paths/~1users/get/responses/200/content/application~1json/schema/$ref",
        ),
    ],
    "refs/broken-target/openapi.json": [
        (
            "example-invalid",
            "refs/broken-target/models.yaml",
            8,
            11,
            "/components/schemas/User/properties/age/example",
        ),
        (
            "ref-unresolved",
            "refs/broken-target/models.yaml",
            10,
            11,
            "/components/schemas/User/properties/team/$ref",
        ),
    ],
    "refs/cycle/openapi.yaml": [
        ("ref-cycle", "refs/cycle/tree.yaml", 7, 9, "/node/properties/children/items/$ref"),
    ],
}

#: rules whose diagnostics are warnings; every other rule is an error
WARNING_RULES = {
    "operation-id-missing",
    "server-security-mismatch",
    "server-missing",
    "server-variable-placeholder",
    "spec-unchecked",
}


@pytest.fixture(autouse=True)
def _in_project_root(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Diagnostics name files relative to the working directory."""
    monkeypatch.chdir(ROOT)
    yield


def _check(case: str) -> list[Diagnostic]:
    diagnostics = Diagnostics()
    check_spec(Path("tests/specs") / case, diagnostics)
    return diagnostics.sorted()


def _found(diagnostics: list[Diagnostic]) -> list[Expected]:
    prefix = "tests/specs/"
    return [
        (d.rule, d.file.replace(os.sep, "/").removeprefix(prefix), d.line, d.column, d.pointer)
        for d in diagnostics
    ]


@pytest.mark.parametrize("case", sorted(CATALOGUE))
def test_catalogue_case_reports_rule_place_and_pointer(case: str) -> None:
    assert _found(_check(case)) == CATALOGUE[case]


def test_catalogue_lists_every_spec_file() -> None:
    """A spec added to tests/specs without an expectation is a test that never runs."""
    roots = {p.relative_to(SPECS).as_posix() for p in SPECS.glob("*/*.*")}
    roots |= {p.relative_to(SPECS).as_posix() for p in SPECS.glob("refs/*/openapi.*")}
    assert roots == set(CATALOGUE)


@pytest.mark.parametrize("case", sorted(CATALOGUE))
def test_catalogue_diagnostics_are_actionable_one_liners(case: str) -> None:
    for diagnostic in _check(case):
        text = diagnostic.format()
        assert "\n" not in text
        assert "Traceback" not in text
        assert diagnostic.level is (
            Level.WARNING if diagnostic.rule in WARNING_RULES else Level.ERROR
        )
        assert diagnostic.hint or diagnostic.rule in {"spec-invalid", "default-invalid"}, text
        if diagnostic.line:
            assert text.startswith(f"{diagnostic.file}:{diagnostic.line}:{diagnostic.column}: ")


def test_every_lint_rule_has_a_catalogue_case() -> None:
    covered = {expected[0] for cases in CATALOGUE.values() for expected in cases}
    assert set(RULES) - {"spec-unchecked"} <= covered


def test_real_spec_is_clean() -> None:
    diagnostics = Diagnostics()
    assert check_spec(REAL_SPEC, diagnostics) is not None
    assert [d.format() for d in diagnostics] == []


def test_server_missing_says_what_to_do() -> None:
    lost, _ = _check("lint/server-missing.yaml")[::-1]
    assert lost.format() == (
        "tests/specs/lint/server-missing.yaml:28:5: warning [server-missing] GET /lost has no "
        "server (none at operation, path or document level); calling it needs base_url "
        "(at #/paths/~1lost/get); add `servers` at document, path or operation level, or pass "
        "base_url=... to the client"
    )
    (everywhere,) = _check("lint/server-missing-everywhere.yaml")
    assert "no operation has a server" in everywhere.message
    assert "the first of 2 is GET /a" in everywhere.message


def test_server_variable_placeholder_says_how_to_mark_it() -> None:
    tenant, _ = _check("lint/server-variable-placeholder.yaml")
    assert "'tenant'" in tenant.message and "'your-tenant'" in tenant.message
    assert "x-placeholder: true" in tenant.hint


def test_transmitter_example_message_says_what_is_wrong() -> None:
    (diagnostic,) = _check("lint/example-invalid-enum.yaml")
    assert diagnostic.format() == (
        "tests/specs/lint/example-invalid-enum.yaml:23:17: error [example-invalid] example "
        '{"userId": "usr_1", "role": "transmitter transmit"} does not match its schema: role: '
        "'transmitter transmit' is not one of ['admin', 'member'] "
        f"(at #{CHAT}/examples/sdkExample/value); fix the example or the schema"
    )


@pytest.mark.parametrize(
    ("case", "needle"),
    [
        ("structural/unknown-field.yaml", "unknown field 'descripton'"),
        ("structural/unknown-field.yaml", "; did you mean 'description'?"),
        ("structural/unknown-field.yaml", "required field 'description' is missing"),
        ("structural/missing-info-version.yaml", "required field 'version' is missing"),
        (
            "structural/bad-parameter-location.yaml",
            "'body' is not one of ['cookie', 'header', 'path', 'query']",
        ),
        ("structural/empty-responses.yaml", "'responses' must not be empty"),
        (
            "lint/default-invalid.yaml",
            "default 500 does not match its schema: 500 is greater than the maximum of 100",
        ),
        ("lint/name-collision-operation.yaml", "both become the method 'list_items'"),
        ("lint/name-collision-tag.yaml", "both become the resource 'iw_erp'"),
        ("lint/name-collision-schema.yaml", "both become the class 'ChatRoom'"),
        ("lint/security-undefined.yaml", "names 'bearerAuth', which is not defined"),
        ("lint/security-undefined.yaml", "(defined: apiKey)"),
        (
            "lint/path-param-undeclared.yaml",
            "add a parameter with name: itemId, in: path, required: true",
        ),
        ("lint/server-security-mismatch.yaml", "(vendor-a.com, vendor-b.de)"),
        ("lint/ref-unresolved.yaml", "$ref '#/components/schemas/Item' does not resolve"),
        (
            "refs/missing/openapi.yaml",
            "$ref 'schemas/user.yaml#/User' points at tests/specs/refs/missing/schemas/user.yaml",
        ),
        ("load/swagger-2.yaml", "Swagger 2.0"),
        ("load/version-3.2.yaml", "'3.2.0' is not supported"),
        ("load/version-number.yaml", "write the full version in quotes"),
        ("load/billion-laughs.yaml", "once its YAML aliases are expanded"),
        ("load/yaml-syntax.yaml", "flow sequence that starts at line 7, column 10"),
        ("load/json-syntax.json", "no comma before } or ]"),
        ("load/json-array.json", "the document is a list"),
        ("load/invalid-utf8.yaml", "not UTF-8 text (byte 0xe9 at offset 33)"),
    ],
)
def test_messages_say_what_to_do(case: str, needle: str) -> None:
    assert needle in "\n".join(d.format() for d in _check(case))


def test_unknown_field_is_located_at_the_key_not_its_parent() -> None:
    # line 11 is "          descripton: pong"; the key starts in column 11
    text = (SPECS / "structural/unknown-field.yaml").read_text().splitlines()
    diagnostic = _check("structural/unknown-field.yaml")[1]
    assert text[diagnostic.line - 1][diagnostic.column - 1 :].startswith("descripton:")


def test_example_in_other_file_is_reported_with_that_files_pointer() -> None:
    text = (SPECS / "refs/broken-target/models.yaml").read_text().splitlines()
    example = _check("refs/broken-target/openapi.json")[0]
    assert text[example.line - 1][example.column - 1 :] == "example: twelve"


def test_valid_external_refs_in_yaml_and_json_validate_clean() -> None:
    assert _check("refs/ok/openapi.yaml") == []


def test_structural_errors_survive_a_broken_ref(tmp_path: Path) -> None:
    """An unresolved $ref must not hide the validator's findings elsewhere."""
    spec = tmp_path / "both.yaml"
    spec.write_text(
        "openapi: 3.0.3\n"
        "info: {title: t, version: '1'}\n"
        "paths:\n"
        "  /a:\n"
        "    get:\n"
        "      operationId: a\n"
        "      responses:\n"
        "        '200':\n"
        "          $ref: '#/components/responses/Gone'\n"
        "  /b:\n"
        "    get:\n"
        "      operationId: b\n"
        "      responses:\n"
        "        '200': {descripton: x}\n"
    )
    diagnostics = Diagnostics()
    check_spec(spec, diagnostics)
    rules = {(d.rule, d.line) for d in diagnostics}
    assert ("ref-unresolved", 9) in rules
    assert ("spec-invalid", 14) in rules


def test_schema_meta_error_reached_through_ref_is_located_at_the_schema(tmp_path: Path) -> None:
    spec = tmp_path / "meta.yaml"
    spec.write_text(
        "openapi: 3.1.0\n"
        "info: {title: t, version: '1'}\n"
        "paths:\n"
        "  /a:\n"
        "    get:\n"
        "      operationId: a\n"
        "      responses:\n"
        "        '200':\n"
        "          description: ok\n"
        "          content:\n"
        "            application/json:\n"
        "              schema: {$ref: '#/components/schemas/A'}\n"
        "components:\n"
        "  schemas:\n"
        "    A:\n"
        "      type: object\n"
        "      properties:\n"
        "        n: {type: integer, minimum: abc}\n"
        "servers: [{url: 'https://api.example.invalid'}]\n"
    )
    diagnostics = Diagnostics()
    check_spec(spec, diagnostics)
    (diagnostic,) = list(diagnostics)
    assert (diagnostic.rule, diagnostic.line, diagnostic.pointer) == (
        "spec-invalid",
        18,
        "/components/schemas/A/properties/n/minimum",
    )


def test_long_ref_chains_do_not_crash_the_validator(tmp_path: Path) -> None:
    """Each schema refers to the next: the validator recurses through all of them."""
    count = 400
    schemas = "".join(
        f"    M{i}:\n      type: object\n      properties:\n        next: {{$ref: '#/components/schemas/M{i + 1}'}}\n"
        for i in range(count)
    )
    spec = tmp_path / "chain.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n"
        + schemas
        + f"    M{count}:\n      type: string\n"
    )
    diagnostics = Diagnostics()
    check_spec(spec, diagnostics)
    assert [d.format() for d in diagnostics if d.level is Level.ERROR] == []


def test_unknown_field_hint_names_the_field_it_is_a_typo_of() -> None:
    assert _unknown_field_hint("descripton", {}, ["summary", "description"]) == (
        "did you mean 'description'?"
    )


def test_unknown_field_hint_lists_what_is_allowed_when_it_is_short() -> None:
    schema = {"patternProperties": {"^x-": {}, "^/": {}}}
    assert _unknown_field_hint("zzz", schema, ["get", "put"]) == (
        "allowed here: get, put, keys matching ^/ and x- extensions"
    )
    assert _unknown_field_hint("zzz", {}, []) == "allowed here: x- extensions"


def test_unknown_field_hint_does_not_list_many_fields() -> None:
    known = [f"field{i:02d}" for i in range(17)]
    assert _unknown_field_hint("zzz", {}, known) == (
        "check the spelling; your own fields must start with x-"
    )


def _error(validator: str, value: Any, instance: Any, path: tuple[str, ...] = ("in",)) -> Any:
    from jsonschema.exceptions import ValidationError

    return ValidationError(
        "m", validator=validator, validator_value=value, instance=instance, path=path
    )


def test_merged_enum_errors_list_every_allowed_value() -> None:
    leaves = [_error("enum", ["query", "path"], "body"), _error("enum", ["header"], "body")]
    merged = _merged(leaves)
    assert merged is leaves[0]
    assert merged.message == "'body' is not one of ['header', 'path', 'query']"


def test_merged_required_errors_ask_for_one_of_the_fields() -> None:
    leaves = [_error("required", ["schema"], {}, ()), _error("required", ["content"], {}, ())]
    merged = _merged(leaves)
    assert (merged.validator, merged.message) == ("needs-one-of", "needs 'schema' or 'content'")


def test_merged_is_none_for_different_problems_or_places() -> None:
    assert _merged([]) is None
    assert _merged([_error("enum", ["a"], "b"), _error("required", ["c"], {})]) is None
    assert _merged([_error("enum", ["a"], "b"), _error("enum", ["a"], "b", ("type",))]) is None


def test_a_schema_with_several_errors_reports_the_same_one_in_every_run(tmp_path: Path) -> None:
    """jsonschema yields a schema's errors in set order; clientgen picks by place, then text."""
    import subprocess
    import sys

    properties = "\n".join(
        f"        p{i}: {{type: number, exclusiveMinimum: true}}" for i in range(12)
    )
    spec = tmp_path / "api.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"
        "components:\n  schemas:\n    Hyper:\n      type: object\n      properties:\n"
        + properties
        + "\n"
    )
    outputs = set()
    for seed in ("0", "1", "2", "3", "4"):
        result = subprocess.run(
            [sys.executable, "-m", "generator", "validate", str(spec)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=tmp_path,
        )
        assert result.returncode == 1, result.stderr
        outputs.add(result.stderr)
    assert len(outputs) == 1, outputs
    assert "/properties/p0/exclusiveMinimum" in outputs.pop()


_BROKEN = ROOT / "tests" / "corpus" / "specs" / "openapi-python-client" / "documents_with_errors"


@pytest.mark.parametrize(
    ("document", "message", "hint"),
    [
        (
            "bad-status-code.yaml",
            "no response has a status code as its key ('abcdef')",
            "key each response by a status code (100-599, 1XX-5XX) or by 'default'",
        ),
        (
            "optional-path-param.yaml",
            "a path parameter must be required",
            "add `required: true` (a URL cannot leave out a path segment)",
        ),
    ],
)
def test_a_conditional_requirement_says_what_the_condition_is_about(
    document: str, message: str, hint: str
) -> None:
    """The 3.1 meta-schema's if/then branches demand a field ('default', 'required');
    the finding explains the real problem instead of 'required field ... is missing'."""
    diagnostics = Diagnostics()
    check_spec(_BROKEN / document, diagnostics)
    errors = [d for d in diagnostics if d.level is Level.ERROR]
    assert any(d.message == message and d.hint == hint and d.line for d in errors), [
        d.format() for d in errors
    ]
    assert not any("required field" in d.message for d in errors)
