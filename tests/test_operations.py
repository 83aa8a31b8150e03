"""What the client can call, described from the subset fixture (3.0) and small specs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from generator.diagnostics import Diagnostics
from generator.ir import Api, Operation
from generator.load import load_spec
from generator.operations import build_api, is_placeholder_variable

SPECS = Path(__file__).parent / "specs_generate"


def _build(name: str) -> tuple[Api, Diagnostics]:
    diagnostics = Diagnostics()
    spec = load_spec(SPECS / name, diagnostics)
    assert spec is not None
    return build_api(spec, diagnostics), diagnostics


@pytest.fixture(scope="module")
def subset() -> tuple[Api, Diagnostics]:
    return _build("subset30.openapi.yaml")


def _op(api: Api, operation_id: str) -> Operation:
    return next(op for op in api.operations if op.operation_id == operation_id)


def test_resources_per_tag_and_operations_in_spec_order(subset: tuple[Api, Diagnostics]) -> None:
    api, _ = subset
    assert [(r.tag, [op.operation_id for op in r.operations]) for r in api.resources] == [
        ("pets", ["listPets", "post_pets", "replacePet"]),
        ("default", ["setTags"]),
    ]


def test_parameters(subset: tuple[Api, Diagnostics]) -> None:
    api, diagnostics = subset
    params = {p.name: p for p in _op(api, "listPets").parameters}
    assert set(params) == {
        "limit",
        "session",
        "X-Trace",
    }  # filter (an XML `content` object) is left out
    assert params["session"].location == "cookie" and params["X-Trace"].location == "header"
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
    api = build_api(loaded, diagnostics)
    assert [s.url for s in api.servers] == ["https://ok.x"]
    assert any(
        d.rule == "unsupported-server" and d.pointer == "/servers/0/url" for d in diagnostics
    )


# --------------------------------------------------------------------------- servers

LINT = Path(__file__).parent / "specs" / "lint"


def _build_lint(name: str) -> Api:
    diagnostics = Diagnostics()
    spec = load_spec(LINT / name, diagnostics)
    assert spec is not None
    return build_api(spec, diagnostics)


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
    assert variables["host"].placeholder and variables["site"].placeholder
    assert not variables["region"].placeholder


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


# --------------------------------------------------------------------------- bodies and styles


def _one_operation(tmp_path: Path, operation: str, components: str = "") -> tuple[Api, Diagnostics]:
    spec = tmp_path / "one.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"
        "servers: [{url: 'https://x.example'}]\n"
        "paths:\n  /things/{id}:\n    post:\n      operationId: make\n"
        + textwrap.indent(textwrap.dedent(operation), " " * 6)
        + "      responses: {'204': {description: done}}\n"
        + components,
        encoding="utf-8",
    )
    diagnostics = Diagnostics()
    loaded = load_spec(spec, diagnostics)
    assert loaded is not None
    return build_api(loaded, diagnostics), diagnostics


_ID = "parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n"


@pytest.mark.parametrize(
    ("media_types", "chosen", "encoding"),
    [
        (["multipart/form-data", "application/json"], "application/json", "json"),
        (
            ["application/x-www-form-urlencoded", "multipart/form-data"],
            "application/x-www-form-urlencoded",
            "form",
        ),
        (["text/plain", "multipart/form-data"], "multipart/form-data", "multipart"),
        (["application/octet-stream", "text/csv"], "text/csv", "text"),
        (["application/pdf"], "application/pdf", "binary"),
        (["application/problem+json", "text/plain"], "application/problem+json", "json"),
    ],
)
def test_the_body_media_type_the_client_sends_best(
    tmp_path: Path, media_types: list[str], chosen: str, encoding: str
) -> None:
    content = "".join(
        f"    {m}: {{schema: {{type: object, properties: {{a: {{type: string}}}}}}}}\n"
        for m in media_types
    )
    api, diagnostics = _one_operation(tmp_path, _ID + "requestBody:\n  content:\n" + content)
    body = api.operations[0].body
    assert body is not None and (body.media_type, body.encoding) == (chosen, encoding)
    assert bool(body.class_name) == (encoding in {"json", "form", "multipart"})
    assert not diagnostics.has_errors() and not list(diagnostics)


def test_multipart_files_leave_the_model(tmp_path: Path) -> None:
    api, _ = _one_operation(
        tmp_path,
        _ID
        + textwrap.dedent(
            """\
        requestBody:
          content:
            multipart/form-data:
              schema:
                type: object
                required: [file, purpose]
                properties:
                  file: {type: string, format: binary, description: The upload.}
                  pages: {type: array, items: {type: string, contentMediaType: image/png}}
                  note: {type: string, contentMediaType: text/plain, contentEncoding: base64}
                  purpose: {type: string}
              encoding:
                purpose: {style: deepObject, explode: true}
        """
        ),
    )
    body = api.operations[0].body
    assert body is not None and body.encoding == "multipart"
    assert [(f.name, f.required, f.array) for f in body.files] == [
        ("file", True, False),
        ("pages", False, True),
    ]  # base64 text is a string, not a file
    assert body.files[0].description == "The upload."
    assert body.deep_object == ("purpose",)
    data = api.models.schemas[body.class_name]
    assert set(data["properties"]) == {"note", "purpose"} and data["required"] == ["purpose"]


def test_a_multipart_body_of_files_only_has_no_model(tmp_path: Path) -> None:
    api, _ = _one_operation(
        tmp_path,
        _ID
        + "requestBody:\n  content:\n    multipart/form-data:\n"
        + "      schema: {type: object, properties: {file: {type: string, format: binary}}}\n",
    )
    body = api.operations[0].body
    assert body is not None and body.class_name == "" and [f.name for f in body.files] == ["file"]


def test_a_body_that_can_hold_nothing_is_no_body(tmp_path: Path) -> None:
    api, _ = _one_operation(
        tmp_path,
        _ID
        + "requestBody:\n  content:\n    application/x-www-form-urlencoded:\n"
        + "      schema: {type: object, properties: {}, additionalProperties: false}\n",
    )
    assert api.operations[0].body is None


@pytest.mark.parametrize(
    ("parameter", "style", "problem"),
    [
        (
            "{name: q, in: query, style: deepObject, explode: true, schema: {type: object}}",
            "deepObject",
            "",
        ),
        (
            "{name: q, in: query, style: deepObject, explode: true, schema: {type: array}}",
            "deepObject",
            "",
        ),
        ("{name: q, in: query, explode: false, schema: {type: array}}", "form", ""),
        (
            "{name: q, in: query, style: pipeDelimited, explode: false, schema: {type: array}}",
            "pipeDelimited",
            "",
        ),
        (
            "{name: q, in: query, style: spaceDelimited, explode: false, schema: {type: array}}",
            "spaceDelimited",
            "",
        ),
        ("{name: q, in: query, schema: {type: array}}", "", ""),
        ("{name: q, in: query, content: {application/json: {schema: {type: object}}}}", "json", ""),
        (
            "{name: X-Q, in: header, content: {application/json: {schema: {type: array}}}}",
            "json",
            "",
        ),
        ("{name: X-Q, in: header, explode: true, schema: {type: object}}", "simple-explode", ""),
        ("{name: X-Q, in: header, schema: {type: object}}", "simple", ""),
        (
            "{name: q, in: query, style: deepObject, explode: false, schema: {type: object}}",
            "",
            "deepObject",
        ),
        ("{name: q, in: cookie, schema: {type: object}}", "", "object in style 'form'"),
        (
            "{name: q, in: query, content: {application/xml: {schema: {type: object}}}}",
            "",
            "application/xml",
        ),
        (
            "{name: q, in: cookie, content: {application/json: {schema: {type: object}}}}",
            "",
            "application/json",
        ),
    ],
)
def test_parameter_styles(tmp_path: Path, parameter: str, style: str, problem: str) -> None:
    api, diagnostics = _one_operation(
        tmp_path,
        "parameters:\n"
        "  - {name: id, in: path, required: true, schema: {type: string}}\n"
        f"  - {parameter}\n",
    )
    parameters = {p.name: p for p in api.operations[0].parameters}
    warnings = [d.message for d in diagnostics if d.rule == "unsupported-parameter"]
    if problem:
        assert len(parameters) == 1 and len(warnings) == 1 and problem in warnings[0]
    else:
        assert not warnings and parameters[parameter.split(",")[0][7:]].style == style
