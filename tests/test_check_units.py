"""The units the expensive checks run on, their keys, and findings remembered per unit."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from generator.cache import Memo
from generator.check_units import CheckUnits, raw, unit_of
from generator.diagnostics import Diagnostics, Level
from generator.load import load_spec
from generator.validate import validate_spec

REF = "#/components/schemas/"


def test_a_node_belongs_to_the_entry_it_is_written_in() -> None:
    assert unit_of("/paths/~1pets/get/responses/200") == "/paths/~1pets"
    assert unit_of("/webhooks/newPet/post") == "/webhooks/newPet"
    assert unit_of("/components/schemas/Pet/properties/id") == "/components/schemas/Pet"
    assert unit_of("/components/parameters/limit") == "/components/parameters/limit"
    assert unit_of("/info/title") == unit_of("/components") == unit_of("") == ""


def _document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/pets": {"get": {"responses": {"200": {"$ref": "#/components/responses/Pets"}}}},
            "/users": {"get": {"responses": {"200": {"description": "ok"}}}},
        },
        "components": {
            "responses": {
                "Pets": {
                    "description": "ok",
                    "content": {"application/json": {"schema": {"$ref": REF + "Pet"}}},
                }
            },
            "schemas": {
                "Pet": {"type": "object", "properties": {"tag": {"$ref": REF + "Tag"}}},
                "Tag": {"type": "object", "properties": {"parent": {"$ref": REF + "Tag"}}},
                "User": {"type": "object"},
            },
        },
    }


def _keys(document: dict[str, Any]) -> dict[str, str]:
    units = CheckUnits(document, None, "test")
    return {unit: units.key(unit) for unit in units.units()}


def test_a_key_covers_the_unit_and_everything_its_refs_reach() -> None:
    before = _keys(_document())
    edited = _document()
    edited["components"]["schemas"]["Tag"]["description"] = "a tag"  # reached through 2 refs
    after = _keys(edited)
    changed = {unit for unit in before if before[unit] != after[unit]}
    assert changed == {
        "/paths/~1pets",
        "/components/responses/Pets",
        "/components/schemas/Pet",
        "/components/schemas/Tag",
    }


def test_a_new_entry_changes_only_the_rest_and_its_own_key() -> None:
    before = _keys(_document())
    edited = _document()
    edited["paths"]["/stores"] = {"get": {"responses": {"200": {"description": "ok"}}}}
    after = _keys(edited)
    assert {u for u in before if before[u] != after[u]} == {""}  # the list of entries
    assert "/paths/~1stores" in after


def test_the_rest_of_the_document_is_keyed_by_what_it_references_too() -> None:
    document = _document()
    document["x-webhooks"] = {
        "petAdded": {"post": {"requestBody": {"$ref": "#/components/responses/Pets"}}}
    }
    before = _keys(document)
    edited = copy.deepcopy(document)  # a document is never changed while it is checked
    edited["components"]["schemas"]["Tag"]["type"] = "string"
    assert _keys(edited)[""] != before[""]


def test_keys_do_not_depend_on_the_order_they_are_asked_in() -> None:
    document = _document()
    forward = _keys(document)
    units = CheckUnits(copy.deepcopy(document), None, "test")
    backward = {unit: units.key(unit) for unit in reversed(units.units())}
    assert forward == backward


def test_findings_are_remembered_per_unit_and_kind(tmp_path: Path) -> None:
    memo = Memo(tmp_path, "checks")
    units = CheckUnits(_document(), memo, "examples")
    assert units.recall("/paths/~1pets") is None
    finding = raw(Level.ERROR, "example-invalid", "no", "/paths/~1pets/get", "fix it")
    units.keep("/paths/~1pets", [finding])
    assert CheckUnits(_document(), memo, "examples").recall("/paths/~1pets") == [finding]
    assert CheckUnits(_document(), memo, "keywords").recall("/paths/~1pets") is None
    edited = _document()
    edited["components"]["schemas"]["Tag"]["type"] = "string"
    assert CheckUnits(edited, memo, "examples").recall("/paths/~1pets") is None


SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "Checks", "version": "1.0.0"},
    "servers": [{"url": "https://api.example.com"}],
    "paths": {
        "/pets": {
            "get": {
                "operationId": "listPets",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": REF + "Pet"},
                                "example": {"id": "not a number"},
                            }
                        },
                    }
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["id", "name"],
                "allOf": [{"type": "object", "properties": {"id": {"type": "integer"}}}],
                "properties": {"size": {"type": "integer", "default": "big"}},
            }
        }
    },
}


def _findings(path: Path, memo: Memo | None) -> list[tuple[object, ...]]:
    diagnostics = Diagnostics()
    spec = load_spec(path, diagnostics)
    assert spec is not None
    validate_spec(spec, diagnostics, memo)
    return sorted((d.line, d.column, d.rule, d.message, d.pointer) for d in diagnostics)


def test_remembered_findings_are_located_in_the_edited_text(tmp_path: Path) -> None:
    """An edit above the findings moves them down: the remembered ones move too."""
    memo = Memo(tmp_path / "cache", "checks")
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(SPEC, indent=2))
    first = _findings(path, memo)
    assert any(memo.folder.rglob("*"))  # remembered
    assert {rule for _, _, rule, _, _ in first} >= {"example-invalid", "spec-invalid"}
    assert _findings(path, memo) == first == _findings(path, None)
    edited = copy.deepcopy(SPEC)
    edited["info"]["description"] = "one\ntwo"
    edited["info"]["x-notes"] = {"a": [1, 2, 3]}  # more lines above every finding
    path.write_text(json.dumps(edited, indent=2))
    again = _findings(path, memo)
    assert again == _findings(path, None)
    assert [line for line, *_ in again] != [line for line, *_ in first]


def test_a_path_key_holding_a_hash_is_one_unit(tmp_path: Path) -> None:
    """``/cookies#v2`` (as readme's examples write alternatives) is checked as one path item."""
    document = copy.deepcopy(SPEC)
    document["paths"]["/pets#v2"] = document["paths"]["/pets"]
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document, indent=2))
    findings = _findings(path, None)
    assert not [m for *_, m, _p in findings if "could not check" in m]
    assert any(p.startswith("/paths/~1pets#v2/") for *_, p in findings)
