"""Descriptions taken out of the models library's input and put back (``generator/descriptions.py``)."""

from __future__ import annotations

import ast
import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

from generator import models, partition
from generator.descriptions import (
    Descriptions,
    docstring,
    field_description,
    put_back,
    take_out,
)
from generator.diagnostics import Diagnostics
from generator.ir import Api
from generator.load import load_spec
from generator.model_source import analyse
from generator.operations import build_api

REF = "#/components/schemas/"

#: descriptions the library must write exactly as it would have: several lines, blank
#: lines, quotes (three in a row, one at the end), backslashes, CRLF, tabs, unicode,
#: leading spaces, a blank one, one that looks like a token
AWKWARD = (
    "First line.\n\nSecond paragraph,\n  indented.",
    'Says """quoted""" and ends with a quote"',
    "A backslash \\ and \\n (not a newline), C:\\path\\",
    "Windows\r\nline ends\r\n",
    "\tTabbed\tand ünïcödé — “fancy” 🙂",
    "   leading and trailing spaces   ",
    "   ",
    "Mentions clientgenD0123456789abcdef0123Z, which is no token of this run",
)


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {
        "Owner": {
            "type": "object",
            "description": AWKWARD[0],
            "properties": {
                "name": {"type": "string", "description": AWKWARD[1]},
                # a property *named* description: a name, not a text
                "description": {"type": "string", "description": AWKWARD[2]},
                "extra": {
                    "type": "object",
                    "description": AWKWARD[3],
                    "properties": {"note": {"type": "string", "description": AWKWARD[4]}},
                },
                "defaulted": {
                    "type": "object",
                    "default": {"description": "a value, not a description"},
                    "example": {"description": "a value too"},
                    "properties": {"description": {"type": "string"}},
                },
            },
        },
        "State": {"type": "string", "enum": ["open", "closed"], "description": AWKWARD[5]},
        "Tags": {"type": "array", "items": {"type": "string"}, "description": AWKWARD[6]},
        "Either": {
            "description": AWKWARD[7],
            "oneOf": [{"$ref": REF + "Owner"}, {"$ref": REF + "State"}],
        },
    }
    # equal schemas under two names, in a discriminated union: the library takes one for
    # the other only while they are equal, descriptions included
    for prefix in ("", "Beta"):
        for kind in ("text", "image"):
            schemas[f"{prefix}{kind.title()}Part"] = {
                "type": "object",
                "title": f"{kind} part",
                "description": f"A {kind} part.",
                "required": ["type", kind],
                "properties": {
                    "type": {"type": "string", "enum": [kind], "description": f"Always {kind}."},
                    kind: {"type": "string", "description": f"The {kind}."},
                },
            }
        schemas[f"{prefix}Message"] = {
            "type": "object",
            "properties": {
                "content": {
                    "type": "array",
                    "description": "The parts.",
                    "items": {
                        "oneOf": [
                            {"$ref": f"{REF}{prefix}TextPart"},
                            {"$ref": f"{REF}{prefix}ImagePart"},
                        ],
                        "discriminator": {"propertyName": "type"},
                    },
                }
            },
        }
    # equal schemas with equal descriptions, in different parts: the library makes them one
    for index in range(6):
        schemas[f"Item{index}"] = {
            "type": "object",
            "description": f"Item number {index}.",
            "properties": {
                "owner": {"$ref": REF + "Owner", "description": "Who owns it."},
                "box": {
                    "type": "object",
                    "description": "The same box everywhere.",
                    "properties": {"size": {"type": "integer", "description": "Its size."}},
                },
                "items": {
                    "type": "array",
                    "description": "Many.",
                    "items": {"type": "object", "properties": {"x": {"type": "integer"}}},
                },
            },
        }
    return schemas


def _api(schemas: dict[str, Any], tmp_path: Path) -> Api:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Described", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }
    path = tmp_path / "described.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    diagnostics = Diagnostics()
    spec = load_spec(path, diagnostics)
    assert spec is not None, diagnostics.items
    return build_api(spec, diagnostics)


def _generate(api: Api) -> models.ModelsModule:
    result = models.generate_models(api, package="pkg", spec_name="s", diagnostics=Diagnostics())
    assert result is not None
    return result


@pytest.fixture(params=[False, True], ids=["one-part", "parts"])
def parts(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    if request.param:
        monkeypatch.setattr(partition, "MIN_SCHEMAS", 1)
        monkeypatch.setattr(partition, "PART_SCHEMAS", 3)
    return bool(request.param)


def test_put_back_gives_what_the_library_writes_from_the_descriptions(
    monkeypatch: pytest.MonkeyPatch, parts: bool, tmp_path: Path
) -> None:
    api = _api(_schemas(), tmp_path)
    taken = _generate(api)
    monkeypatch.setattr(models, "take_out", lambda document: (document, Descriptions({})))
    plain = _generate(api)
    assert taken.source == plain.source
    assert taken.classes == plain.classes
    assert taken.aliases == plain.aliases
    assert taken.parts == plain.parts
    assert "clientgenD" not in taken.source.replace("clientgenD0123456789abcdef0123Z", "")


def test_take_out_tokens_descriptions_by_place_and_leaves_values_alone() -> None:
    schemas = _schemas()
    before = copy.deepcopy(schemas)
    document = {"components": {"schemas": schemas}}
    tokened, found = take_out(document)
    assert schemas == before  # copied where changed, never changed in place
    taken = tokened["components"]["schemas"]
    owner = taken["Owner"]
    assert owner["description"] in found.texts
    assert found.texts[owner["description"]] == AWKWARD[0]
    assert owner["properties"]["description"]["description"] in found.texts
    assert owner["properties"]["defaulted"]["default"] == {
        "description": "a value, not a description"
    }
    assert owner["properties"]["defaulted"]["example"] == {"description": "a value too"}
    assert taken["Tags"]["description"] == AWKWARD[6]  # blank: the library writes nothing
    # equal texts share a token; an edit of one text keeps every token
    boxes = {taken[f"Item{i}"]["properties"]["box"]["description"] for i in range(6)}
    assert len(boxes) == 1
    schemas["Owner"]["description"] = "Edited."
    again, edited = take_out({"components": {"schemas": schemas}})
    assert again == tokened
    assert edited.texts[owner["description"]] == "Edited."


def test_an_edit_that_makes_texts_equal_changes_their_tokens() -> None:
    schemas = _schemas()
    tokened, _ = take_out({"components": {"schemas": schemas}})
    schemas["Item3"]["description"] = "Item number 1."
    again, _ = take_out({"components": {"schemas": schemas}})
    first = tokened["components"]["schemas"]
    second = again["components"]["schemas"]
    assert second["Item3"]["description"] == first["Item1"]["description"]
    assert second["Item2"] == first["Item2"]


def test_a_token_anywhere_but_a_docstring_is_refused() -> None:
    token = "clientgenD" + "ab" * 10 + "Z"
    module = analyse(
        f"from pydantic import BaseModel\n\n\nclass A(BaseModel):\n    x: int = 1  # {token}\n",
        {},
    )
    assert put_back(module, Descriptions({token: "text"})) is None
    assert put_back(module, Descriptions({})) is module


def test_models_fall_back_to_the_descriptions_when_put_back_refuses(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    api = _api(_schemas(), tmp_path)
    plain_run = _generate(api)
    monkeypatch.setattr(models, "put_back", lambda module, texts: None if texts.texts else module)
    assert _generate(api).source == plain_run.source


def test_docstrings_are_written_as_the_library_writes_them() -> None:
    """:func:`docstring` is the library's ``format_docstring`` without importing the
    library: equal on the awkward texts and on thousands of random ones."""
    from datamodel_code_generator._python_syntax import format_docstring

    rng = random.Random(23)
    alphabet = ['"', "\\", "\n", "\r", "\t", " ", "\0", "a", "Z", "é", "🙂", "'", "x"]
    texts = [*AWKWARD, "", "\n", '"', '""""', "a\n\n\nb\n"]
    texts += ["".join(rng.choices(alphabet, k=rng.randint(1, 12))) for _ in range(3000)]
    for text in texts:
        for indent in (0, 4, 8):
            assert docstring(text, indent) == format_docstring(text, indent), (text, indent)
        if text.strip():  # what a field's description reads, without parsing the literal
            read = str(ast.literal_eval(format_docstring(text, 4))).strip()
            assert field_description(text) == read, text


@pytest.mark.slow
def test_a_real_part_where_equal_descriptions_matter(monkeypatch: pytest.MonkeyPatch) -> None:
    """OpenAI's part holding ``BetaMessage``: datamodel-code-generator types its content
    with the classes of equal schemas only while their descriptions are equal too. With
    a token per place (not per text) the union came out otherwise."""
    spec_path = Path(__file__).parent / "corpus" / "specs" / "openai.openapi.yaml"
    diagnostics = Diagnostics()
    spec = load_spec(spec_path, diagnostics)
    assert spec is not None
    document = models.without_nullable_false(build_api(spec, diagnostics).models.openapi())
    part = next(
        p
        for p in partition.split_schemas(document["components"]["schemas"])
        if "BetaMessage" in p.owned
    )
    plain = partition.part_document(document, part)
    tokened, texts = take_out(plain)
    taken = models.run_part(tokened, "pkg", "s").module
    assert taken is not None
    described = put_back(taken, texts)
    direct = models.run_part(plain, "pkg", "s").module
    assert described is not None and direct is not None
    assert described.source == direct.source
    assert described.classes == direct.classes
