"""Schemas reshaped for the models generator: hoisted, named after their owner, merged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.diagnostics import Diagnostics
from generator.ir import Api
from generator.load import load_spec
from generator.operations import build_api

SPECS = Path(__file__).parent / "specs_generate"


@pytest.fixture(scope="module")
def subset() -> Api:
    diagnostics = Diagnostics()
    spec = load_spec(SPECS / "subset30.openapi.yaml", diagnostics)
    assert spec is not None
    return build_api(spec, diagnostics)


def test_inline_schemas_are_hoisted_with_readable_names(subset: Api) -> None:
    schemas = subset.models.schemas
    assert {
        "Pet",
        "Person",
        "Cat",
        "Dog",
        "Problem",
        "ListPetsResponse",
        "ReplacePetRequest",
        "SetTagsRequest",
    } <= set(schemas)
    assert schemas["Person"]["properties"]["friends"]["items"] == {
        "$ref": "#/components/schemas/Person"
    }


def _api_of(tmp_path: Path, schemas: dict[str, object], body: dict[str, object]) -> Api:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": {
            "/things": {
                "post": {
                    "operationId": "createThing",
                    "requestBody": {"content": {"application/json": {"schema": body}}},
                    "responses": {"204": {"description": "done"}},
                }
            }
        },
        "components": {"schemas": schemas},
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document))
    diagnostics = Diagnostics()
    spec = load_spec(path, diagnostics)
    assert spec is not None
    return build_api(spec, diagnostics)


def _inline(description: str = "") -> dict[str, object]:
    repo: dict[str, object] = {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    }
    if description:
        repo["description"] = description
    return {"type": "object", "properties": {"repository": repo, "count": {"type": "integer"}}}


def test_identical_inline_objects_share_the_first_class(tmp_path: Path) -> None:
    schemas: dict[str, object] = {
        "PushEvent": _inline(),
        "PullEvent": _inline(),
        "StarEvent": _inline("a differently described repository"),
        "Standalone": {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
    }
    api = _api_of(tmp_path, schemas, {"$ref": "#/components/schemas/PushEvent"})
    generated = api.models.schemas
    # the repository objects of PushEvent and PullEvent are one class; StarEvent's differs
    assert "PushEventRepository" in generated and "PullEventRepository" not in generated
    assert generated["PullEvent"]["properties"]["repository"] == {
        "$ref": "#/components/schemas/PushEventRepository"
    }
    assert "StarEventRepository" in generated
    # a component is never merged away, even when identical to a hoisted object
    assert "Standalone" in generated
    assert api.models.class_names == tuple(generated)


def test_parents_merge_when_their_children_do(tmp_path: Path) -> None:
    wrapper = {"type": "object", "properties": {"event": _inline()}}
    schemas: dict[str, object] = {"A": wrapper, "B": wrapper}
    api = _api_of(tmp_path, schemas, {"$ref": "#/components/schemas/A"})
    generated = api.models.schemas
    assert "AEvent" in generated and "AEventRepository" in generated
    assert not any(name.startswith("BEvent") for name in generated)
    assert generated["B"]["properties"]["event"] == {"$ref": "#/components/schemas/AEvent"}


def test_object_alternatives_are_named_after_their_owner(tmp_path: Path) -> None:
    user = {"title": "User", "type": "object", "properties": {"login": {"type": "string"}}}
    team = {"type": "object", "properties": {"slug": {"type": "string"}}}
    schemas: dict[str, object] = {
        "Review": {
            "type": "object",
            "properties": {"reviewer": {"anyOf": [user, team, {"type": "null"}]}},
        }
    }
    api = _api_of(tmp_path, schemas, {"$ref": "#/components/schemas/Review"})
    generated = api.models.schemas
    reviewer = generated["Review"]["properties"]["reviewer"]
    assert reviewer["anyOf"] == [
        {"$ref": "#/components/schemas/ReviewReviewerUser"},
        {"$ref": "#/components/schemas/ReviewReviewerOption2"},
        {"type": "null"},
    ]


def test_alternatives_refining_the_owner_stay_inline(tmp_path: Path) -> None:
    # GitHub's checks/update: the alternatives narrow the owner's own `status` property;
    # as classes of their own they would be bases whose field types clash with the owner's
    schemas: dict[str, object] = {
        "Update": {
            "type": "object",
            "properties": {"status": {"type": "string", "enum": ["queued", "completed"]}},
            "anyOf": [
                {"properties": {"status": {"enum": ["completed"]}}, "required": ["status"]},
                {"properties": {"status": {"enum": ["queued"]}}},
            ],
        }
    }
    api = _api_of(tmp_path, schemas, {"$ref": "#/components/schemas/Update"})
    generated = api.models.schemas
    assert list(generated) == ["Update", "CreateThingRequest"] or "UpdateOption1" not in generated
    assert generated["Update"]["anyOf"][0] == {
        "properties": {"status": {"enum": ["completed"]}},
        "required": ["status"],
    }
