"""``generator.load``: reading, parsing, limits, positions and bundling of external ``$ref``s."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.diagnostics import Diagnostics, Level
from generator.load import (
    MAX_DEPTH,
    LoadedSpec,
    load_spec,
    parse_pointer,
    parses_as_yaml,
    resolve_pointer,
)
from tests.conftest import CHAT_SPEC

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "tests" / "specs"

MINIMAL = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"


def load(path: Path) -> tuple[LoadedSpec | None, Diagnostics]:
    diagnostics = Diagnostics()
    return load_spec(path, diagnostics), diagnostics


def rules(diagnostics: Diagnostics) -> list[str]:
    return [d.rule for d in diagnostics]


def test_chat_spec_loads_with_positions() -> None:
    spec, diagnostics = load(CHAT_SPEC)
    assert spec is not None and len(diagnostics) == 0
    assert spec.locate("/paths")[1:] == (31, 1)
    file, line, column = spec.locate("/components/schemas/AddParticipantRequest")
    assert file.endswith("chat.openapi.yaml")
    text = CHAT_SPEC.read_text().splitlines()
    assert text[line - 1][column - 1 :] == "AddParticipantRequest:"


def test_position_of_missing_node_falls_back_to_nearest_ancestor(tmp_path: Path) -> None:
    spec_file = tmp_path / "s.yaml"
    spec_file.write_text(MINIMAL)
    spec, _ = load(spec_file)
    assert spec is not None
    assert spec.locate("/info/nothing/here") == spec.locate("/info")


def test_json_positions(tmp_path: Path) -> None:
    spec_file = tmp_path / "s.json"
    spec_file.write_text(
        '{\n  "openapi": "3.1.0",\n  "info": {\n    "title": "t",\n    "version": "1"\n  }\n}\n'
    )
    spec, _ = load(spec_file)
    assert spec is not None
    assert spec.locate("/info/version")[1:] == (5, 5)


AWKWARD_YAML = """\
openapi: 3.1.0
info: {title: t, version: '1', x-list: [a, {b: c}]}
x-base: &base
  type: object
  description: >-
    folded
    text
paths:
  /a:
    get:
      responses:
        200: {description: ok}
        "404":
          description: quoted key
      parameters:
        - name: q
          in: query
        -   name: r
            in: header
components:
  schemas:
    Merged:
      <<: *base
      title: merged
    Again: *base
    Deep: {properties: {x: {items: [1, {y: 2}]}}}
"""


def test_yaml_positions_noted_while_loading_equal_a_full_compose(tmp_path: Path) -> None:
    """Every node's position, taken from the loader's marks, is the one composing the
    text again gives (flow and block styles, quoted and integer keys, merges, aliases)."""
    from generator import load as loading

    spec_file = tmp_path / "s.yaml"
    spec_file.write_text(AWKWARD_YAML)
    spec, _ = load(spec_file)
    assert spec is not None and spec.root.marks is not None
    composed = loading._index_positions(AWKWARD_YAML)
    assert len(composed) >= 40
    for pointer, position in composed.items():
        if "/<<" not in pointer:  # a merge key is no node of the data
            assert spec.root.position(pointer) == position, pointer
    # a merged entry is located where it was written, in the mapping merged in
    assert spec.root.position("/components/schemas/Merged/type") == (4, 3)
    assert spec.root.position("/x-base/type") == (4, 3)
    assert (
        spec.root.position("/components/schemas/Merged/nothing")
        == composed["/components/schemas/Merged"]
    )


def test_locating_a_yaml_finding_does_not_parse_the_text_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator import load as loading

    def never(text: str) -> object:
        raise AssertionError("the text was composed again")

    spec_file = tmp_path / "s.yaml"
    spec_file.write_text(AWKWARD_YAML)
    spec, _ = load(spec_file)
    assert spec is not None
    monkeypatch.setattr(loading, "_index_positions", never)
    monkeypatch.setattr(loading, "_composed_nodes", never)
    assert spec.locate("/paths/~1a/get/parameters/1/in")[1:] == (19, 13)
    assert spec.locate("/paths/~1a/get/responses/404")[1:] == (13, 9)


def test_integer_keys_become_strings(tmp_path: Path) -> None:
    spec_file = tmp_path / "s.yaml"
    spec_file.write_text(
        MINIMAL.replace(
            "paths: {}", "paths:\n  /a:\n    get:\n      responses:\n        200: {description: ok}"
        )
    )
    spec, _ = load(spec_file)
    assert spec is not None
    assert "200" in spec.document["paths"]["/a"]["get"]["responses"]


def test_timestamps_stay_strings(tmp_path: Path) -> None:
    spec_file = tmp_path / "s.yaml"
    spec_file.write_text(MINIMAL + "x-when: 2024-01-15T11:00:00Z\n")
    spec, _ = load(spec_file)
    assert spec is not None and spec.document["x-when"] == "2024-01-15T11:00:00Z"


def test_nesting_at_the_limit_loads_and_past_it_is_refused(tmp_path: Path) -> None:
    ok = tmp_path / "ok.json"
    ok.write_text(
        '{"openapi": "3.1.0", "x": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"
    )
    spec, diagnostics = load(ok)
    assert spec is not None, [d.format() for d in diagnostics]
    deep = tmp_path / "deep.json"
    deep.write_text(
        '{"openapi": "3.1.0", "x": ' + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "}"
    )
    spec, diagnostics = load(deep)
    assert spec is None and rules(diagnostics) == ["load-too-deep"]


def test_ten_thousand_nested_lists_are_refused(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 10_000 + "]" * 10_000)
    spec, diagnostics = load(deep)
    assert spec is None and rules(diagnostics) == ["load-too-deep"]


def test_shared_yaml_nodes_are_allowed_when_small(tmp_path: Path) -> None:
    spec_file = tmp_path / "s.yaml"
    spec_file.write_text(MINIMAL + "x-a: &a {k: v}\nx-b: *a\nx-c: [*a, *a]\n")
    spec, diagnostics = load(spec_file)
    assert spec is not None and len(diagnostics) == 0
    assert spec.document["x-c"] == [{"k": "v"}, {"k": "v"}]


def test_billion_laughs_is_refused_without_expanding() -> None:
    spec, diagnostics = load(SPECS / "load" / "billion-laughs.yaml")
    assert spec is None and rules(diagnostics) == ["load-too-large"]


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"", "load-empty"),
        (b"   \n\n", "load-empty"),
        (b"\x00\x01", "load-not-text"),
        (b"\xff\xfe\xfd", "load-not-text"),
        (b"openapi: [", "load-syntax"),
        (b"{'openapi': 1", "load-syntax"),
        (b"42", "not-openapi"),
        (b"- a\n- b\n", "not-openapi"),
        (b"openapi: 2.0.0\n", "not-openapi"),
        (b"openapi: [3, 1]\n", "not-openapi"),
        (b"openapi: !!binary aGVsbG8=\n", "not-openapi"),
        (b"openapi: !python/object:os.system {}\n", "load-syntax"),
        (b"? [a, b]\n: c\n", "load-syntax"),
    ],
)
def test_bad_input_is_one_diagnostic(tmp_path: Path, content: bytes, rule: str) -> None:
    spec_file = tmp_path / "s.yaml"
    spec_file.write_bytes(content)
    spec, diagnostics = load(spec_file)
    assert spec is None
    assert rules(diagnostics) == [rule]


def test_bom_is_accepted(tmp_path: Path) -> None:
    spec_file = tmp_path / "s.yaml"
    spec_file.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    spec, diagnostics = load(spec_file)
    assert spec is not None and len(diagnostics) == 0


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert rules(load(tmp_path / "absent.yaml")[1]) == ["load-not-found"]
    assert rules(load(tmp_path)[1]) == ["load-not-a-file"]


def test_external_refs_are_bundled_and_located_in_their_file() -> None:
    spec, diagnostics = load(SPECS / "refs" / "ok" / "openapi.yaml")
    assert spec is not None and len(diagnostics) == 0
    document = spec.document
    schema = document["paths"]["/users/{userId}"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    assert schema == {"$ref": "#/components/schemas/User"}
    assert set(document["components"]["schemas"]) == {"Error", "User"}
    assert document["components"]["schemas"]["User"]["properties"]["best_friend"] == {
        "$ref": "#/components/schemas/User"
    }
    # the inlined parameter points back at common/parameters.yaml
    assert document["paths"]["/users/{userId}"]["parameters"][0]["name"] == "userId"
    file, line, _column = spec.locate("/paths/~1users~1{userId}/parameters/0/schema")
    assert file.endswith("parameters.yaml") and line == 5
    file, line, _column = spec.locate("/components/schemas/User/properties/name")
    assert file.endswith("schemas.json") and line == 9


def _ids(node: object, found: list[int]) -> list[int]:
    """The ids of every container in ``node`` (a container met twice is listed twice)."""
    if isinstance(node, dict | list):
        found.append(id(node))
        for child in node.values() if isinstance(node, dict) else node:
            _ids(child, found)
    return found


def test_a_spec_of_one_file_is_its_document_not_a_copy() -> None:
    """With no external ``$ref``, bundling copies nothing (a 13 MB spec would be copied)."""
    spec, diagnostics = load(CHAT_SPEC)
    assert spec is not None and len(diagnostics) == 0
    assert spec.document is spec.root.data


def test_bundling_copies_only_the_way_to_a_changed_ref_and_leaves_the_files_alone() -> None:
    path = SPECS / "refs" / "ok" / "openapi.yaml"
    spec, diagnostics = load(path)
    assert spec is not None and len(diagnostics) == 0
    pristine, _ = load(path)
    assert pristine is not None
    # the root file's data is as parsed: no hoisted component, its refs as written
    assert spec.root.data == pristine.root.data
    assert set(spec.root.data["components"]["schemas"]) == {"Error"}
    ref = spec.root.data["paths"]["/users/{userId}"]["get"]["responses"]["200"]["content"]
    assert ref["application/json"]["schema"]["$ref"].startswith("common/schemas.json")
    # what no ref changed is shared, what one did is new
    assert spec.document["info"] is spec.root.data["info"]
    errors = spec.document["components"]["schemas"]["Error"]
    assert errors is spec.root.data["components"]["schemas"]["Error"]
    assert spec.document["paths"] is not spec.root.data["paths"]
    # a tree all the same: no container appears twice
    ids = _ids(spec.document, [])
    assert len(ids) == len(set(ids))


def test_a_target_inlined_twice_and_yaml_aliases_are_each_their_own_copy(
    tmp_path: Path,
) -> None:
    (tmp_path / "common.yaml").write_text("Limit:\n  name: limit\n  in: query\n")
    main = tmp_path / "main.yaml"
    main.write_text(
        MINIMAL
        + "x-a: [{$ref: 'common.yaml#/Limit'}, {$ref: 'common.yaml#/Limit'}]\n"
        + "x-b: &b {k: [v]}\nx-c: [*b, *b]\n"
    )
    spec, diagnostics = load(main)
    assert spec is not None and len(diagnostics) == 0
    first, second = spec.document["x-a"]
    assert first == second == {"name": "limit", "in": "query"} and first is not second
    assert spec.document["x-c"] == [{"k": ["v"]}] * 2
    ids = _ids(spec.document, [])
    assert len(ids) == len(set(ids))
    assert spec.root.data["x-c"][0] is spec.root.data["x-c"][1]  # the file's data keeps its aliases


def _pointers(node: object, pointer: str = "") -> list[str]:
    found = [pointer]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _pointers(value, f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _pointers(value, f"{pointer}/{index}")
    return found


@pytest.mark.parametrize("name", ["chat", "refs", "aliases"])
def test_a_loaded_spec_pickles_with_every_position(name: str, tmp_path: Path) -> None:
    """A spec loaded in a worker comes back pickled: its YAML marks, kept by the
    identity of each container, travel by order and are found again."""
    import pickle

    path = {"chat": CHAT_SPEC, "refs": SPECS / "refs" / "ok" / "openapi.yaml"}.get(name)
    if path is None:
        path = tmp_path / "aliases.yaml"
        path.write_text(MINIMAL + "x-a: &a {k: [1, {v: 2}]}\nx-b: [*a, {w: *a}]\n")
    spec, _ = load(path)
    assert spec is not None
    again = pickle.loads(pickle.dumps(spec))
    assert again.document == spec.document
    pointers = _pointers(spec.document)
    assert [again.locate(p) for p in pointers] == [spec.locate(p) for p in pointers]
    assert len({spec.locate(p)[1:] for p in pointers}) > 1  # positions, not all a fallback
    if name == "aliases":
        assert again.root.data["x-b"][0] is again.root.data["x-a"]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.yaml", "{}", True),
        ("a.yml", "openapi: 3.1.0", True),
        ("a.json", "openapi: 3.1.0", False),
        ("spec", '\ufeff  {"openapi": "3.1.0"}', False),
        ("spec", "openapi: 3.1.0", True),
    ],
)
def test_parses_as_yaml_judges_like_the_loader(
    name: str, text: str, expected: bool, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert parses_as_yaml(path) is expected


def test_hoisted_component_with_taken_name_is_renamed(tmp_path: Path) -> None:
    (tmp_path / "other.yaml").write_text("components:\n  schemas:\n    User:\n      type: string\n")
    main = tmp_path / "main.yaml"
    main.write_text(
        MINIMAL.replace(
            "paths: {}", "paths: {}\ncomponents:\n  schemas:\n    User: {type: integer}\n"
        )
        + "x-use:\n  $ref: 'other.yaml#/components/schemas/User'\n"
    )
    spec, diagnostics = load(main)
    assert spec is not None and len(diagnostics) == 0
    assert spec.document["x-use"] == {"$ref": "#/components/schemas/User2"}
    diagnostic = spec.diagnostic(Level.ERROR, "x", "m", "/components/schemas/User2/type")
    assert diagnostic.file.endswith("other.yaml")
    assert (diagnostic.line, diagnostic.pointer) == (4, "/components/schemas/User/type")


def test_missing_referenced_file_names_the_ref_at_the_referring_line() -> None:
    spec, diagnostics = load(SPECS / "refs" / "missing" / "openapi.yaml")
    assert spec is not None
    (diagnostic,) = list(diagnostics)
    assert diagnostic.rule == "ref-unresolved"
    assert diagnostic.file.endswith("refs/missing/openapi.yaml")
    assert diagnostic.line == 15
    assert "'schemas/user.yaml#/User'" in diagnostic.message


def test_referenced_file_that_is_broken_is_reported_at_the_ref(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("a: [\n")
    main = tmp_path / "main.yaml"
    main.write_text(MINIMAL + "x-use:\n  $ref: 'bad.yaml#/a'\n")
    spec, diagnostics = load(main)
    assert spec is not None
    (diagnostic,) = list(diagnostics)
    assert diagnostic.rule == "ref-unresolved" and diagnostic.line == 5
    assert "invalid YAML" in diagnostic.message


def test_ref_with_bad_fragment(tmp_path: Path) -> None:
    main = tmp_path / "main.yaml"
    main.write_text(MINIMAL + "x-use:\n  $ref: '#components/schemas/A'\n")
    _spec, diagnostics = load(main)
    assert rules(diagnostics) == ["ref-unresolved"]
    assert "not a JSON pointer" in next(iter(diagnostics)).message


@pytest.mark.parametrize(
    ("pointer", "tokens"),
    [("", []), ("/paths/~1a~1{b}", ["paths", "/a/{b}"]), ("/a~0b/0", ["a~b", "0"])],
)
def test_parse_pointer(pointer: str, tokens: list[str]) -> None:
    assert parse_pointer(pointer) == tokens


def test_resolve_pointer() -> None:
    document = {"a": [{"b": 1}]}
    assert resolve_pointer(document, "/a/0/b") == 1
    for bad in ("/a/1", "/a/x", "/a/0/b/c", "/z"):
        with pytest.raises(LookupError):
            resolve_pointer(document, bad)


def test_an_alias_inside_its_own_anchor_is_refused(tmp_path: Path) -> None:
    spec_file = tmp_path / "s.yaml"
    spec_file.write_text(MINIMAL + "x-a: &a [1, *a]\n")
    spec, diagnostics = load(spec_file)
    assert spec is None and rules(diagnostics) == ["load-recursive"]


def test_aliases_are_measured_expanded_for_depth(tmp_path: Path) -> None:
    """Each anchor nests the one before; the first alias is met within ``MAX_DEPTH``
    levels, and the alias-aware measure finds the document one level too deep."""
    chain = "".join(f"x-{i}: &a{i} [*a{i - 1}]\n" for i in range(1, MAX_DEPTH + 1))
    spec_file = tmp_path / "s.yaml"
    spec_file.write_text(MINIMAL + "x-0: &a0 [leaf]\n" + chain + "x-last: *a0\n")
    spec, diagnostics = load(spec_file)
    assert spec is None and rules(diagnostics) == ["load-too-deep"]
    assert "YAML aliases" in next(iter(diagnostics)).hint


def test_keys_of_shared_nodes_become_strings(tmp_path: Path) -> None:
    spec_file = tmp_path / "s.yaml"
    spec_file.write_text(MINIMAL + "x-a: &a {200: ok, true: yes, null: n, k: v}\nx-b: [*a, *a]\n")
    spec, diagnostics = load(spec_file)
    assert spec is not None and len(diagnostics) == 0
    assert list(spec.document["x-a"]) == ["200", "true", "null", "k"]
    assert spec.document["x-b"] == [spec.document["x-a"]] * 2


# YAML 1.2 core schema: the YAML 1.1 traps of PyYAML's default resolver
@pytest.mark.parametrize(
    ("scalar", "expected"),
    [
        ("[SE, NO, DK]", ["SE", "NO", "DK"]),
        (
            "[yes, no, Yes, No, YES, on, off, On, OFF, y, n]",
            ["yes", "no", "Yes", "No", "YES", "on", "off", "On", "OFF", "y", "n"],
        ),
        ("1e-08", 1e-08),
        ("1E+3", 1000.0),
        ("1.", 1.0),
        (".5", 0.5),
        ("-.5e-3", -0.0005),
        ("0o17", 15),
        ("017", 17),
        ("0x1F", 31),
        ("+12", 12),
        ("-0", 0),
        ("1_000", "1_000"),
        ("0b101", "0b101"),
        ("12:30", "12:30"),
        ("190:20:30", "190:20:30"),
        ("2001-12-14", "2001-12-14"),
        ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
        ("=", "="),
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("tRUE", "tRUE"),
        ("~", None),
        ("NULL", None),
        ("nULL", "nULL"),
        ("", None),
        (".inf", float("inf")),
        ("-.Inf", float("-inf")),
        ("'1e-08'", "1e-08"),
        ("!!str 017", "017"),
    ],
)
def test_yaml_scalars_follow_the_yaml_1_2_core_schema(
    tmp_path: Path, scalar: str, expected: object
) -> None:
    spec_file = tmp_path / "s.yaml"
    spec_file.write_text(MINIMAL + f"x-value: {scalar}\n")
    spec, diagnostics = load(spec_file)
    assert spec is not None and len(diagnostics) == 0
    value = spec.document["x-value"]
    assert value == expected and type(value) is type(expected)


def test_yaml_nan_is_a_float(tmp_path: Path) -> None:
    spec_file = tmp_path / "s.yaml"
    spec_file.write_text(MINIMAL + "x-value: .NaN\n")
    spec, _ = load(spec_file)
    assert spec is not None
    value = spec.document["x-value"]
    assert isinstance(value, float) and value != value


def test_yaml_1_1_boolean_words_stay_keys_and_enum_values(tmp_path: Path) -> None:
    spec_file = tmp_path / "s.yaml"
    spec_file.write_text(
        MINIMAL
        + "components:\n  schemas:\n    Country:\n      type: string\n      enum: [SE, NO, DK]\n"
        + "    Switch:\n      type: object\n      properties:\n        on: {type: number, minimum: 1e-08}\n"
        + "        yes: {type: integer, default: 017}\n"
    )
    spec, diagnostics = load(spec_file)
    assert spec is not None and len(diagnostics) == 0
    schemas = spec.document["components"]["schemas"]
    assert schemas["Country"]["enum"] == ["SE", "NO", "DK"]
    properties = schemas["Switch"]["properties"]
    assert list(properties) == ["on", "yes"]
    assert properties["on"]["minimum"] == 1e-08
    assert properties["yes"]["default"] == 17
    # positions of such keys are found under their YAML 1.2 names
    _file, line, column = spec.locate("/components/schemas/Switch/properties/on")
    assert (line, column) == (12, 9)


def test_duplicate_yaml_1_1_boolean_keys_are_distinct_in_yaml_1_2(tmp_path: Path) -> None:
    # under YAML 1.1 `yes` and `on` were both the key true: a false duplicate
    spec_file = tmp_path / "s.yaml"
    spec_file.write_text(MINIMAL + "x-flags:\n  yes: 1\n  on: 2\n")
    spec, diagnostics = load(spec_file)
    assert spec is not None and len(diagnostics) == 0
    assert spec.document["x-flags"] == {"yes": 1, "on": 2}


def test_duplicate_keys_are_still_found_with_yaml_1_2_scalars(tmp_path: Path) -> None:
    spec_file = tmp_path / "s.yaml"
    spec_file.write_text(MINIMAL + "x-flags:\n  NO: 1\n  NO: 2\n")
    spec, diagnostics = load(spec_file)
    assert spec is None
    [diagnostic] = list(diagnostics)
    assert diagnostic.rule == "load-duplicate-key"
    assert (diagnostic.line, diagnostic.column) == (6, 3)


CIRCULAR_BODY = (
    ROOT / "tests/corpus/specs/openapi-python-client/documents_with_errors/circular-body-ref.yaml"
)


def test_request_body_referring_to_itself_is_a_located_error() -> None:
    spec, diagnostics = load(CIRCULAR_BODY)
    assert spec is not None
    [diagnostic] = [d for d in diagnostics if d.level is Level.ERROR]
    assert diagnostic.rule == "ref-cycle"
    assert (diagnostic.line, diagnostic.column) == (20, 11)
    assert diagnostic.pointer == "/components/requestBodies/body/$ref"


def test_ref_cycles_through_several_components(tmp_path: Path) -> None:
    spec_file = tmp_path / "s.yaml"
    spec_file.write_text(
        MINIMAL
        + "components:\n  requestBodies:\n"
        + "    A: {$ref: '#/components/requestBodies/B'}\n"
        + "    B: {$ref: '#/components/requestBodies/A', description: d}\n"
        + "    C: {$ref: '#/components/requestBodies/A'}\n"  # leads into the cycle: no new one
        + "    D: {$ref: '#/components/requestBodies/E'}\n"  # a chain that ends: fine
        + "    E: {content: {application/json: {schema: {$ref: '#/components/schemas/Tree'}}}}\n"
        + "  schemas:\n"
        + "    Tree:\n      type: object\n"
        + "      properties: {children: {type: array, items: {$ref: '#/components/schemas/Tree'}}}\n"
        + "    Same: {$ref: '#/components/schemas/Same'}\n"
    )
    spec, diagnostics = load(spec_file)
    assert spec is not None
    found = [(d.rule, d.pointer, d.line) for d in diagnostics]
    assert found == [
        ("ref-cycle", "/components/requestBodies/A/$ref", 6),
        ("ref-cycle", "/components/schemas/Same/$ref", 15),
    ]
    assert (
        "#/components/requestBodies/A -> #/components/requestBodies/B -> "
        in next(iter(diagnostics)).message
    )


# -- the event builder (generator.load._from_events) against PyYAML's constructor ----------


def _shape(node: object, seen: dict[int, int] | None = None) -> object:
    """``node`` with every value's type spelled out and shared containers marked as such."""
    seen = {} if seen is None else seen
    if isinstance(node, dict | list):
        if id(node) in seen:
            return ("shared", seen[id(node)])
        seen[id(node)] = len(seen)
        if isinstance(node, dict):
            return [(_shape(k, seen), _shape(v, seen)) for k, v in node.items()]
        return [_shape(v, seen) for v in node]
    return (type(node).__name__, repr(node))


def _both_ways(text: str) -> tuple[object, object] | None:
    """What the event builder and the loader make of ``text`` (``None``: left to the loader)."""
    from generator.load import _from_events, _Loader

    built = _from_events(text)
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    expected = (_shape(data), loader.marks.root, loader.marks.in_order(data), loader.duplicates)
    if built is None:
        return None
    got, marks, duplicates = built
    return (_shape(got), marks.root, marks.in_order(got), duplicates), expected


@pytest.mark.parametrize(
    "text",
    [
        MINIMAL,
        "a: 1\nb: [1, 2.5, .inf, -.Inf, .NaN, 0o17, 0x1F, 017, 1e3, 1e-08]\n",
        "a: [true, True, FALSE, yes, NO, on, ~, null, Null, '', \"\", 12:30, 2024-01-01]\n",
        "200: ok\ntrue: t\nnull: n\n1.5: f\n'quoted': q\n\"x y\": z\n",
        "a: &a {k: [1, {v: 2}]}\nb: [*a, {w: *a}]\nc: &s text\n*s : aliased key\n",
        "a: 1\na: 2\n",
        "a: 1\n'a': 2\n",
        "x: {1: a, 01: b}\n",
        "'<<': not a merge\n'<<': twice\n",
        "s: !!str 123\nm: !!map {a: 1}\nq: !!seq [1]\nn: ! 12\n",
        "l: |\n  line one\n  line two\nf: >-\n  folded\n  text\n",
        "---\na: 1\n...\n",
        "- 1\n- - 2\n  - {a: b}\n",
        "# only a comment\n",
        "a: &a [1, *a]\n",
        "a:\nb: ~\n",
        "{a: 1, b: [x, y], c: {d: e}}\n",
    ],
)
def test_the_event_builder_reads_yaml_as_the_loader_does(text: str) -> None:
    found = _both_ways(text)
    assert found is not None
    assert found[0] == found[1]


@pytest.mark.parametrize(
    "text",
    [
        "base: &b {a: 1}\nx:\n  <<: *b\n  c: 2\n",  # merge keys
        "a: !!int '12'\n",  # explicit tags other than str, map and seq
        "a: !!bool yes\n",
        "a: !!binary aGk=\n",
        "a: !custom x\n",
        "? [a, b]\n: complex key\n",
        "a: &x 1\nb: &x 2\n",  # an anchor defined twice
        "a: 1\n---\nb: 2\n",  # two documents
    ],
)
def test_the_event_builder_leaves_the_unusual_to_the_loader(text: str) -> None:
    from generator.load import _from_events

    assert _from_events(text) is None


def test_merge_keys_still_merge(tmp_path: Path) -> None:
    spec_file = tmp_path / "s.yaml"
    spec_file.write_text(MINIMAL + "x-base: &b {a: 1, c: 0}\nx-use:\n  <<: *b\n  c: 2\n")
    spec, diagnostics = load(spec_file)
    assert spec is not None and len(diagnostics) == 0
    assert spec.document["x-use"] == {"a": 1, "c": 2}
    assert spec.locate("/x-use/c")[1:] == (7, 3)  # its own entry, not the merged one
    assert spec.locate("/x-use/a")[1:] == (4, 13)  # where the merged entry was written


@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text(max_size=12)
        | st.sampled_from(["yes", "NO", "0o17", "017", "1e3", "~", "", "<<", ".inf", "12:30"]),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.text(max_size=8) | st.integers() | st.booleans() | st.none(),
                children,
                max_size=4,
            )
        ),
        max_leaves=25,
    ),
    st.booleans(),
    st.booleans(),
)
@settings(max_examples=300, deadline=None)
def test_the_event_builder_agrees_with_the_loader_on_any_dump(
    data: object, flow: bool, share: bool
) -> None:
    """Random documents, in block and flow style, with repeated subtrees written once and
    aliased (PyYAML anchors what it meets twice)."""
    document = {"a": data, "b": data if share else None}
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True)
    found = _both_ways(text)
    assert found is not None
    assert found[0] == found[1]


def _outcome(read: Callable[[], object]) -> object:
    try:
        return read()
    except yaml.YAMLError as exc:
        return (type(exc).__name__, str(exc))


def test_the_event_builder_fails_as_the_loader_does_on_broken_yaml() -> None:
    """The chat spec with a few characters changed, 400 times (seeded): where the
    builder takes the text, it builds what the loader builds or raises what it raises."""
    import random

    from generator.load import _from_events, _Loader

    def loader(text: str) -> object:
        read = _Loader(text)
        try:
            data = read.get_single_data()
        finally:
            read.dispose()
        return _shape(data), read.marks.root, read.marks.in_order(data), read.duplicates

    def builder(text: str) -> object:
        built = _from_events(text)
        if built is None:
            return None
        data, marks, duplicates = built
        return _shape(data), marks.root, marks.in_order(data), duplicates

    seed = CHAT_SPEC.read_text()[:3000] + "\nx-a: &a {k: [1, 2]}\nx-b: [*a, {w: *a}]\n"
    pieces = [*":-[]{}&*!?|>'\"#,~\n ", "  ", "\n  ", "a", "1", "0x", "yes"]
    chance = random.Random(16)
    taken = 0
    for _ in range(400):
        chars = list(seed)
        for _ in range(chance.randint(1, 4)):
            at = chance.randrange(len(chars))
            action = chance.random()
            if action < 0.4:
                chars[at] = chance.choice(pieces)
            elif action < 0.7:
                chars.insert(at, chance.choice(pieces))
            else:
                del chars[at]
        text = "".join(chars)
        got = _outcome(lambda text=text: builder(text))
        if got is not None:
            taken += 1
            assert got == _outcome(lambda text=text: loader(text)), text
    assert taken > 300  # most broken texts are the builder's to read (or refuse)
