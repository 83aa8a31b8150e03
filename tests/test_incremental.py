"""Regeneration in proportion to the change: an edited spec redoes only the units it touches.

Every test edits a spec whose schemas fall into several parts, regenerates with the
cache of the run before, and compares the package byte for byte with a cold run (no
cache) of the edited spec. The parts are made small here (``PART_SCHEMAS``) so that a
spec of a few dozen schemas has several; real specs get parts of a few hundred.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator import cache as cache_module
from generator import partition
from generator.cache import OutputCache
from generator.config import ClientConfig
from generator.pipeline import Outcome, generate_client
from generator.write import read_tree

REF = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF + name}


def _cluster(prefix: str, size: int) -> dict[str, Any]:
    """A chain of schemas on a shared base, each with an inline object the generator names."""
    schemas: dict[str, Any] = {
        f"{prefix}Base": {
            "type": "object",
            "description": f"What every {prefix} has.",
            "required": ["id"],
            "properties": {"id": {"type": "integer"}, "owner": _ref("User")},
        }
    }
    for index in range(size):
        properties: dict[str, Any] = {
            "label": {"type": "string", "description": "A label."},
            "extra": {"type": "object", "properties": {"note": {"type": "string"}}},
            "state": {"type": "string", "enum": ["open", "closed"]},
        }
        if index:
            properties["previous"] = _ref(f"{prefix}{index - 1}")
        schemas[f"{prefix}{index}"] = {
            "description": f"{prefix} number {index}.",
            "allOf": [_ref(f"{prefix}Base"), {"type": "object", "properties": properties}],
        }
    return schemas


def _operation(operation_id: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "get": {
            "operationId": operation_id,
            "tags": [operation_id.rstrip("0123456789")],
            "responses": {
                "200": {"description": "ok", "content": {"application/json": {"schema": schema}}}
            },
        }
    }


def _document() -> dict[str, Any]:
    schemas: dict[str, Any] = {
        "User": {
            "type": "object",
            "description": "Someone.",
            "properties": {"login": {"type": "string"}},
        }
    }
    for prefix in ("Pet", "Order", "Store"):
        schemas |= _cluster(prefix, 6)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Incremental", "version": "1.0.0"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": {
            f"/{prefix.lower()}s": _operation(f"list{prefix}s", _ref(f"{prefix}5"))
            for prefix in ("Pet", "Order", "Store")
        },
        "components": {"schemas": schemas},
    }


@pytest.fixture(autouse=True)
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(partition, "MIN_SCHEMAS", 1)
    monkeypatch.setattr(partition, "PART_SCHEMAS", 4)


def _generate(spec: Path, out: Path, store: OutputCache | None) -> Outcome:
    return generate_client(ClientConfig(spec=spec, out=out, package="inc_client"), cache=store)


def _edited(
    tmp_path: Path, edit: Callable[[dict[str, Any]], None]
) -> tuple[Outcome, dict[str, bytes], dict[str, bytes]]:
    """(the incremental run's outcome, its package, a cold run's package) after ``edit``."""
    spec = tmp_path / "spec.json"
    document = _document()
    spec.write_text(json.dumps(document, indent=2))
    store = OutputCache(tmp_path / "cache")
    out = tmp_path / "out"
    first = _generate(spec, out, store)
    assert first.reused["models"][0] == 0 and first.reused["models"][1] >= 3
    edit(document)
    spec.write_text(json.dumps(document, indent=2))
    again = _generate(spec, out, store)
    cold = tmp_path / "cold"
    _generate(spec, cold, None)
    return again, read_tree(out), read_tree(cold)


def _schemas(document: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = document["components"]["schemas"]
    return schemas


def test_a_description_edit_regenerates_no_part(tmp_path: Path) -> None:
    """Descriptions are put into the generated text after the library ran: an edited one
    (over several lines; on a schema every part holds) changes no part's document."""

    def edit(document: dict[str, Any]) -> None:
        _schemas(document)["Order3"]["description"] = "Order number three,\nedited."
        _schemas(document)["User"]["description"] = 'Someone, """edited"""'

    outcome, incremental, cold = _edited(tmp_path, edit)
    assert incremental == cold
    taken, total = outcome.reused["models"]
    assert taken == total
    formatted, files = outcome.reused["format"]
    assert files - formatted <= 3  # the modules holding Order3 and User (and little else)
    assert any(b"    Order number three,\n    edited." in data for data in incremental.values())
    assert any(b'Someone, \\"\\"\\"edited' in data for data in incremental.values())


def test_a_description_made_equal_to_another_regenerates_its_part(tmp_path: Path) -> None:
    """Equal descriptions are one token (the library makes one class of equal schemas):
    an edit that makes two equal changes the parts holding them, and the result is still
    a cold run's."""

    def edit(document: dict[str, Any]) -> None:
        _schemas(document)["Order3"]["description"] = "Order number 2."
        _schemas(document)["Store1"]["description"] = "A new description."

    outcome, incremental, cold = _edited(tmp_path, edit)
    assert incremental == cold
    taken, total = outcome.reused["models"]
    assert taken < total


def test_a_shared_schema_edit_regenerates_the_parts_holding_it(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        _schemas(document)["User"]["properties"]["email"] = {"type": "string"}

    outcome, incremental, cold = _edited(tmp_path, edit)
    assert incremental == cold
    taken, total = outcome.reused["models"]
    assert taken < total - 1  # User is in every part's document
    assert any(b"email" in data for data in incremental.values())


def test_an_added_operation_is_byte_identical_to_a_cold_run(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        inline = {"type": "object", "properties": {"total": {"type": "integer"}}}
        document["paths"]["/pets/count"] = _operation("countPets", inline)

    outcome, incremental, cold = _edited(tmp_path, edit)
    assert incremental == cold
    assert outcome.reused["models"][0] >= 1
    assert any(b"count_pets" in data for data in incremental.values())


def test_an_operation_edit_takes_the_joined_models_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No schema changed: the models of the run before are taken as they were joined,
    without decoding, joining or expanding a part."""
    from generator import models

    spec, store = tmp_path / "spec.json", OutputCache(tmp_path / "cache")
    document = _document()
    spec.write_text(json.dumps(document, indent=2))
    _generate(spec, tmp_path / "out", store)
    document["paths"]["/pets"]["get"]["summary"] = "List the pets, edited."
    spec.write_text(json.dumps(document, indent=2))

    def never(*args: object, **kwargs: object) -> object:
        raise AssertionError("the parts were joined again")

    decoded: list[bytes | None] = []
    decode = models.decode_part

    def noted(data: bytes | None) -> models.PartResult | None:
        decoded.append(data)
        return decode(data)

    with monkeypatch.context() as patched:
        patched.setattr(models, "decode_part", noted)
        patched.setattr(partition, "join_parts", never)
        patched.setattr(models, "expand_aliases", never)
        outcome = _generate(spec, tmp_path / "out", store)
    assert len(decoded) == 1  # the joined models, no part
    taken, total = outcome.reused["models"]
    assert taken == total >= 3
    _generate(spec, tmp_path / "cold", None)
    incremental, cold = read_tree(tmp_path / "out"), read_tree(tmp_path / "cold")
    assert incremental == cold
    assert any(b"List the pets, edited." in data for data in incremental.values())


def test_a_removed_schema_and_operation_are_byte_identical_to_a_cold_run(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        del document["paths"]["/stores"]
        schemas = _schemas(document)
        for name in [n for n in schemas if n.startswith("Store")]:
            del schemas[name]

    outcome, incremental, cold = _edited(tmp_path, edit)
    assert incremental == cold
    assert not any(b"class Store" in data for data in incremental.values())
    assert outcome.reused["models"][0] >= 1  # the untouched clusters


def test_a_renamed_schema_is_byte_identical_to_a_cold_run(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        schemas = _schemas(document)
        text = json.dumps(schemas).replace("Pet", "Animal")
        document["components"]["schemas"] = json.loads(text)
        document["paths"]["/pets"] = copy.deepcopy(document["paths"]["/pets"])
        document["paths"]["/pets"]["get"]["responses"]["200"]["content"]["application/json"][
            "schema"
        ] = _ref("Animal5")

    _, incremental, cold = _edited(tmp_path, edit)
    assert incremental == cold


def test_a_change_in_the_generator_reuses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(_document()))
    store = OutputCache(tmp_path / "cache")
    _generate(spec, tmp_path / "out", store)
    # the same spec, a different generator (its code, templates or libraries)
    monkeypatch.setattr(cache_module, "generator_fingerprint", lambda: "another generator")
    second = _generate(spec, tmp_path / "out", store)
    assert "models" in dict(second.timings)  # not a whole-run hit
    assert second.reused["models"][0] == 0
    assert second.reused["format"][0] == 0


def test_an_unchanged_spec_in_another_folder_reuses_every_unit(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(_document()))
    store = OutputCache(tmp_path / "cache")
    first = _generate(spec, tmp_path / "one", store)
    # the whole-run entry is keyed by the spec's bytes: reformatting the file misses it
    spec.write_text(json.dumps(_document(), indent=4))
    second = _generate(spec, tmp_path / "two", store)
    assert second.reused["models"] == (first.reused["models"][1], first.reused["models"][1])
    formatted, files = second.reused["format"]
    assert formatted == files
    assert read_tree(tmp_path / "one") == read_tree(tmp_path / "two")


def test_a_damaged_unit_is_generated_again(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(_document()))
    store = OutputCache(tmp_path / "cache")
    _generate(spec, tmp_path / "one", store)
    for unit in (tmp_path / "cache" / "units" / "models").rglob("*"):
        if unit.is_file():
            unit.write_bytes(b"{not json")
    spec.write_text(json.dumps(_document(), indent=1))
    second = _generate(spec, tmp_path / "two", store)
    assert second.reused["models"][0] == 0
    assert read_tree(tmp_path / "one") == read_tree(tmp_path / "two")
