"""Tests for the hand-maintained OpenAPI spec ``spec/chat.openapi.yaml``.

The spec is checked against the OpenAPI 3.1 meta-schema, its own examples are validated against
their schemas, and the examples on the vendor documentation pages (``tests/fixtures/seeds``, copied
verbatim, parsed at test time) are validated against the spec's schemas.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = ROOT / "spec" / "chat.openapi.yaml"
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
IW_ERP_SEED = SEEDS / "000_d92061032a237a44.txt"
MUDBASE_SEED = SEEDS / "003_1d0fd6e817686bbf.txt"

SPEC_URI = "urn:clientgen:spec:chat"

IW_ERP_PATH = "/api/chat/chatroom_participant"
MUDBASE_PATH = "/api/chat/projects/{projectId}/chats/{chatId}/participants"
#: the operations the vendor pages document. The spec may grow (README: "Adding or changing an
#: endpoint"): these tests check what the pages say about these two, never that nothing else exists
DOCUMENTED_PATHS = (IW_ERP_PATH, MUDBASE_PATH)

PARTICIPANT_FIELDS: dict[str, tuple[str, str | None]] = {
    "id": ("integer", None),
    "participant_type": ("string", None),
    "chatroom": ("$ref", "#/components/schemas/Chatroom"),
    "first_name": ("string", None),
    "last_name": ("string", None),
    "nickname": ("string", None),
    "preferred_color_hex": ("string", None),
    "avatar_token": ("string", None),
    "last_read_at": ("string", "date-time"),
    "room_admin": ("boolean", None),
    "can_write": ("boolean", None),
    "is_muted": ("boolean", None),
    "auto_created": ("boolean", None),
    "auto_reply": ("boolean", None),
    "ai_auto_close_secret_word": ("string", None),
    "ai_prompt": ("string", None),
    "ai_number_of_context_messages": ("integer", None),
    "created": ("string", "date-time"),
    "updated": ("string", "date-time"),
    "deleted": ("boolean", None),
    "name": ("string", None),
    "image_url": ("string", None),
}
CHATROOM_FIELDS: dict[str, tuple[str, str | None]] = {
    "id": ("integer", None),
    "created": ("string", "date-time"),
    "updated": ("string", "date-time"),
    "deleted": ("boolean", None),
    "name": ("string", None),
    "image_url": ("string", None),
}


# --------------------------------------------------------------------------- helpers


def _load_spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return _load_spec()


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def pointer(*tokens: str | int) -> str:
    """JSON pointer (as a URI fragment) to a location in the spec document."""
    return "#" + "".join("/" + _escape(str(t)) for t in tokens)


def validator_for(spec: dict[str, Any], fragment: str) -> Draft202012Validator:
    """A Draft 2020-12 validator (with format checking) for the schema at ``fragment``.

    The whole spec is registered as one resource, so local ``$ref``s inside it resolve.
    """
    resource = Resource.from_contents(spec, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
    return Draft202012Validator(
        {"$ref": SPEC_URI + fragment},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def schema_validator(spec: dict[str, Any], name: str) -> Draft202012Validator:
    assert name in spec["components"]["schemas"], f"missing component schema {name}"
    return validator_for(spec, pointer("components", "schemas", name))


def errors(validator: Draft202012Validator, instance: Any) -> list[str]:
    return [e.message for e in validator.iter_errors(instance)]


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref`` (only the ``$ref`` itself, sibling keywords are ignored)."""
    while "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        target: Any = spec
        for token in ref[2:].split("/"):
            target = target[_unescape(token)]
        node = target
    return node


def operation(spec: dict[str, Any], path: str) -> dict[str, Any]:
    op = spec["paths"][path]["post"]
    assert isinstance(op, dict)
    return op


def media_schema_ref(media: dict[str, Any]) -> str:
    return str(media["schema"]["$ref"])


def iter_media_types(
    spec: dict[str, Any],
) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Every media type object of every request body and response, with its location."""
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in {"get", "put", "post", "delete", "options", "head", "patch", "trace"}:
                continue
            containers: list[tuple[tuple[str | int, ...], dict[str, Any]]] = []
            if "requestBody" in op:
                containers.append((("paths", path, method, "requestBody"), op["requestBody"]))
            for status, response in op.get("responses", {}).items():
                containers.append((("paths", path, method, "responses", status), response))
            for loc, container in containers:
                if "$ref" in container:  # shared component: report its own location
                    loc = tuple(_unescape(t) for t in container["$ref"][2:].split("/"))
                    container = resolve(spec, container)
                for media_type, media in container.get("content", {}).items():
                    yield (*loc, "content", media_type), media


def iter_schemas(
    node: Any, loc: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every schema object nested in ``node`` (which is itself a schema)."""
    if not isinstance(node, dict):
        return
    yield loc, node
    for key in ("properties", "patternProperties", "$defs"):
        for name, sub in node.get(key, {}).items():
            yield from iter_schemas(sub, (*loc, key, name))
    for key in ("items", "additionalProperties", "not", "if", "then", "else", "contains"):
        if isinstance(node.get(key), dict):
            yield from iter_schemas(node[key], (*loc, key))
    for key in ("allOf", "anyOf", "oneOf", "prefixItems"):
        for i, sub in enumerate(node.get(key, [])):
            yield from iter_schemas(sub, (*loc, key, i))


def iter_all_schemas(spec: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    for name, schema in spec["components"]["schemas"].items():
        yield from iter_schemas(schema, ("components", "schemas", name))
    for loc, media in iter_media_types(spec):
        if "schema" in media:
            yield from iter_schemas(media["schema"], (*loc, "schema"))
    for name, param in spec["components"].get("parameters", {}).items():
        yield from iter_schemas(param["schema"], ("components", "parameters", name, "schema"))


def reachable_schema_names(spec: dict[str, Any], root: dict[str, Any]) -> set[str]:
    """Names of the component schemas reachable from ``root`` via ``$ref``."""
    found: set[str] = set()
    todo = [root]
    while todo:
        node = todo.pop()
        for _, sub in iter_schemas(node, ()):
            ref = sub.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in found:
                    found.add(name)
                    todo.append(spec["components"]["schemas"][name])
    return found


def documented_schema_names(spec: dict[str, Any]) -> set[str]:
    """Names of the component schemas the two documented operations use (transitively)."""
    names: set[str] = set()
    for path in DOCUMENTED_PATHS:
        op = operation(spec, path)
        for loc, media in iter_media_types(spec):
            if loc[1] == path and "schema" in media:
                names |= reachable_schema_names(spec, media["schema"])
        for param in op.get("parameters", []):
            names |= reachable_schema_names(spec, resolve(spec, param).get("schema", {}))
    return names


def iter_documented_schemas(
    spec: dict[str, Any],
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every schema object of the two documented operations: their media types' and
    parameters' schemas and every component schema they reach, with its location."""
    for loc, media in iter_media_types(spec):
        if loc[1] in DOCUMENTED_PATHS and "schema" in media:
            yield from iter_schemas(media["schema"], (*loc, "schema"))
    for path in DOCUMENTED_PATHS:
        for i, param in enumerate(operation(spec, path).get("parameters", [])):
            if "$ref" in param:
                name = param["$ref"].rsplit("/", 1)[1]
                loc: tuple[str | int, ...] = ("components", "parameters", name, "schema")
            else:
                loc = ("paths", path, "post", "parameters", i, "schema")
            yield from iter_schemas(resolve(spec, param)["schema"], loc)
    for name in sorted(documented_schema_names(spec)):
        yield from iter_schemas(
            spec["components"]["schemas"][name], ("components", "schemas", name)
        )


def all_example_values(node: Any) -> Iterator[Any]:
    """Every value given under an ``example``/``examples`` keyword anywhere in the document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "example":
                yield value
            elif key == "examples" and isinstance(value, list):
                yield from value
            elif key == "examples" and isinstance(value, dict):
                for ex in value.values():
                    if isinstance(ex, dict) and "value" in ex:
                        yield ex["value"]
            else:
                yield from all_example_values(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_example_values(value)


def contains_string(value: Any, needle: str) -> bool:
    if isinstance(value, str):
        return needle in value
    if isinstance(value, dict):
        return any(contains_string(v, needle) for v in value.values())
    if isinstance(value, list):
        return any(contains_string(v, needle) for v in value)
    return False


# --------------------------------------------------------------------------- seed parsing


def _json_after(text: str, marker: str, start: int = 0) -> Any:
    """Decode the first JSON object that starts after ``marker`` (searched from ``start``)."""
    at = text.index(marker, start) + len(marker)
    brace = text.index("{", at)
    value, _ = json.JSONDecoder().raw_decode(text, brace)
    return value


@pytest.fixture(scope="module")
def iw_erp_seed() -> dict[str, Any]:
    text = IW_ERP_SEED.read_text(encoding="utf-8")
    curl = re.search(r"--data '(\{.*\})'", text)
    assert curl is not None, "curl --data example not found in the IW-ERP seed"
    return {
        "text": text,
        "request": _json_after(text, "Request examples"),
        "response": _json_after(text, "Response examples (200)"),
        "curl_request": json.loads(curl.group(1)),
    }


@pytest.fixture(scope="module")
def mudbase_seed() -> dict[str, Any]:
    text = MUDBASE_SEED.read_text(encoding="utf-8")
    sdk_at = text.index("client.chat.addParticipant(")
    sdk_end = text.index("})", sdk_at)
    sdk_call = text[sdk_at:sdk_end]
    sdk_args = dict(re.findall(r'(\w+):\s*"([^"]*)"', sdk_call))
    return {
        "text": text,
        "request": _json_after(text, "Request Body"),
        "response": _json_after(text, "200Participant added"),
        "sdk_args": sdk_args,
    }


# --------------------------------------------------------------------------- tests: validity


def test_spec_file_exists_and_is_openapi_3_1(spec: dict[str, Any]) -> None:
    assert spec["openapi"] == "3.1.0"
    # the package version: bumped for every release (README: "Publishing the generated package")
    assert re.fullmatch(r"\d+\.\d+\.\d+", spec["info"]["version"])
    assert "chat" in spec["info"]["title"].lower()
    assert spec["info"].get("description", "").strip()


def test_spec_validates_against_openapi_meta_schema(spec: dict[str, Any]) -> None:
    validate(spec)


def test_spec_validator_rejects_a_broken_copy(spec: dict[str, Any]) -> None:
    """Guard: the validator really checks the document (a response without description fails)."""
    broken = _load_spec()
    del broken["paths"][MUDBASE_PATH]["post"]["responses"]["200"]["description"]
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def test_format_checking_is_active(spec: dict[str, Any]) -> None:
    """Guard: date-time formats are enforced by the validators used below."""
    v = schema_validator(spec, "ParticipantEntry")
    assert errors(v, {"addedAt": "2024-01-15T11:00:00.000Z"}) == []
    assert errors(v, {"addedAt": "yesterday"})


# --------------------------------------------------------------------------- tests: examples


def _media_examples(spec: dict[str, Any]) -> list[tuple[str, str, Any]]:
    found = []
    for loc, media in iter_media_types(spec):
        assert "schema" in media, f"{loc} has no schema"
        fragment = pointer(*loc, "schema")
        if "example" in media:
            found.append((f"{fragment}:example", fragment, media["example"]))
        for name, ex in media.get("examples", {}).items():
            ex = resolve(spec, ex)
            assert ex.get("summary"), f"example {name} at {loc} has no summary"
            found.append((f"{fragment}:{name}", fragment, ex["value"]))
    return found


def _schema_examples(spec: dict[str, Any]) -> list[tuple[str, str, Any]]:
    found = []
    for loc, schema in iter_all_schemas(spec):
        for i, value in enumerate(schema.get("examples", []) if isinstance(schema, dict) else []):
            fragment = pointer(*loc)
            found.append((f"{fragment}:examples[{i}]", fragment, value))
        if isinstance(schema, dict) and "example" in schema:
            found.append((f"{pointer(*loc)}:example", pointer(*loc), schema["example"]))
    for name, param in spec["components"].get("parameters", {}).items():
        fragment = pointer("components", "parameters", name, "schema")
        for ex_name, ex in param.get("examples", {}).items():
            found.append((f"{fragment}:{ex_name}", fragment, ex["value"]))
    return found


def test_every_operation_has_request_and_response_examples(spec: dict[str, Any]) -> None:
    for path in (IW_ERP_PATH, MUDBASE_PATH):
        op = operation(spec, path)
        for media in [
            op["requestBody"]["content"]["application/json"],
            *(r["content"]["application/json"] for r in op["responses"].values()),
        ]:
            assert media.get("examples"), f"{path}: media type without examples"


def test_media_type_examples_validate_against_their_schemas(spec: dict[str, Any]) -> None:
    examples = _media_examples(spec)
    # 1 + 1 (IW-ERP) and 2 + 1 + 1 + 1 (Mudbase) at the time of writing
    assert len(examples) >= 7
    for label, fragment, value in examples:
        assert errors(validator_for(spec, fragment), value) == [], label


def test_schema_level_examples_validate(spec: dict[str, Any]) -> None:
    examples = _schema_examples(spec)
    assert examples, "expected schema-/parameter-level examples"
    for label, fragment, value in examples:
        assert errors(validator_for(spec, fragment), value) == [], label


def test_invalid_role_is_not_used_as_an_example(spec: dict[str, Any]) -> None:
    values = list(all_example_values(spec))
    assert values
    assert not any(contains_string(v, "transmitter") for v in values)


# --------------------------------------------------------------------------- tests: seeds


def test_iw_erp_seed_request_example_validates(spec: dict[str, Any], iw_erp_seed: Any) -> None:
    request = iw_erp_seed["request"]
    assert set(request) == {"data"}
    v = schema_validator(spec, "ChatroomParticipantRequest")
    assert errors(v, request) == []
    # the curl example on the same page sends the same body
    assert iw_erp_seed["curl_request"] == request
    assert errors(v, iw_erp_seed["curl_request"]) == []
    # and the request schema used by the operation is this one
    media = operation(spec, IW_ERP_PATH)["requestBody"]["content"]["application/json"]
    assert media_schema_ref(media) == "#/components/schemas/ChatroomParticipantRequest"


def test_iw_erp_seed_response_example_validates(spec: dict[str, Any], iw_erp_seed: Any) -> None:
    response = iw_erp_seed["response"]
    assert "data" not in response  # the 200 response is not wrapped
    assert errors(schema_validator(spec, "ChatroomParticipant"), response) == []
    media = operation(spec, IW_ERP_PATH)["responses"]["200"]["content"]["application/json"]
    assert media_schema_ref(media) == "#/components/schemas/ChatroomParticipant"


def test_iw_erp_seed_fields_match_spec_fields(spec: dict[str, Any], iw_erp_seed: Any) -> None:
    schemas = spec["components"]["schemas"]
    seed_participant = iw_erp_seed["response"]
    assert set(seed_participant) == set(PARTICIPANT_FIELDS)
    assert set(seed_participant["chatroom"]) == set(CHATROOM_FIELDS)
    assert set(schemas["ChatroomParticipant"]["properties"]) == set(PARTICIPANT_FIELDS) | {
        "message_count_read"
    }
    assert set(schemas["Chatroom"]["properties"]) == set(CHATROOM_FIELDS)


def test_iw_erp_spec_examples_are_the_seed_examples(spec: dict[str, Any], iw_erp_seed: Any) -> None:
    op = operation(spec, IW_ERP_PATH)
    req_examples = op["requestBody"]["content"]["application/json"]["examples"]
    resp_examples = op["responses"]["200"]["content"]["application/json"]["examples"]
    assert iw_erp_seed["request"] in [e["value"] for e in req_examples.values()]
    assert iw_erp_seed["response"] in [e["value"] for e in resp_examples.values()]


def test_iw_erp_seed_response_with_unknown_and_extra_fields(
    spec: dict[str, Any], iw_erp_seed: Any
) -> None:
    v = schema_validator(spec, "ChatroomParticipant")
    extended = {**iw_erp_seed["response"], "message_count_read": 3, "field_from_the_future": "x"}
    extended["chatroom"] = {**extended["chatroom"], "another_new_field": 1}
    assert errors(v, extended) == []
    assert errors(v, {**iw_erp_seed["response"], "message_count_read": "3"})
    assert errors(v, {**iw_erp_seed["response"], "id": "42"})
    assert errors(v, {**iw_erp_seed["response"], "created": "4 May 2025"})
    # an empty participant is fine: nothing is documented as required
    assert errors(v, {}) == []
    # the request wrapper requires `data`
    assert errors(schema_validator(spec, "ChatroomParticipantRequest"), {})


def test_mudbase_seed_request_example_validates(spec: dict[str, Any], mudbase_seed: Any) -> None:
    request = mudbase_seed["request"]
    assert request == {"userId": "usr_l6ZF362tQSr4nE", "role": "member"}
    assert errors(schema_validator(spec, "AddParticipantRequest"), request) == []
    media = operation(spec, MUDBASE_PATH)["requestBody"]["content"]["application/json"]
    assert media_schema_ref(media) == "#/components/schemas/AddParticipantRequest"
    assert request in [e["value"] for e in media["examples"].values()]


def test_mudbase_seed_response_example_validates(spec: dict[str, Any], mudbase_seed: Any) -> None:
    response = mudbase_seed["response"]
    assert response["data"]["participants"][0]["addedAt"] == "2024-01-15T11:00:00.000Z"
    assert errors(schema_validator(spec, "AddParticipantResponse"), response) == []
    media = operation(spec, MUDBASE_PATH)["responses"]["200"]["content"]["application/json"]
    assert media_schema_ref(media) == "#/components/schemas/AddParticipantResponse"
    assert response in [e["value"] for e in media["examples"].values()]


def test_mudbase_sdk_example_role_is_rejected(spec: dict[str, Any], mudbase_seed: Any) -> None:
    sdk = mudbase_seed["sdk_args"]
    assert sdk["role"] == "transmitter transmit"
    v = schema_validator(spec, "AddParticipantRequest")
    body = {"userId": sdk["userId"], "role": sdk["role"]}
    assert errors(v, body), "the SDK example's role must fail validation"
    # ... and it fails because of the role only
    assert errors(v, {"userId": sdk["userId"]}) == []
    assert errors(v, {"userId": sdk["userId"], "role": "admin"}) == []
    assert errors(v, {"userId": sdk["userId"], "role": "member"}) == []


def test_mudbase_request_requires_user_id(spec: dict[str, Any]) -> None:
    v = schema_validator(spec, "AddParticipantRequest")
    assert errors(v, {"role": "member"})
    assert errors(v, {"userId": 42})


def test_mudbase_response_role_is_a_plain_string(spec: dict[str, Any], mudbase_seed: Any) -> None:
    v = schema_validator(spec, "AddParticipantResponse")
    response = json.loads(json.dumps(mudbase_seed["response"]))
    response["data"]["participants"][0]["role"] = "owner"
    assert errors(v, response) == []
    response["data"]["participants"][0]["addedAt"] = "not a date"
    assert errors(v, response)
    assert errors(v, {}) == []


def test_mudbase_seed_path_and_parameters_match(spec: dict[str, Any], mudbase_seed: Any) -> None:
    text = mudbase_seed["text"]
    assert MUDBASE_PATH in text
    documented = dict(re.findall(r"^(\w+) \| string \| (Yes|No) \|", text, flags=re.M))
    assert documented == {"projectId": "Yes", "chatId": "Yes"}
    params = [resolve(spec, p) for p in operation(spec, MUDBASE_PATH)["parameters"]]
    by_name = {p["name"]: p for p in params}
    for name, req in documented.items():
        assert by_name[name]["in"] == "path"
        assert by_name[name]["required"] is (req == "Yes")
        assert by_name[name]["schema"]["type"] == "string"
        assert by_name[name]["description"].strip()
    assert "24" in by_name["projectId"]["description"]


def test_iw_erp_seed_path_and_server_match(spec: dict[str, Any], iw_erp_seed: Any) -> None:
    text = iw_erp_seed["text"]
    assert f"\n{IW_ERP_PATH}\n" in text
    url = re.search(r"'(https://[^']+)'", text)
    assert url is not None
    server = spec["paths"][IW_ERP_PATH]["servers"][0]
    default_url = server["url"].replace("{tenant}", server["variables"]["tenant"]["default"])
    assert url.group(1) == default_url + IW_ERP_PATH


# --------------------------------------------------------------------------- tests: structure


def test_documented_schemas_cover_both_operations(spec: dict[str, Any]) -> None:
    """Guard: the tests restricted to the documented operations see all of their schemas."""
    assert documented_schema_names(spec) >= {
        "ChatroomParticipantRequest",
        "ChatroomParticipant",
        "Chatroom",
        "AddParticipantRequest",
        "ParticipantRole",
        "AddParticipantResponse",
        "AddParticipantResponseData",
        "ParticipantEntry",
        "MudbaseError",
    }
    locations = {loc for loc, _ in iter_documented_schemas(spec)}
    assert ("components", "parameters", "IwBuildId", "schema") in locations
    assert ("components", "parameters", "MudbaseChatId", "schema") in locations
    assert (
        "components",
        "schemas",
        "MudbaseError",
        "properties",
        "details",
        "anyOf",
        1,
    ) in locations


def test_operation_ids_tags_summaries(spec: dict[str, Any]) -> None:
    expected = {
        IW_ERP_PATH: ("addChatroomParticipant", "iw-erp"),
        MUDBASE_PATH: ("addParticipant", "mudbase"),
    }
    assert set(expected) == set(DOCUMENTED_PATHS)
    for path, (op_id, tag) in expected.items():
        assert {"servers", "post"} <= set(spec["paths"][path])
        op = operation(spec, path)
        assert op["operationId"] == op_id
        assert op["tags"] == [tag]
        assert op["summary"].strip()
        assert op["description"].strip()
        assert op["requestBody"]["required"] is True
    tags = {t["name"]: t for t in spec["tags"]}
    assert {"iw-erp", "mudbase"} <= set(tags)
    assert all(t["description"].strip() for t in tags.values())
    # every operation (documented here or added later) follows the README's rules
    for item in spec["paths"].values():
        for method, op in item.items():
            if method in {"get", "put", "post", "delete", "options", "head", "patch", "trace"}:
                assert op["operationId"] and op["summary"].strip() and op["security"], method
                assert len(op["tags"]) == 1 and op["tags"][0] in tags, op["operationId"]


def test_security_schemes(spec: dict[str, Any]) -> None:
    assert "security" not in spec
    schemes = spec["components"]["securitySchemes"]
    assert {"iwErpSessionToken", "mudbaseJwt"} <= set(schemes)
    iw = schemes["iwErpSessionToken"]
    assert (iw["type"], iw["in"], iw["name"]) == ("apiKey", "header", "x-session-token")
    assert "sessionid" in iw["description"]
    assert "/api/logins" in iw["description"]
    assert "API token" in iw["description"]
    mb = schemes["mudbaseJwt"]
    assert (mb["type"], mb["scheme"], mb["bearerFormat"]) == ("http", "bearer", "JWT")
    assert operation(spec, IW_ERP_PATH)["security"] == [{"iwErpSessionToken": []}]
    assert operation(spec, MUDBASE_PATH)["security"] == [{"mudbaseJwt": []}]


def test_servers_are_path_level(spec: dict[str, Any]) -> None:
    assert "servers" not in spec
    iw = spec["paths"][IW_ERP_PATH]["servers"]
    assert len(iw) == 1
    assert iw[0]["url"] == "https://{tenant}.iw-erp.de"
    tenant = iw[0]["variables"]["tenant"]
    assert tenant["default"] == "replace-with-own-host"
    assert tenant["x-placeholder"] is True  # the docs' placeholder: the client never dials it
    assert "own host" in tenant["description"].lower()
    assert "enum" not in tenant

    mb = spec["paths"][MUDBASE_PATH]["servers"]
    assert mb[0]["url"] == "https://cloud.mudbase.dev"
    assert [s["url"] for s in mb[1:]] in ([], ["http://localhost:5000"])
    assert all(s.get("description", "").strip() for s in mb)
    description = operation(spec, MUDBASE_PATH)["description"]
    assert "localhost:5000" in description
    assert "api.mudbase.dev" in description
    for path in (IW_ERP_PATH, MUDBASE_PATH):
        assert "servers" not in operation(spec, path)


def test_iw_erp_query_parameters(spec: dict[str, Any]) -> None:
    components = spec["components"]["parameters"]
    refs = [p["$ref"] for p in operation(spec, IW_ERP_PATH)["parameters"]]
    assert len(refs) == 2
    names = set()
    for ref in refs:
        assert ref.startswith("#/components/parameters/")
        param = components[ref.rsplit("/", 1)[1]]
        assert param["in"] == "query"
        assert param.get("required", False) is False
        assert param["schema"] == {"type": "string"}
        assert param["description"].strip()
        names.add(param["name"])
    assert names == {"iw-build-id", "iw-package-id"}


def _check_fields(
    spec: dict[str, Any], schema_name: str, fields: dict[str, tuple[str, str | None]]
) -> None:
    props = spec["components"]["schemas"][schema_name]["properties"]
    for name, (kind, extra) in fields.items():
        prop = props[name]
        assert prop.get("description", "").strip(), f"{schema_name}.{name} has no description"
        assert "readOnly" not in prop and "writeOnly" not in prop, f"{schema_name}.{name}"
        if kind == "$ref":
            assert prop["$ref"] == extra, f"{schema_name}.{name}"
            continue
        assert prop["type"] == kind, f"{schema_name}.{name}"
        assert prop.get("format") == extra, f"{schema_name}.{name}"
        assert "enum" not in prop, f"{schema_name}.{name}"


def test_chatroom_participant_fields(spec: dict[str, Any]) -> None:
    _check_fields(spec, "ChatroomParticipant", PARTICIPANT_FIELDS)
    extra = spec["components"]["schemas"]["ChatroomParticipant"]["properties"]["message_count_read"]
    assert extra["type"] == "integer"
    assert "snapshot" in extra["description"]
    props = spec["components"]["schemas"]["ChatroomParticipant"]["properties"]
    for name in ("id", "created", "updated"):
        assert "server" in props[name]["description"], name


def test_chatroom_fields(spec: dict[str, Any]) -> None:
    _check_fields(spec, "Chatroom", CHATROOM_FIELDS)
    props = spec["components"]["schemas"]["Chatroom"]["properties"]
    for name in ("id", "created", "updated"):
        assert "server" in props[name]["description"], name


def test_required_lists(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert schemas["ChatroomParticipantRequest"]["required"] == ["data"]
    assert schemas["ChatroomParticipantRequest"]["properties"]["data"]["$ref"] == (
        "#/components/schemas/ChatroomParticipant"
    )
    assert schemas["AddParticipantRequest"]["required"] == ["userId"]
    for name in (
        "ChatroomParticipant",
        "Chatroom",
        "AddParticipantResponse",
        "AddParticipantResponseData",
        "ParticipantEntry",
        "MudbaseError",
    ):
        assert "required" not in schemas[name], name
    # no nested schema of the documented operations sneaks in a `required` either
    allowed = {
        ("components", "schemas", "ChatroomParticipantRequest"),
        ("components", "schemas", "AddParticipantRequest"),
    }
    for loc, node in iter_documented_schemas(spec):
        if "required" in node:
            assert loc in allowed, loc


def test_mudbase_request_and_response_models(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    req = schemas["AddParticipantRequest"]["properties"]
    assert req["userId"]["type"] == "string"
    role = resolve(spec, req["role"])
    assert role["type"] == "string"
    assert role["enum"] == ["admin", "member"]

    resp = schemas["AddParticipantResponse"]["properties"]
    assert resp["success"]["type"] == "boolean"
    data = resolve(spec, resp["data"])
    participants = data["properties"]["participants"]
    assert participants["type"] == "array"
    entry = resolve(spec, participants["items"])["properties"]
    assert entry["userId"]["type"] == "string"
    assert entry["role"]["type"] == "string"
    assert "enum" not in entry["role"]
    assert (entry["addedAt"]["type"], entry["addedAt"]["format"]) == ("string", "date-time")


def test_error_responses(spec: dict[str, Any]) -> None:
    responses = operation(spec, MUDBASE_PATH)["responses"]
    assert set(responses) == {"200", "400", "401"}
    expected_codes = {
        "400": ("Validation failed", "VALIDATION_ERROR"),
        "401": ("Authentication required", "UNAUTHORIZED"),
    }
    for status, (message, code) in expected_codes.items():
        media = responses[status]["content"]["application/json"]
        assert media_schema_ref(media) == "#/components/schemas/MudbaseError"
        values = [e["value"] for e in media["examples"].values()]
        assert any(v.get("error") == message and v.get("code") == code for v in values), status

    err = spec["components"]["schemas"]["MudbaseError"]["properties"]
    assert set(err) == {"error", "code", "details", "timestamp", "path", "requestId"}
    for name in ("error", "code", "path", "requestId"):
        assert err[name]["type"] == "string", name
    assert (err["timestamp"]["type"], err["timestamp"]["format"]) == ("string", "date-time")
    v = schema_validator(spec, "MudbaseError")
    assert errors(v, {"details": "userId is required"}) == []
    assert errors(v, {"details": {"userId": "required"}}) == []
    assert errors(v, {"details": 42})
    assert errors(v, {"details": ["a"]})
    assert errors(v, {"timestamp": "soon"})

    # IW-ERP: only 200 is documented; the description says errors are unknown
    iw = operation(spec, IW_ERP_PATH)
    assert set(iw["responses"]) == {"200"}
    assert "unknown" in iw["description"].lower()
    assert "assumption" in iw["description"].lower()


def test_no_extensions_on_mudbase_operation(spec: dict[str, Any]) -> None:
    op = operation(spec, MUDBASE_PATH)
    assert "x-idempotent" not in op


def test_response_models_accept_unknown_fields(spec: dict[str, Any]) -> None:
    names: set[str] = set()
    for path in (IW_ERP_PATH, MUDBASE_PATH):
        for response in operation(spec, path)["responses"].values():
            names |= reachable_schema_names(spec, response["content"]["application/json"]["schema"])
    assert {
        "ChatroomParticipant",
        "Chatroom",
        "AddParticipantResponse",
        "AddParticipantResponseData",
        "ParticipantEntry",
        "MudbaseError",
    } <= names
    for name in names:
        for loc, node in iter_schemas(spec["components"]["schemas"][name], (name,)):
            assert node.get("additionalProperties", True) is not False, loc
            assert node.get("unevaluatedProperties", True) is not False, loc


def test_no_nullable_types(spec: dict[str, Any]) -> None:
    """The vendor pages document no field of the two operations as nullable."""
    for loc, node in iter_documented_schemas(spec):
        kind = node.get("type")
        assert not (isinstance(kind, list) and "null" in kind), loc
        assert kind != "null", loc
        assert "nullable" not in node, loc


def test_objects_are_named_components(spec: dict[str, Any]) -> None:
    """No anonymous inline object schemas with properties (they become unreadable class names)."""
    component_roots = {("components", "schemas", name) for name in spec["components"]["schemas"]}
    for loc, node in iter_documented_schemas(spec):
        if "properties" in node:
            assert loc in component_roots, f"inline object schema at {loc}"
    # media types reference named schemas directly
    for loc, media in iter_media_types(spec):
        if loc[1] in DOCUMENTED_PATHS:
            assert set(media["schema"]) == {"$ref"}, loc
    for name in (
        "ChatroomParticipant",
        "Chatroom",
        "ChatroomParticipantRequest",
        "AddParticipantRequest",
        "AddParticipantResponse",
        "AddParticipantResponseData",
        "ParticipantEntry",
        "MudbaseError",
    ):
        assert spec["components"]["schemas"][name]["type"] == "object", name


def test_schemas_and_properties_are_described(spec: dict[str, Any]) -> None:
    for name, schema in spec["components"]["schemas"].items():
        assert schema.get("description", "").strip(), name
        for prop_name, prop in schema.get("properties", {}).items():
            assert prop.get("description", "").strip(), f"{name}.{prop_name}"


def test_assumptions_are_marked(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    participant = schemas["ChatroomParticipant"]["description"].lower()
    assert "assumption" in participant
    assert "unknown additional fields" in participant
    assert (
        "free string"
        in schemas["ChatroomParticipant"]["properties"]["participant_type"]["description"].lower()
    )
    for name in ("IwBuildId", "IwPackageId"):
        assert "assumption" in spec["components"]["parameters"][name]["description"].lower()


def test_mudbase_role_enum_rejects_documented_bad_value(spec: dict[str, Any]) -> None:
    """The description may mention the bad SDK value, but only as invalid."""
    description = operation(spec, MUDBASE_PATH)["description"]
    assert "admin" in description and "member" in description
    v = schema_validator(spec, "ParticipantRole")
    assert errors(v, "admin") == []
    assert errors(v, "member") == []
    assert errors(v, "Admin")
    assert errors(v, "owner")
