"""The incremental measure's spec edits (``_edits.py``) and output comparison (``run.py``).

Each edit must parse to the original document plus exactly its change, keep the file's
format (JSON bytes outside the edit, YAML line numbers), and choose its target
deterministically.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.benchmarks._edits import (
    ADDED_OPERATION_ID,
    ADDED_PATH,
    EDIT_SUFFIX,
    EditError,
    pick_operation,
    pick_schema,
    prepare_edits,
)

ROOT = Path(__file__).resolve().parents[2]


def _document(paths: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": {
                "Zebra": {"type": "object", "description": "Stripes é"},
                "Apple": {"type": "object", "description": "Red"},
                "Mango": {"type": "object", "description": "Sweet"},
                "Empty": {"type": "object", "description": ""},
                "NoText": {"type": "string"},
            }
        },
    }


_GET = {"operationId": "listPets", "responses": {"200": {"description": "ok"}}}
_POST = {"operationId": "addPet", "responses": {"200": {"description": "ok"}}}


def test_the_schema_in_the_middle_of_those_with_a_description_is_chosen() -> None:
    assert pick_schema(_document({})) == "Mango"  # of Apple, Mango, Zebra
    with pytest.raises(EditError):
        pick_schema({"components": {"schemas": {"A": {"description": "  "}}}})


def test_an_untemplated_get_is_preferred_then_any_get_then_any_method() -> None:
    doc = _document({"/a/{id}": {"get": _GET}, "/b": {"post": _POST}, "/c": {"get": _GET}})
    assert pick_operation(doc) == ("/c", "get")
    doc = _document({"/b": {"post": _POST}, "/a/{id}": {"get": _GET}})
    assert pick_operation(doc) == ("/a/{id}", "get")
    assert pick_operation(_document({"/b": {"post": _POST}})) == ("/b", "post")
    with pytest.raises(EditError):
        pick_operation(_document({"/b": {"get": {"responses": {}}}}))


@pytest.mark.parametrize(
    "dump",
    [
        lambda d: json.dumps(d, indent=2, ensure_ascii=False),
        lambda d: json.dumps(d, indent=4) + "\n",
        lambda d: json.dumps(d, separators=(",", ":")),
    ],
    ids=["indent2-utf8", "indent4-ascii-newline", "compact"],
)
def test_json_edits_keep_every_other_byte(tmp_path: Path, dump: Any) -> None:
    doc = _document({"/pets": {"get": _GET}})
    spec = tmp_path / "spec.json"
    spec.write_text(dump(doc), encoding="utf-8")
    described, added = prepare_edits(spec)

    assert described.format_preserved and added.format_preserved
    doc["components"]["schemas"]["Mango"]["description"] += EDIT_SUFFIX
    assert described.content == dump(doc).encode()
    doc["components"]["schemas"]["Mango"]["description"] = "Sweet"
    doc["paths"][ADDED_PATH] = {"get": {**_GET, "operationId": ADDED_OPERATION_ID}}
    assert added.content == dump(doc).encode()


_YAML = """\
openapi: 3.1.0
info: {title: T, version: '1'}
paths:
  /pets/{petId}:
    parameters:
      - {name: petId, in: path, required: true, schema: {type: string}}
    post:
      operationId: showPet   # a comment
      description: |
        Shows
        one pet.
      responses:
        '200': {description: ok}
  # trailing comment of paths
components:
  schemas:
    Apple:
      description: plain text
        folded on two lines
    Banana:
      description: >-
        folded
        block "with quotes"
    Cherry:
      description: 'single quoted'
    Date: {description: "flow \\u00e9"}
    Kiwi:
      description: |
        literal

      type: object
"""


def _changes(original: str, edited: bytes) -> tuple[Any, Any]:
    return yaml.safe_load(original), yaml.safe_load(edited.decode())


@pytest.mark.parametrize("chosen", ["Apple", "Banana", "Cherry", "Date", "Kiwi"])
def test_yaml_description_edit_changes_that_scalar_and_keeps_line_numbers(
    tmp_path: Path, chosen: str
) -> None:
    # only ``chosen`` keeps a description (the others' become ``x-note``): it is the middle one
    head, schemas = _YAML.split("  schemas:\n")
    chunks = re.split(r"(?m)^(?=    \S)", schemas)
    text = (
        head
        + "  schemas:\n"
        + "".join(
            c if c.lstrip().startswith(f"{chosen}:") else c.replace("description:", "x-note:")
            for c in chunks
        )
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    original, edited = _changes(text, prepare_edits(spec)[0].content)
    key = chosen
    assert pick_schema(original) == key
    description = original["components"]["schemas"][key]["description"]
    assert edited["components"]["schemas"][key]["description"] == description + EDIT_SUFFIX
    edited["components"]["schemas"][key]["description"] = description
    assert edited == original
    content = prepare_edits(spec)[0].content.decode()
    assert content.count("\n") == text.count("\n")
    assert content.splitlines()[-1] == text.splitlines()[-1]


def test_yaml_add_operation_copies_the_source_text_with_its_parameters(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(_YAML, encoding="utf-8")
    edit = prepare_edits(spec)[1]
    original, edited = _changes(_YAML, edit.content)
    added = edited["paths"].pop(f"{ADDED_PATH}/{{petId}}")
    source = original["paths"]["/pets/{petId}"]
    assert added == {
        "parameters": source["parameters"],
        "post": {**source["post"], "operationId": ADDED_OPERATION_ID},
    }
    assert edited == original
    text = edit.content.decode()
    assert text.startswith(_YAML[: _YAML.index("components:")])  # added after the last path
    assert "  # trailing comment of paths\n" in text


def test_yaml_add_operation_when_paths_end_the_file_without_a_line_break(tmp_path: Path) -> None:
    text = "openapi: 3.1.0\ncomponents:\n  schemas:\n    A: {description: a}\npaths:\n"
    text += "  /pets:\n    get:\n      operationId: listPets\n      responses: {}"
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    original, edited = _changes(text, prepare_edits(spec)[1].content)
    assert edited["paths"].pop(ADDED_PATH) == {
        "get": {"operationId": ADDED_OPERATION_ID, "responses": {}}
    }
    assert edited == original


def test_the_chat_spec_can_be_edited() -> None:
    described, added = prepare_edits(ROOT / "spec" / "chat.openapi.yaml")
    assert "components/schemas/" in described.target
    assert ADDED_PATH in added.target and "post" in added.target  # the chat spec has no GET


def test_output_trees_compare_every_file_but_tool_caches(tmp_path: Path) -> None:
    from tests.benchmarks.run import compare_trees, tree_digest

    cold, warm = tmp_path / "cold", tmp_path / "warm"
    for root in (cold, warm):
        (root / "src" / "pkg" / "__pycache__").mkdir(parents=True)
        (root / "src" / "pkg" / "a.py").write_text("a = 1\n")
        (root / "README.md").write_text("readme\n")
    (warm / "src" / "pkg" / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0")
    (warm / ".ruff_cache").mkdir()
    (warm / ".ruff_cache" / "x").write_text("x")
    assert compare_trees(tree_digest(warm), tree_digest(cold)) == {"identical": True}

    (warm / "README.md").write_text("readme (edited)\n")
    (warm / "src" / "pkg" / "b.py").write_text("b = 1\n")
    (warm / "src" / "pkg" / "a.py").unlink()
    got = compare_trees(tree_digest(warm), tree_digest(cold))
    assert got["identical"] is False
    assert got["differences"] == [
        "differs: README.md",
        "extra: src/pkg/b.py",
        "missing: src/pkg/a.py",
    ]
    assert compare_trees(tree_digest(warm), {})["identical"] is False  # no reference: not proven
