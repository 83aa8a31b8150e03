"""Render the client package: the views the templates need, computed in Python, then Jinja.

:func:`render_package` turns an :class:`~generator.ir.Api` and its
:class:`~generator.models.ModelsModule` into ``{relative path: text}``. Every name,
type annotation, literal and docstring is computed here; the templates under
``templates/`` only lay the pieces out. Text from the spec reaches generated
Python only through :func:`py_str` (a ``repr``) or :func:`docstring`, never raw,
so no description, title, enum value or default can become code.
"""

from __future__ import annotations

import builtins
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache, cached_property
from typing import Any

import jinja2

from generator import naming
from generator.annotations import Annotation, argument_annotation, schema_annotation
from generator.assets import runtime_files, templates_dir
from generator.ir import Api, Operation, Resource, SecurityScheme, Server
from generator.models import HEADER, ModelClass, ModelsModule, package_view
from generator.models import header as header_line
from generator.names import Credential, Keyword, MethodNames, Names
from generator.schemas import is_json_media
from generator.typed_dicts import with_request_params

__all__ = [
    "Argument",
    "ClientView",
    "MethodView",
    "PackageView",
    "ResourceView",
    "docstring",
    "package_files",
    "py_str",
    "render_package",
    "runtime_files",
    "templates_dir",
]

_PY_HEADER = HEADER


# -- literals -----------------------------------------------------------------------------


def py_str(value: object) -> str:
    """A Python string literal for ``value`` (always double-quoted, always safe)."""
    text = repr(str(value))
    if text.startswith("'"):
        text = '"' + text[1:-1].replace('"', '\\"').replace("\\'", "'") + '"'
    return text


def _escape(ch: str) -> str:
    """A Python escape sequence for one character."""
    code = ord(ch)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


def docstring(text: str, indent: str = "") -> str:
    """A triple-quoted docstring literal holding ``text`` exactly, safely escaped."""
    text = text.strip().replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\\", "\\\\")
    # a quote that starts a run of three, or ends the text, is escaped: no '"""' can close early
    text = re.sub(r'"(?=""|$)', r'\\"', text)
    if not text.replace("\n", " ").isprintable():  # the common case needs no look at each char
        text = "".join(ch if ch == "\n" or ch.isprintable() else _escape(ch) for ch in text)
    lines = text.split("\n")
    if len(lines) == 1:
        return f'"""{lines[0]}"""'
    body = "\n".join((indent + line) if line.strip() else "" for line in lines[1:])
    return f'"""{lines[0]}\n{body}\n{indent}"""'


def _markdown_text(text: str) -> str:
    """Spec text made inert inside a Markdown table cell or heading (one line, no markup)."""
    flat = " ".join(str(text).split())
    return re.sub(r"([\\`*_{}\[\]<>()#+!|])", r"\\\1", flat)


def _markdown_code(text: str) -> str:
    """Spec text as one Markdown code span that survives a table cell: any backticks, pipes."""
    flat = " ".join(str(text).split()).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _plain(text: str) -> str:
    """Markdown-ish spec text reduced to one tidy paragraph per blank-line block."""
    return re.sub(r"[ \t]+\n", "\n", text.strip())


# -- views --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Argument:
    name: str
    annotation: str
    default: str  # "" for required
    wire_name: str
    location: str  # path | query | header | cookie | body
    description: str
    #: the names the annotation uses
    names: frozenset[str] = frozenset()
    #: a plausible value for the README's examples
    example_value: str = "{}"

    @property
    def signature(self) -> str:
        return f"{self.name}: {self.annotation}" + (f" = {self.default}" if self.default else "")


@dataclass(frozen=True, slots=True)
class MethodView:
    name: str
    constant: str
    operation_literal: str
    arguments: tuple[Argument, ...]
    return_annotation: str
    cast_to: str
    docstring: str
    async_docstring: str
    request_arguments: tuple[str, ...]
    example: str
    #: the names the annotations use (evaluated by type checkers only)
    annotation_names: frozenset[str] = frozenset()
    #: the names the body uses besides the arguments (evaluated when the method runs)
    body_names: frozenset[str] = frozenset()
    #: the models the method body uses, imported when it first runs (``""``: none)
    body_import: str = ""


@dataclass(frozen=True, slots=True)
class ResourceView:
    module: str
    attribute: str
    class_name: str
    async_class_name: str
    docstring: str
    import_lines: tuple[str, ...]
    methods: tuple[MethodView, ...]
    #: imports for annotations only, under ``if TYPE_CHECKING:``
    type_import_lines: tuple[str, ...] = ()
    #: the sync and async classes' own docstrings (the module's says what the API is)
    class_docstring: str = ""
    async_class_docstring: str = ""


@dataclass(frozen=True, slots=True)
class CredentialView:
    keyword: str
    scheme_name: str
    scheme_literal: str
    scheme_name_md: str
    env_var: str
    description: str
    how: str
    how_md: str


@dataclass(frozen=True, slots=True)
class ClientView:
    class_name: str
    async_class_name: str
    docstring: str
    init_docstring: str
    credentials: tuple[CredentialView, ...]
    resources: tuple[ResourceView, ...]


@dataclass(frozen=True, slots=True)
class PackageView:
    header: str
    package: str
    distribution: str
    version: str
    version_literal: str
    version_toml: str
    summary_toml: str
    package_docstring: str
    title: str
    title_md: str
    description: str
    env_prefix: str
    operation_rows: tuple[tuple[str, str, str], ...]
    client: ClientView
    server_literals: tuple[tuple[str, str], ...]
    scheme_literals: tuple[tuple[str, str], ...]
    #: operationIds (as literals) of operations the spec gives no server: they need base_url
    serverless_operations: tuple[str, ...]
    model_names: tuple[str, ...]
    models_docstring: str
    #: one row per server variable: name, environment variable, default, server (Markdown)
    readme_variables: tuple[tuple[str, str, str, str], ...]
    #: ``METHOD /path`` (Markdown) of the operations the spec gives no server
    readme_serverless: tuple[str, ...]
    #: no operation has a server: the client cannot be created without ``base_url``
    readme_no_server: bool
    #: how the README constructs the client: ``ChatClient(server_variables={...})``
    client_example: str
    async_client_example: str
    #: the README's example call on a client copy: ``iw_erp.add_chatroom_participant(...)``
    #: (the first operation's; ``""`` for an API without operations)
    example_call: str
    readme_errors: tuple[tuple[str, str, str], ...]
    #: the README's per-feature examples call this operation: ``(resource attribute, call)``
    #: (the first operation declaring an error model, else the first; ``("", "")``: none)
    feature_call: tuple[str, str] = ("", "")
    #: the same call with every per-call option: ``add_participant(..., timeout=10.0)``
    feature_call_options: str = ""
    #: the exception class the feature call raises for a documented error body (or ``""``)
    feature_error_class: str = ""
    #: ``(exception class, error model)`` per error model the operations declare:
    #: ``("MudbaseErrorStatusError", "MudbaseError")``, raised with a validated body
    error_classes: tuple[tuple[str, str], ...] = ()


# -- building the views -------------------------------------------------------------------


def _server_literal(server: Server, names: Names) -> str:
    variables = ", ".join(
        f"ServerVariable({py_str(v.name)}, {py_str(v.default)}"
        + (f", ({', '.join(py_str(e) for e in v.enum)},)" if v.enum else "")
        + (
            f", placeholder=True, env_var={py_str(names.variable_env_vars[v.name])}"
            if v.placeholder
            else ""
        )
        + ")"
        for v in server.variables
    )
    return f"Server({py_str(server.url)}" + (f", ({variables},)" if variables else "") + ")"


def _scheme_servers(api: Api, scheme: SecurityScheme) -> tuple[Server, ...]:
    """The servers a credential is sent to: the first server of each operation using it."""
    found: list[Server] = []
    for op in api.operations:
        uses = any(scheme.name in alternative for alternative in op.security)
        if uses and op.servers and op.servers[0] not in found:
            found.append(op.servers[0])
    return tuple(found)


def _scheme_literal(
    scheme: SecurityScheme, credential: Credential, servers: Sequence[str] = ()
) -> str:
    return (
        f"SecurityScheme(name={py_str(scheme.name)}, type={py_str(scheme.type)}, "
        f"location={py_str(scheme.location)}, parameter_name={py_str(scheme.parameter_name)}, "
        f"http_scheme={py_str(scheme.http_scheme) if scheme.http_scheme else 'None'}, "
        f"keyword={py_str(credential.keyword)}, env_var={py_str(credential.env_var)}"
        + (f", servers=({''.join(f'{name}, ' for name in servers)})" if servers else "")
        + ")"
    )


@dataclass
class _Context:
    api: Api
    models: ModelsModule
    names: Names
    package: str
    server_names: dict[Server, str]

    @cached_property
    def model_kinds(self) -> dict[str, str | None]:
        return {
            name: (cls.root_annotation if cls.is_root else None)
            for name, cls in self.models.types.items()
        }


def _operation_literal(ctx: _Context, op: Operation) -> str:
    servers = ", ".join(f"_spec.{ctx.server_names[s]}" for s in op.servers)
    security = ", ".join("(" + "".join(f"{py_str(n)}, " for n in alt) + ")" for alt in op.security)
    # named, not imported: a model is loaded only when its error arrives
    errors = ", ".join(
        f"{py_str(r.status)}: {py_str(r.class_name)}"
        for r in op.errors
        if r.class_name in ctx.models.classes
    )
    parts = [
        f"operation_id={py_str(op.operation_id)}",
        f"method={py_str(op.method)}",
        f"path={py_str(op.path)}",
        f"servers=({servers},)" if servers else "servers=()",
        f"security=({security},)" if security else "security=()",
        f"idempotent={op.idempotent}",
    ]
    if errors:
        parts.append(f"error_models={{{errors}}}")
        parts.append(f"models_module={py_str(ctx.package + '.models')}")
    parts += _serialisation_parts(op)
    return "Operation(" + ", ".join(parts) + ")"


def _serialisation_parts(op: Operation) -> list[str]:
    """The ``Operation`` arguments that say how to send what the defaults do not cover:
    a body other than JSON, and parameters in other styles than their location's default."""
    parts = []
    body = op.body
    if body is not None and (body.encoding != "json" or body.media_type != "application/json"):
        parts.append(f"body_encoding={py_str(body.encoding)}")
        parts.append(f"body_media_type={py_str(body.media_type)}")
    if body is not None and body.deep_object:
        parts.append(f"deep_object=({''.join(py_str(n) + ', ' for n in body.deep_object)})")
    for location in ("query", "header"):
        styles = [(p.name, p.style) for p in op.parameters if p.location == location and p.style]
        if styles:
            pairs = ", ".join(f"{py_str(name)}: {py_str(style)}" for name, style in styles)
            parts.append(f"{location}_styles={{{pairs}}}")
    return parts


def _method(ctx: _Context, op: Operation) -> MethodView:
    """The view of the method (sync and async alike) that calls ``op``: its keywords
    (named by :mod:`generator.names`) typed, its request call, its return type."""
    names = ctx.names.method(op)
    body_model = ctx.models.types.get(op.body.class_name) if op.body else None
    encoding = op.body.encoding if op.body else "json"
    arguments = [_argument(ctx, keyword, body_model, encoding) for keyword in names.keywords]
    body_source, body_names = _body_source(op, names, body_model)
    return_annotation, cast_to, cast_names = _return_type(ctx, op)
    doc = _method_doc(op, arguments)
    return MethodView(
        name=names.name,
        constant=names.constant,
        operation_literal=_operation_literal(ctx, op),
        arguments=tuple(arguments),
        return_annotation=return_annotation,
        cast_to=cast_to,
        docstring=docstring(doc, " " * 8),
        async_docstring=docstring(doc, " " * 8),
        request_arguments=_request_arguments(arguments, body_source),
        example=_example_call(op, names.name, arguments),
        # the return annotation uses what the cast does, bar the cast itself
        annotation_names=(cast_names - {"cast", "builtins", "NoneType"}).union(
            *(a.names for a in arguments)
        ),
        body_names=body_names | cast_names,
    )


def _argument(
    ctx: _Context, keyword: Keyword, body_model: ModelClass | None, encoding: str
) -> Argument:
    """The keyword argument ``keyword``, typed: optional ones default to ``NOT_GIVEN``."""
    if keyword.parameter is not None:
        annotation = schema_annotation(keyword.parameter.schema)
        if not keyword.required:
            annotation = annotation.or_not_given()
    elif keyword.field is not None:
        annotation = argument_annotation(
            keyword.field.annotation,
            models=ctx.model_kinds,
            nullable=keyword.field.nullable,
            optional=not keyword.required,
            params=ctx.models.params,
        )
    elif keyword.file is not None:
        annotation = _FILES if keyword.file.array else _FILE
        if not keyword.required:
            annotation = annotation.or_not_given()
    else:
        annotation = _whole_body_annotation(ctx, keyword, body_model, encoding)
    return Argument(
        name=keyword.name,
        annotation=annotation.text,
        default="" if keyword.required else "NOT_GIVEN",
        wire_name=keyword.wire_name,
        location=keyword.location,
        description=keyword.description,
        names=annotation.names,
        example_value=_example_value(annotation, keyword.wire_name),
    )


#: a file part of a multipart body: its content, with a file name and content type or not
_FILE = Annotation("FileTypes", frozenset({"FileTypes"}), "FileTypes")
_FILES = Annotation("Sequence[FileTypes]", frozenset({"Sequence", "FileTypes"}), "Sequence")
_ANY_JSON = Annotation("object", frozenset({"object"}), "object")
#: bodies sent as they are: bytes (or a file, or chunks) and text
_RAW_BODIES = {
    "binary": Annotation("FileContent", frozenset({"FileContent"}), "bytes"),
    "text": Annotation("str", frozenset({"str"}), "str"),
}


def _whole_body_annotation(
    ctx: _Context, keyword: Keyword, model: ModelClass | None, encoding: str
) -> Annotation:
    """A body taken whole: its model (or a root model's value, or a plain mapping: pydantic
    decides); without a class, bytes or text as the media type says, else any JSON value."""
    if model is not None:
        annotation = argument_annotation(
            model.name,
            models=ctx.model_kinds,
            nullable=False,
            optional=False,
            params=ctx.models.params,
        )
    else:
        annotation = _RAW_BODIES.get(encoding, _ANY_JSON)
    return annotation if keyword.required else annotation.or_not_given()


def _body_source(
    op: Operation, names: MethodNames, model: ModelClass | None
) -> tuple[str, frozenset[str]]:
    """The expression that builds the request body from the keywords ("" without a body),
    and the names it uses besides the keywords.

    A spread body is built from one keyword per field; a whole body is validated
    against its model, or passed through when it has no class (any JSON value).
    """
    if op.body is None or not any(k.location == "body" for k in names.keywords):
        return "", frozenset()
    if names.spread_model and model is not None:
        # in the model's field order, whatever the order of the keywords
        keyword_of = {k.field.name: k.name for k in names.keywords if k.field is not None}
        pairs = ", ".join(
            f"{py_str(f.alias)}: {keyword_of[f.name]}" for f in model.fields if f.name in keyword_of
        )
        return (
            f"build_request_model({names.spread_model}, {{{pairs}}})",
            frozenset({"build_request_model", names.spread_model}),
        )
    keyword = next(k for k in names.keywords if k.location == "body")
    if model is None:
        return keyword.name, frozenset()
    source = f"validate_value({model.name}, {keyword.name}, name={py_str(keyword.name)})"
    if keyword.required:
        return source, frozenset({"validate_value", model.name})
    return (
        f"NOT_GIVEN if isinstance({keyword.name}, NotGiven) else {source}",
        frozenset({"validate_value", model.name, "NOT_GIVEN", "isinstance", "NotGiven"}),
    )


def _request_arguments(arguments: Sequence[Argument], body_source: str) -> tuple[str, ...]:
    """The keyword arguments of the method's request call: one mapping of wire names to
    arguments per parameter location that has any, then the body."""
    request_arguments = []
    for location, keyword in (
        ("path", "path_params"),
        ("query", "query"),
        ("header", "headers"),
        ("cookie", "cookies"),
    ):
        pairs = [f"{py_str(a.wire_name)}: {a.name}" for a in arguments if a.location == location]
        if pairs:
            request_arguments.append(f"{keyword}={{{', '.join(pairs)}}}")
    if body_source:
        request_arguments.append(f"body={body_source}")
    files = [f"{py_str(a.wire_name)}: {a.name}" for a in arguments if a.location == "file"]
    if files:
        request_arguments.append(f"files={{{', '.join(files)}}}")
    return tuple(request_arguments)


def _return_type(ctx: _Context, op: Operation) -> tuple[str, str, frozenset[str]]:
    """The return annotation of the method for ``op``, the ``cast_to`` expression and the
    names that uses (a model, a type alias given with ``cast``, a builtin, ``NoneType``)."""
    success = op.success
    if success is None:
        return "None", "NoneType", frozenset({"NoneType"})
    several = _several_success_types(ctx, op)
    if several is not None:
        return several
    returned = ctx.models.return_type(success.class_name) if success.class_name else None
    if returned is not None:
        return returned
    if success.media_type is None:
        return "None", "NoneType", frozenset({"NoneType"})
    if is_json_media(success.media_type):
        # JSON without a schema: the parsed value as it is
        return "object", "object", frozenset({"object"})
    if success.media_type.lower().startswith("text/"):
        return "str", "str", frozenset({"str"})
    return "bytes", "bytes", frozenset({"bytes"})


def _several_success_types(ctx: _Context, op: Operation) -> tuple[str, str, frozenset[str]] | None:
    """The return type of an operation with several 2xx responses of different models, or
    with one that has no body (``201`` a model, ``204`` nothing): their union, ``None``
    for an empty one (``None``: one type says it all, or a success is no model)."""
    successes = [r for r in op.responses if r.is_success]
    if len(successes) < 2:
        return None
    types = [ctx.models.return_type(r.class_name) for r in successes if r.class_name]
    empty = any(r.media_type is None for r in successes)
    if len(types) + empty != len(successes) or not types:
        return None  # a success that is neither a model nor empty: the first one says
    annotations = list(dict.fromkeys(t[0] for t in types if t is not None))
    if "object" in annotations or len(types) != len([t for t in types if t is not None]):
        return None
    if len(annotations) == 1 and not empty:
        return None
    union = " | ".join([*annotations, *(["None"] if empty else [])])
    target = json.dumps(f"builtins.type[{union}]")
    return union, f"cast({target}, {union})", frozenset({"cast", "builtins", *annotations})


def _method_doc(op: Operation, arguments: Sequence[Argument]) -> str:
    lines = [op.summary or f"{op.method} {op.path}"]
    if op.description:
        lines += ["", _plain(op.description)]
    if op.deprecated:
        lines += ["", "Deprecated: the API marks this operation as deprecated."]
    described = [a for a in arguments if a.description]
    if described:
        lines += ["", "Args:"]
        for argument in described:
            text = " ".join(argument.description.split())
            lines.append(f"    {argument.name}: {text}")
    lines += ["", f"``{op.method} {op.path}`` (operationId ``{op.operation_id}``)."]
    return "\n".join(lines)


def _example_value(annotation: Annotation, wire_name: str) -> str:
    """A plausible literal for an argument typed ``annotation``, for the README's examples."""
    if annotation.literal:
        first = annotation.literal[0]
        return py_str(first) if isinstance(first, str) else repr(first)
    if annotation.head == "str":
        return py_str(re.sub(r"\W+", "_", wire_name.lower()).strip("_") or "value")
    return {"int": "1", "float": "1.0", "bool": "True", "Sequence": "[]", "object": "{}"}.get(
        annotation.head, "{}"
    )


def _trimmed(value: Any, depth: int = 0) -> Any:
    """A short version of an example value: a few keys, one list item, two levels."""
    if isinstance(value, dict):
        if depth >= 2:
            return {}
        return {str(k): _trimmed(v, depth + 1) for k, v in list(value.items())[:3]}
    if isinstance(value, list):
        return [_trimmed(v, depth + 1) for v in value[:1]]
    return value


def _literal(value: Any) -> str | None:
    """Python source for a JSON value (``repr`` of data only, so always inert), or ``None``."""
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        text = repr(_trimmed(value))
        return text if len(text) <= 160 and "`" not in text else None
    return None


def _readme_variables(api: Api, names: Names) -> tuple[tuple[str, str, str, str], ...]:
    rows: dict[str, tuple[str, str, str, str]] = {}
    for server in api.servers:
        for v in server.variables:
            if v.name in rows:
                continue
            default = _markdown_code(v.default)
            rows[v.name] = (
                _markdown_code(v.name),
                _markdown_code(names.variable_env_vars[v.name]) if v.placeholder else "",
                f"none ({default} is a placeholder)" if v.placeholder else default,
                _markdown_code(server.url),
            )
    return tuple(rows.values())


def _client_example(class_name: str, api: Api) -> str:
    variables: dict[str, str] = {}
    for server in api.servers:
        for variable in server.variables:
            # a placeholder is never a value to copy: the reader has to fill in their own
            variables.setdefault(variable.name, "..." if variable.placeholder else variable.default)
    shown = _literal(variables) if variables else None
    return f"{class_name}(server_variables={shown})" if shown else f"{class_name}()"


def _example_call(op: Operation, method: str, arguments: Sequence[Argument]) -> str:
    """``method(arg=value, ...)`` for the README, with the spec's own examples where it has them."""
    examples: dict[tuple[str, str], Any] = {
        (p.location, p.name): p.example for p in op.parameters if p.example is not None
    }
    body = op.body.example if op.body is not None else None
    parts = []
    for argument in arguments:
        if argument.location == "body" and argument.wire_name and isinstance(body, dict):
            given = body.get(argument.wire_name)
        elif argument.location == "body" and not argument.wire_name:
            given = body
        else:
            given = examples.get((argument.location, argument.wire_name))
        shown = _literal(given) if given is not None else None
        if shown is None and argument.default:
            continue
        parts.append(f"{argument.name}={shown or argument.example_value}")
    return f"{method}({', '.join(parts)})"


def _resource(ctx: _Context, resource: Resource) -> ResourceView:
    names = ctx.names.resource(resource)
    methods = tuple(_with_body_import(ctx, _method(ctx, op)) for op in resource.operations)
    description = _plain(resource.description) or f"Operations tagged {resource.tag!r}."
    import_lines, type_import_lines = _resource_imports(ctx, methods)
    return ResourceView(
        module=names.module,
        attribute=names.attribute,
        class_name=names.class_name,
        async_class_name=names.async_class_name,
        docstring=docstring(description, " " * 4),
        import_lines=import_lines,
        methods=methods,
        type_import_lines=type_import_lines,
        class_docstring=docstring(
            f"The operations of ``client.{names.attribute}``, described in this module's "
            "docstring.",
            " " * 4,
        ),
        async_class_docstring=docstring(
            f"The operations of ``async_client.{names.attribute}``, as coroutines.", " " * 4
        ),
    )


def _with_body_import(ctx: _Context, method: MethodView) -> MethodView:
    """``method`` importing the models its body uses itself, when it first runs.

    A resource module so imports no model: importing ``client.repos`` of a big API costs
    the module alone, and each method loads the classes it needs (and what they refer
    to) on its first call. Later calls find them in ``sys.modules``.
    """
    models = sorted(n for n in method.body_names if n in ctx.models.types)
    if not models:
        return method
    return replace(method, body_import=f"from ..models import {', '.join(models)}")


#: where the names generated resource modules may use come from (besides the models and
#: what the models import): the runtime's and the standard library's
_RUNTIME_IMPORTS: dict[str, tuple[str, str]] = {
    "Mapping": ("collections.abc", "Mapping"),
    "Sequence": ("collections.abc", "Sequence"),
    "NoneType": ("types", "NoneType"),
    "Any": ("typing", "Any"),
    "Literal": ("typing", "Literal"),
    "cast": ("typing", "cast"),
    "build_request_model": (".._models", "build_request_model"),
    "validate_value": (".._models", "validate_value"),
    "NOT_GIVEN": (".._types", "NOT_GIVEN"),
    "NotGiven": (".._types", "NotGiven"),
    "FileTypes": (".._encoding", "FileTypes"),
    "FileContent": (".._encoding", "FileContent"),
}
_BUILTIN_NAMES = frozenset(dir(builtins))


def _resource_imports(
    ctx: _Context, methods: Sequence[MethodView]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The import lines of a resource module, and those only type checkers need.

    Exactly the names its methods use (each view says which). Models in annotations
    are for type checkers only (``from __future__ import annotations`` leaves
    annotations unevaluated); models in method bodies are imported there
    (:func:`_with_body_import`).
    """
    models = ctx.models.types.keys()
    in_annotations = frozenset[str]().union(*(m.annotation_names for m in methods))
    # at run time, outside any method body: the defaults (the operation literals use
    # ``Operation`` and ``_spec``, which the template imports), and what method bodies
    # use besides models (a body imports its models itself)
    used = set(in_annotations - models)
    used |= {"NOT_GIVEN" for m in methods if any(a.default for a in m.arguments)}
    used |= frozenset[str]().union(*(m.body_names for m in methods)) - models
    annotation_models = (in_annotations & models) - used
    by_module: dict[str, list[str]] = {}
    plain_imports = ["import builtins"] if "builtins" in used else []
    for name in sorted(used - {"builtins"}):
        if name in _RUNTIME_IMPORTS:
            module, original = _RUNTIME_IMPORTS[name]
        elif name in ctx.models.imports:  # datetime, UUID, ... exactly as the models import them
            module, original = ctx.models.imports[name]
        elif name in _BUILTIN_NAMES:
            continue
        else:
            raise ValueError(f"generated code uses {name!r}, which is not defined anywhere")
        by_module.setdefault(module, []).append(
            name if name == original else f"{original} as {name}"
        )
    lines = [*plain_imports, "from typing import TYPE_CHECKING"]
    lines += [
        f"from {module} import {', '.join(names)}" for module, names in sorted(by_module.items())
    ]
    lines += [
        "from .. import _spec",
        "from .._operations import Operation",
    ]
    type_lines = ["from .._base_client import AsyncAPIClient, SyncAPIClient"]
    if annotation_models:
        type_lines.append(f"from ..models import {', '.join(sorted(annotation_models))}")
    return tuple(lines), tuple(type_lines)


def _how(scheme: SecurityScheme, *, markdown: bool = False) -> str:
    if scheme.type == "http" and scheme.http_scheme == "bearer":
        return "sent as `Authorization: Bearer <token>`"
    if scheme.type == "http":
        return "given as `user:password`, sent as HTTP basic auth"
    name = _markdown_code(scheme.parameter_name) if markdown else f"`{scheme.parameter_name}`"
    return f"sent in the {scheme.location} {name}"


def package_version(spec_version: str) -> str:
    """The spec's ``info.version`` as a PEP 440 version (``0.0.0`` when it is not one)."""
    from packaging.version import InvalidVersion, Version

    try:
        return str(Version(spec_version))
    except InvalidVersion:
        return "0.0.0"


def _init_doc(credentials: Sequence[CredentialView], names: Names, api: Api) -> str:
    lines = ["Create a client.", "", "Args:"]
    for cred in credentials:
        lines.append(
            f"    {cred.keyword}: credential of security scheme {cred.scheme_name!r} ({cred.how});"
        )
        lines.append(f"        defaults to the environment variable ``{cred.env_var}``.")
    lines += [
        "    server_variables: values for ``{variables}`` in server URLs (checked against the spec).",
    ]
    for name, env_var in names.variable_env_vars.items():
        lines.append(f"        ``{name}`` has only a placeholder default: give it here or in the")
        lines.append(f"        environment variable ``{env_var}``.")
    lines += [
        "    base_url: send every operation to this URL instead of its servers (a proxy or a mock",
        f"        server); defaults to the environment variable ``{names.env_prefix}BASE_URL``.",
    ]
    if any(not op.servers for op in api.operations):
        lines.append("        Needed by the operations the spec declares no server for.")
    lines += [
        "    timeout: seconds, or an ``httpx.Timeout``; ``None`` waits forever.",
        "    max_retries: how often a failed request is retried when that is safe.",
        "    default_headers: headers sent with every request.",
        "    http_client: the ``httpx`` client to send requests with.",
    ]
    return "\n".join(lines)


def build_view(api: Api, models: ModelsModule, names: Names, package: str) -> PackageView:
    """Every value the templates need, computed once; every name is ``names``'."""
    server_names = {server: f"SERVER_{index}" for index, server in enumerate(api.servers)}
    ctx = _Context(api, models, names, package, server_names)
    resource_views = tuple(_resource(ctx, r) for r in api.resources)
    credentials = tuple(
        CredentialView(
            names.credentials[s.name].keyword,
            s.name,
            py_str(s.name),
            _markdown_code(s.name),
            names.credentials[s.name].env_var,
            " ".join(s.description.split()),
            _how(s),
            _how(s, markdown=True),
        )
        for s in api.security_schemes
    )
    class_name = names.client_class
    version = package_version(api.version)
    env_prefix = names.env_prefix
    client_doc = f"Synchronous client for the {api.title}."
    client = ClientView(
        class_name=class_name,
        async_class_name=names.async_client_class,
        docstring=docstring(client_doc, " " * 4),
        init_docstring=docstring(_init_doc(credentials, names, api), " " * 8),
        credentials=credentials,
        resources=resource_views,
    )
    errors = (
        ("400", "BadRequestError", "the request was invalid"),
        ("401", "AuthenticationError", "the credential is missing or wrong"),
        ("403", "PermissionDeniedError", "the credential may not do this"),
        ("404", "NotFoundError", "no such resource"),
        ("409", "ConflictError", "the request conflicts with the current state"),
        ("422", "UnprocessableEntityError", "the request was understood but refused"),
        ("429", "RateLimitError", "too many requests; retried automatically"),
        (">=500", "InternalServerError", "the server failed"),
    )
    return PackageView(
        header=_PY_HEADER,
        package=package,
        distribution=package.replace("_", "-"),
        version=version,
        version_literal=py_str(version),
        version_toml=json.dumps(version),
        summary_toml=json.dumps(
            f"Typed Python client for the {' '.join(api.title.split())} (generated by clientgen)."
        ),
        package_docstring=docstring(
            f"Typed sync and async client for the {api.title}.\n\n"
            f"Start with :class:`{class_name}` or :class:`Async{class_name}`.",
            "",
        ),
        title=api.title,
        title_md=_markdown_text(api.title),
        description=_plain(api.description),
        operation_rows=tuple(
            (r.attribute, m.name, _markdown_code(f"{op.method} {op.path}"))
            for r, res in zip(resource_views, api.resources, strict=True)
            for m, op in zip(r.methods, res.operations, strict=True)
        ),
        env_prefix=env_prefix,
        client=client,
        server_literals=tuple((server_names[s], _server_literal(s, names)) for s in api.servers),
        scheme_literals=tuple(
            (
                naming.constant_name(s.name)[1:],
                _scheme_literal(
                    s,
                    names.credentials[s.name],
                    [server_names[v] for v in _scheme_servers(api, s)],
                ),
            )
            for s in api.security_schemes
        ),
        serverless_operations=tuple(
            py_str(op.operation_id) for op in api.operations if not op.servers
        ),
        model_names=models.names,
        models_docstring=docstring(f"Pydantic models of the {api.title}.", ""),
        readme_variables=_readme_variables(api, names),
        readme_serverless=tuple(
            _markdown_code(f"{op.method} {op.path}") for op in api.operations if not op.servers
        ),
        readme_no_server=bool(api.operations) and not api.servers,
        client_example=_client_example(class_name, api),
        async_client_example=_client_example("Async" + class_name, api),
        example_call=next(
            (f"{r.attribute}.{m.example}" for r in resource_views for m in r.methods), ""
        ),
        readme_errors=errors,
        error_classes=tuple(
            sorted((exception, model) for model, exception in names.error_classes.items())
        ),
        **_feature_examples(api, names, resource_views),
    )


def _feature_examples(api: Api, names: Names, resources: Sequence[ResourceView]) -> dict[str, Any]:
    """The README's per-feature examples: one operation, preferably one with an error model."""
    calls = [
        (op, r.attribute, m)
        for r, res in zip(resources, api.resources, strict=True)
        for m, op in zip(r.methods, res.operations, strict=True)
    ]
    if not calls:
        return {}
    with_errors = [
        c for c in calls if any(e.class_name in names.error_classes for e in c[0].errors)
    ]
    op, attribute, method = (with_errors or calls)[0]
    options = [
        'extra_headers={"X-Trace-Id": "readme-1"}',
        'extra_query={"verbose": "true"}',
        *(['extra_body={"comment": "added per call"}'] if op.body is not None else []),
        "timeout=10.0",
    ]
    call = method.example
    with_options = f"{call[:-1]}{', ' if not call.endswith('()') else ''}{', '.join(options)})"
    error = next(
        (
            names.error_classes[r.class_name]
            for r in op.errors
            if r.class_name is not None and r.class_name in names.error_classes
        ),
        "",
    )
    return {
        "feature_call": (attribute, call),
        "feature_call_options": with_options,
        "feature_error_class": error,
    }


def export_order(names: Sequence[str]) -> list[str]:
    """``__all__`` in the order ruff (RUF022) wants: CONSTANTS, Classes, others; natural order."""

    def key(name: str) -> tuple[int, list[tuple[int, int | str]]]:
        group = 0 if name.isupper() else 1 if name[:1].isupper() else 2
        parts = [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", name) if p]
        return group, parts

    return sorted(names, key=key)


@cache
def _environment(folder: str) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["export_order"] = export_order
    return environment


_TEMPLATES = (
    "pyproject.toml.jinja",
    "README.md.jinja",
    "__init__.py.jinja",
    "_version.py.jinja",
    "_spec.py.jinja",
    "_client.py.jinja",
    "resources_init.py.jinja",
    "resource.py.jinja",
    "models_module.py.jinja",
    "models_init.py.jinja",
    "py.typed.jinja",
    "runtime_module.py.jinja",
)


def prepare() -> None:
    """Compile the templates now, e.g. while a worker generates the models."""
    env = _environment(str(templates_dir()))
    for template in _TEMPLATES:
        env.get_template(template)


def render_package(
    api: Api, models: ModelsModule, names: Names, *, package: str, spec_name: str
) -> dict[str, str]:
    """The whole package as ``{path relative to the output folder: text}``."""
    models = with_request_params(api, models)  # dict literals a type checker can check
    view = build_view(api, models, names, package)
    env = _environment(str(templates_dir()))
    header = header_line(spec_name)
    src = f"src/{package}"

    def render(template: str, **extra: Any) -> str:
        return env.get_template(template).render(
            view=view, header=header, spec_name=spec_name, **extra
        )

    files: dict[str, str] = {
        "pyproject.toml": render("pyproject.toml.jinja"),
        "README.md": render("README.md.jinja"),
        f"{src}/__init__.py": render("__init__.py.jinja"),
        f"{src}/_version.py": render("_version.py.jinja"),
        f"{src}/_spec.py": render("_spec.py.jinja"),
        f"{src}/_client.py": render("_client.py.jinja"),
        f"{src}/_errors.py": render("_errors.py.jinja"),
        f"{src}/py.typed": render("py.typed.jinja"),
        f"{src}/resources/__init__.py": render("resources_init.py.jinja"),
    }
    for resource in view.client.resources:
        files[f"{src}/resources/{resource.module}.py"] = render(
            "resource.py.jinja", resource=resource
        )
    for module, text in package_files(models, header).items():
        files[f"{src}/models/{module}.py"] = text
    for name, text in runtime_files().items():
        files[f"{src}/{name}"] = render("runtime_module.py.jinja", text=text)
    return files


def package_files(models: ModelsModule, header: str) -> dict[str, str]:
    """The ``models/`` package as ``{module name: text}``, laid out by the templates.

    The grouping, naming and imports are :func:`generator.models.package_view`'s.
    When it declines to split (the source holds more than imports and classes), the
    one module is the models generator's own text, written as it is.
    """
    layout = package_view(models)
    if layout is None:
        return {"__init__": models.source}
    env = _environment(str(templates_dir()))
    module_template = env.get_template("models_module.py.jinja")
    files = {m.name: module_template.render(header=header, module=m) for m in layout.modules}
    files["__init__"] = env.get_template("models_init.py.jinja").render(
        header=header, models=layout
    )
    return files


def dump_json(value: Mapping[str, Any]) -> str:
    """Stable JSON text (used for hashing inputs)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
