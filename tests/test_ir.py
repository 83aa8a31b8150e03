"""The intermediate model of the subset fixture (3.0) and the hostile fixture (3.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import Diagnostics
from generator.ir import Api, Operation, build_api, is_placeholder_variable
from generator.load import load_spec

SPECS = Path(__file__).parent / "specs_generate"


def _build(name: str, package: str) -> tuple[Api, Diagnostics]:
    diagnostics = Diagnostics()
    spec = load_spec(SPECS / name, diagnostics)
    assert spec is not None
    return build_api(spec, package, diagnostics), diagnostics


@pytest.fixture(scope="module")
def subset() -> tuple[Api, Diagnostics]:
    return _build("subset30.openapi.yaml", "subset_client")


def _op(api: Api, operation_id: str) -> Operation:
    return next(op for op in api.operations if op.operation_id == operation_id)


def test_resources_per_tag_and_methods_per_operation(subset: tuple[Api, Diagnostics]) -> None:
    api, _ = subset
    assert [(r.attribute, [op.python_name for op in r.operations]) for r in api.resources] == [
        ("pets", ["list_pets", "post_pets", "replace_pet"]),
        ("default", ["set_tags"]),
    ]


def test_parameters(subset: tuple[Api, Diagnostics]) -> None:
    api, diagnostics = subset
    params = {p.name: p for p in _op(api, "listPets").parameters}
    assert set(params) == {
        "limit",
        "session",
        "X-Trace",
    }  # filter (a JSON `content` object) is left out
    assert params["session"].location == "cookie" and params["X-Trace"].python_name == "x_trace"
    assert params["X-Trace"].required and not params["limit"].required
    warning = next(d for d in diagnostics if d.rule == "unsupported-parameter")
    assert warning.line and warning.pointer == "/paths/~1pets/get/parameters/2"


def test_bodies_and_responses(subset: tuple[Api, Diagnostics]) -> None:
    api, _ = subset
    post = _op(api, "post_pets")  # no operationId: named from method and path
    assert post.body is not None and post.body.class_name == "Pet" and post.body.spread
    replace = _op(api, "replacePet")
    assert replace.body is not None and not replace.body.spread and not replace.body.required
    assert replace.success is not None and replace.success.media_type == "text/csv"
    assert replace.success.class_name is None
    tags = _op(api, "setTags")
    assert (
        tags.body is not None and tags.body.class_name == "SetTagsRequest" and not tags.body.spread
    )
    assert [(r.status, r.class_name) for r in tags.responses] == [("default", "Problem")]


def test_inline_schemas_are_hoisted_with_readable_names(subset: tuple[Api, Diagnostics]) -> None:
    api, _ = subset
    schemas = api.models_document["components"]["schemas"]
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


def test_hostile_names() -> None:
    api, diagnostics = _build("hostile.openapi.yaml", "hostile_client")
    assert [r.attribute for r in api.resources] == [
        "class_",
        "from_",
        "field_2fast",
        "with_space",
        "import_os_os_system_touch_sentinel_fired",
    ]
    assert {op.operation_id: op.python_name for op in api.operations} == {
        "class": "class_",
        "from": "from_",
        "model_config": "model_config",
        "2fast": "field_2fast",
        "with space": "with_space",
        "import os; os.system('touch SENTINEL_FIRED')": "import_os_os_system_touch_sentinel_fired",
    }
    assert [(s.keyword, s.env_var) for s in api.security_schemes] == [
        ("field_2fast_key_class", "HOSTILE_CLIENT_FIELD_2FAST_KEY_CLASS"),
        ("class_", "HOSTILE_CLIENT_CLASS"),
    ]
    assert _op(api, "2fast").security == () and _op(api, "class").security == (
        ("2fast.key-class",),
    )
    assert not diagnostics.has_errors()


def test_servers_with_undeclared_variables_are_skipped(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"
        "servers: [{url: 'https://{a}.x'}, {url: 'https://ok.x'}]\n"
        "paths:\n  /a:\n    get:\n      operationId: a\n      responses: {'204': {description: x}}\n",
        encoding="utf-8",
    )
    diagnostics = Diagnostics()
    loaded = load_spec(spec, diagnostics)
    assert loaded is not None
    api = build_api(loaded, "p", diagnostics)
    assert [s.url for s in api.servers] == ["https://ok.x"]
    assert any(
        d.rule == "unsupported-server" and d.pointer == "/servers/0/url" for d in diagnostics
    )


def _api_of(tmp_path: Path, schemas: dict[str, object], body: dict[str, object]) -> Api:
    import json

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
    return build_api(spec, "t_client", diagnostics)


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
    generated = api.models_document["components"]["schemas"]
    # the repository objects of PushEvent and PullEvent are one class; StarEvent's differs
    assert "PushEventRepository" in generated and "PullEventRepository" not in generated
    assert generated["PullEvent"]["properties"]["repository"] == {
        "$ref": "#/components/schemas/PushEventRepository"
    }
    assert "StarEventRepository" in generated
    # a component is never merged away, even when identical to a hoisted object
    assert "Standalone" in generated
    assert set(api.schema_classes) == set(generated)


def test_parents_merge_when_their_children_do(tmp_path: Path) -> None:
    wrapper = {"type": "object", "properties": {"event": _inline()}}
    schemas: dict[str, object] = {"A": wrapper, "B": wrapper}
    api = _api_of(tmp_path, schemas, {"$ref": "#/components/schemas/A"})
    generated = api.models_document["components"]["schemas"]
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
    generated = api.models_document["components"]["schemas"]
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
    generated = api.models_document["components"]["schemas"]
    assert list(generated) == ["Update", "CreateThingRequest"] or "UpdateOption1" not in generated
    assert generated["Update"]["anyOf"][0] == {
        "properties": {"status": {"enum": ["completed"]}},
        "required": ["status"],
    }


# --------------------------------------------------------------------------- servers

LINT = Path(__file__).parent / "specs" / "lint"


def _build_lint(name: str, package: str = "servers_client") -> Api:
    diagnostics = Diagnostics()
    spec = load_spec(LINT / name, diagnostics)
    assert spec is not None
    return build_api(spec, package, diagnostics)


def test_operation_without_server_gets_none() -> None:
    """No made-up ``/`` server: the client requires base_url for these operations."""
    api = _build_lint("server-missing.yaml")
    servers = {op.operation_id: [s.url for s in op.servers] for op in api.operations}
    assert servers == {
        "getServed": ["https://api.vendor-a.com"],
        "getOwn": ["https://api.vendor-a.com"],
        "postOwn": [],
        "getLost": [],
    }
    assert [s.url for s in api.servers] == ["https://api.vendor-a.com"]


def test_no_server_anywhere_gives_no_server() -> None:
    api = _build_lint("server-missing-everywhere.yaml")
    assert api.servers == ()
    assert all(op.servers == () for op in api.operations)


def test_placeholder_variables_marked_or_obvious() -> None:
    api = _build_lint("server-variable-placeholder.yaml")
    variables = {v.name: v for s in api.servers for v in s.variables}
    # x-placeholder: true; an obvious placeholder (<site>); x-placeholder: false wins
    assert variables["host"].placeholder and variables["host"].env_var == "SERVERS_CLIENT_HOST"
    assert variables["site"].placeholder and variables["site"].env_var == "SERVERS_CLIENT_SITE"
    assert not variables["region"].placeholder and variables["region"].env_var == ""


def test_placeholder_env_vars_never_take_one_the_client_reads(tmp_path: Path) -> None:
    spec = tmp_path / "taken.yaml"
    spec.write_text(
        "openapi: 3.1.0\n"
        "info: {title: t, version: '1'}\n"
        "servers:\n"
        "  - url: 'https://{log}.{base_url}.{api_key}.{tenant}.x'\n"
        "    variables:\n"
        "      log: {default: your-log, x-placeholder: true}\n"
        "      base_url: {default: your-base, x-placeholder: true}\n"
        "      api_key: {default: your-key, x-placeholder: true}\n"
        "      tenant: {default: acme}\n"
        "paths:\n"
        "  /a:\n"
        "    get:\n"
        "      operationId: a\n"
        "      security: [{apiKey: []}]\n"
        "      responses: {'200': {description: ok}}\n"
        "components:\n"
        "  securitySchemes:\n"
        "    apiKey: {type: apiKey, in: header, name: X-Key}\n"
    )
    diagnostics = Diagnostics()
    loaded = load_spec(spec, diagnostics)
    assert loaded is not None
    api = build_api(loaded, "my_client", diagnostics)
    env = {v.name: v.env_var for s in api.servers for v in s.variables}
    assert api.security_schemes[0].env_var == "MY_CLIENT_API_KEY"
    assert env["log"] not in {"MY_CLIENT_LOG", ""}
    assert env["base_url"] not in {"MY_CLIENT_BASE_URL", ""}
    assert env["api_key"] not in {"MY_CLIENT_API_KEY", ""}
    assert len({env["log"], env["base_url"], env["api_key"]}) == 3
    assert env["tenant"] == ""  # a real default: no environment variable


@pytest.mark.parametrize(
    ("variable", "placeholder"),
    [
        ({"default": "replace-with-own-host"}, True),
        ({"default": "replace-with-own-host", "x-placeholder": False}, False),
        ({"default": "acme", "x-placeholder": True}, True),
        ({"default": "acme"}, False),
        ({"default": "your-region", "enum": ["your-region", "eu"]}, False),  # real choices
        ({"default": "eu", "enum": ["eu", "us"], "x-placeholder": True}, True),
        ({"default": "changeme", "x-placeholder": "yes"}, True),  # not a boolean: the heuristic
    ],
)
def test_is_placeholder_variable(variable: dict[str, object], placeholder: bool) -> None:
    assert is_placeholder_variable(variable) is placeholder
