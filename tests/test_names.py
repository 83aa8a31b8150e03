"""The naming pass: every Python name of a generated package, decided once."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import Diagnostics
from generator.ir import Api, Operation
from generator.load import load_spec
from generator.model_source import ModelClass, ModelField
from generator.names import (
    CLIENT_RESERVED,
    METHOD_RESERVED,
    RESOURCE_RESERVED,
    Names,
    name_package,
)
from generator.operations import build_api

SPECS = Path(__file__).parent / "specs_generate"
LINT = Path(__file__).parent / "specs" / "lint"


def _api(path: Path) -> Api:
    diagnostics = Diagnostics()
    spec = load_spec(path, diagnostics)
    assert spec is not None
    api = build_api(spec, diagnostics)
    assert not diagnostics.has_errors()
    return api


def _spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _op(api: Api, operation_id: str) -> Operation:
    return next(op for op in api.operations if op.operation_id == operation_id)


@pytest.fixture(scope="module")
def subset() -> tuple[Api, Names]:
    api = _api(SPECS / "subset30.openapi.yaml")
    return api, name_package(api, {}, "subset_client")


def test_resources_and_methods(subset: tuple[Api, Names]) -> None:
    api, names = subset
    assert [
        (names.resource(r).attribute, [names.method(op).name for op in r.operations])
        for r in api.resources
    ] == [("pets", ["list_pets", "post_pets", "replace_pet"]), ("default", ["set_tags"])]
    pets = names.resource(api.resources[0])
    assert (pets.module, pets.class_name, pets.async_class_name) == (
        "pets",
        "PetsResource",
        "AsyncPetsResource",
    )
    assert names.method(_op(api, "listPets")).constant == "_LIST_PETS"
    assert (names.client_class, names.async_client_class, names.env_prefix) == (
        "SubsetClient",
        "AsyncSubsetClient",
        "SUBSET_CLIENT_",
    )


def test_parameter_keywords_required_first(subset: tuple[Api, Names]) -> None:
    api, names = subset
    keywords = names.method(_op(api, "listPets")).keywords
    assert [(k.name, k.location, k.wire_name, k.required) for k in keywords] == [
        ("x_trace", "header", "X-Trace", True),
        ("limit", "query", "limit", False),
        ("session", "cookie", "session", False),
    ]
    assert all(k.parameter is not None and k.field is None for k in keywords)


def test_body_without_its_model_is_taken_whole(subset: tuple[Api, Names]) -> None:
    api, names = subset
    method = names.method(_op(api, "post_pets"))
    assert method.spread_model == ""
    assert [(k.name, k.location, k.wire_name) for k in method.keywords] == [("body", "body", "")]


def _field(name: str, alias: str, *, required: bool = True, read_only: bool = False) -> ModelField:
    return ModelField(name, alias, "str", required, False, read_only=read_only)


def test_body_fields_become_keywords_never_a_taken_name(tmp_path: Path) -> None:
    api = _api(
        _spec(
            tmp_path,
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"
            "servers: [{url: 'https://x.example'}]\n"
            "paths:\n  /things/{self}:\n    post:\n      operationId: make\n"
            "      parameters: [{name: self, in: path, required: true, schema: {type: string}}]\n"
            "      requestBody:\n        required: true\n        content:\n"
            "          application/json:\n            schema:\n"
            "              type: object\n              properties: {self: {type: string}}\n"
            "      responses: {'204': {description: done}}\n",
        )
    )
    model = ModelClass(
        "MakeRequest",
        (
            _field("self_", "self"),
            _field("isinstance", "isinstance", required=False),
            _field("id", "id", required=False, read_only=True),  # the server's to send
        ),
        is_root=False,
    )
    method = name_package(api, {"MakeRequest": model}, "t_client").method(api.operations[0])
    assert method.spread_model == "MakeRequest"
    assert [(k.name, k.location, k.wire_name) for k in method.keywords] == [
        ("self_", "path", "self"),
        ("self__", "body", "self"),
        ("isinstance_", "body", "isinstance"),
    ]
    assert not {k.name for k in method.keywords} & METHOD_RESERVED


def test_hostile_names() -> None:
    api = _api(SPECS / "hostile.openapi.yaml")
    names = name_package(api, {}, "hostile_client")
    assert [names.resource(r).attribute for r in api.resources] == [
        "class_",
        "from_",
        "field_2fast",
        "with_space",
        "import_os_os_system_touch_sentinel_fired",
    ]
    assert {op.operation_id: names.method(op).name for op in api.operations} == {
        "class": "class_",
        "from": "from_",
        "model_config": "model_config",
        "2fast": "field_2fast",
        "with space": "with_space",
        "import os; os.system('touch SENTINEL_FIRED')": "import_os_os_system_touch_sentinel_fired",
    }
    assert [
        (names.credentials[s.name].keyword, names.credentials[s.name].env_var)
        for s in api.security_schemes
    ] == [
        ("field_2fast_key_class", "HOSTILE_CLIENT_FIELD_2FAST_KEY_CLASS"),
        ("class_", "HOSTILE_CLIENT_CLASS"),
    ]


def test_reserved_names_are_never_handed_out(tmp_path: Path) -> None:
    """A tag named like a client attribute, an operation like a resource attribute, a
    resource class like a model: each gets another name."""
    api = _api(
        _spec(
            tmp_path,
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"
            "servers: [{url: 'https://x.example'}]\n"
            "paths:\n"
            "  /a:\n    get:\n      operationId: with_raw_response\n      tags: [close]\n"
            "      responses: {'204': {description: done}}\n"
            "  /b:\n    get:\n      operationId: list\n      tags: [pets]\n"
            "      responses: {'204': {description: done}}\n"
            "components:\n  securitySchemes:\n"
            "    timeout: {type: apiKey, in: header, name: X-Key}\n",
        )
    )
    names = name_package(api, {"PetsResource": ModelClass("PetsResource", (), False)}, "t")
    close, pets = (names.resource(r) for r in api.resources)
    assert close.attribute == "close_" and close.attribute.rstrip("_") in CLIENT_RESERVED
    assert pets.class_name == "PetsResourceModel"  # PetsResource is a model
    assert names.method(api.operations[0]).name == "with_raw_response_"
    assert names.method(api.operations[1]).name == "list_"
    assert "list" in RESOURCE_RESERVED
    assert names.credentials["timeout"].keyword == "timeout_"
    assert names.client_class == "TClient"


def test_placeholder_env_vars() -> None:
    api = _api(LINT / "server-variable-placeholder.yaml")
    names = name_package(api, {}, "servers_client")
    assert names.variable_env_vars == {
        "host": "SERVERS_CLIENT_HOST",
        "site": "SERVERS_CLIENT_SITE",
    }  # region is not a placeholder: it has no environment variable


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
    api = build_api(loaded, diagnostics)
    names = name_package(api, {}, "my_client")
    env = {
        v.name: names.variable_env_vars.get(v.name, "") for s in api.servers for v in s.variables
    }
    assert names.credentials["apiKey"].env_var == "MY_CLIENT_API_KEY"
    assert env["log"] not in {"MY_CLIENT_LOG", ""}
    assert env["base_url"] not in {"MY_CLIENT_BASE_URL", ""}
    assert env["api_key"] not in {"MY_CLIENT_API_KEY", ""}
    assert len({env["log"], env["base_url"], env["api_key"]}) == 3
    assert env["tenant"] == ""  # a real default: no environment variable


def test_file_parts_follow_the_body_fields(tmp_path: Path) -> None:
    api = _api(
        _spec(
            tmp_path,
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"
            "servers: [{url: 'https://x.example'}]\n"
            "paths:\n  /files:\n    post:\n      operationId: upload\n"
            "      requestBody:\n        required: true\n        content:\n"
            "          multipart/form-data:\n            schema:\n"
            "              type: object\n              required: [file]\n"
            "              properties:\n"
            "                file: {type: string, format: binary}\n"
            "                purpose: {type: string}\n"
            "      responses: {'204': {description: done}}\n",
        )
    )
    body = api.operations[0].body
    assert body is not None
    model = ModelClass(body.class_name, (_field("purpose", "purpose", required=False),), False)
    method = name_package(api, {body.class_name: model}, "t").method(api.operations[0])
    assert [(k.name, k.location, k.required) for k in method.keywords] == [
        ("file", "file", True),
        ("purpose", "body", False),
    ]
    files_only = name_package(api, {}, "t").method(api.operations[0])
    assert [k.location for k in files_only.keywords] == ["body", "file"]  # no model: whole body
