"""Describe what the client can call: operations, parameters, bodies, responses, servers, security.

:func:`build_api` walks a loaded spec and returns its :class:`~generator.ir.Api`. What
is outside the supported subset (non-JSON bodies, parameters the client cannot
serialise, unsupported security schemes, webhooks, callbacks) is skipped with a located
warning rather than a crash. The schemas of request and response bodies are named as
they are met, through :class:`~generator.reshape.ModelSchemas`, which then hoists and
names the rest for the models stage.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from generator import naming
from generator.diagnostics import Diagnostics, Level, join_pointer
from generator.ir import (
    Api,
    Body,
    BodyEncoding,
    BodyFile,
    Operation,
    Parameter,
    Resource,
    Response,
    SecurityScheme,
    Server,
    ServerVariable,
)
from generator.load import LoadedSpec, deref
from generator.reshape import ModelSchemas
from generator.schemas import TEMPLATE_VARIABLE, is_json_media, iter_operations

__all__ = ["build_api", "is_placeholder_variable"]

_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})
#: the parameter locations the client sends, in the order its arguments list them
_PARAMETER_ORDER = {"path": 0, "query": 1, "header": 2, "cookie": 3}
#: (location, kind, style, explode) -> the style the runtime sends, beyond the defaults
_STYLES = {
    ("query", "array", "form", True): "",
    ("query", "object", "form", True): "",
    ("query", "array", "form", False): "form",
    ("query", "object", "form", False): "form",
    ("query", "array", "spaceDelimited", False): "spaceDelimited",
    ("query", "array", "pipeDelimited", False): "pipeDelimited",
    ("query", "array", "deepObject", True): "deepObject",
    ("query", "object", "deepObject", True): "deepObject",
    ("header", "array", "simple", False): "",
    ("header", "array", "simple", True): "",
    ("header", "object", "simple", False): "simple",
    ("header", "object", "simple", True): "simple-explode",
}
#: headers OpenAPI says are ignored as parameters (the client sets them itself)
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})


def build_api(spec: LoadedSpec, diagnostics: Diagnostics) -> Api:
    """The intermediate model of ``spec``; what cannot be generated is warned about."""
    return _Builder(spec, diagnostics, ModelSchemas(spec.document)).build()


@dataclass
class _Builder:
    spec: LoadedSpec
    diagnostics: Diagnostics
    models: ModelSchemas = field(repr=False)

    @property
    def document(self) -> dict[str, Any]:
        return self.spec.document

    def warn(self, rule: str, message: str, pointer: str, hint: str = "") -> None:
        self.diagnostics.add(self.spec.diagnostic(Level.WARNING, rule, message, pointer, hint))

    def deref(self, node: Any) -> Any:
        return deref(self.document, node, missing={})

    # -- servers and security ------------------------------------------------------
    def servers(self, raw: Any, pointer: str) -> tuple[Server, ...]:
        result = []
        for index, server in enumerate(raw if isinstance(raw, list) else []):
            if not isinstance(server, dict) or not isinstance(server.get("url"), str):
                continue
            raw_variables = server.get("variables")
            declared: dict[str, Any] = raw_variables if isinstance(raw_variables, dict) else {}
            undeclared = sorted(set(TEMPLATE_VARIABLE.findall(server["url"])) - set(declared))
            if undeclared:
                self.warn(
                    "unsupported-server",
                    f"server {server['url']!r} uses undeclared variables "
                    f"{', '.join(undeclared)}; the server is skipped",
                    join_pointer(pointer, index, "url"),
                )
                continue
            variables = tuple(
                self.server_variable(str(name), var)
                for name, var in declared.items()
                if isinstance(var, dict)
            )
            result.append(Server(server["url"], str(server.get("description") or ""), variables))
        return tuple(result)

    def server_variable(self, name: str, raw: dict[str, Any]) -> ServerVariable:
        default = str(raw.get("default", ""))
        enum = tuple(str(v) for v in raw.get("enum") or ())
        placeholder = is_placeholder_variable(raw)
        return ServerVariable(
            name=name,
            default=default,
            enum=enum,
            description=str(raw.get("description") or ""),
            placeholder=placeholder,
        )

    def security_schemes(self) -> tuple[SecurityScheme, ...]:
        raw = (self.document.get("components") or {}).get("securitySchemes") or {}
        result: list[SecurityScheme] = []
        for name, scheme in raw.items():
            scheme = self.deref(scheme)
            pointer = join_pointer("/components/securitySchemes", name)
            kind = scheme.get("type") if isinstance(scheme, dict) else None
            description = str(scheme.get("description") or "") if isinstance(scheme, dict) else ""
            if kind == "apiKey" and scheme.get("in") in {"header", "query", "cookie"}:
                result.append(
                    SecurityScheme(
                        name,
                        "apiKey",
                        scheme["in"],
                        str(scheme.get("name", "")),
                        None,
                        description,
                    )
                )
            elif kind == "http" and str(scheme.get("scheme", "")).lower() in {"bearer", "basic"}:
                result.append(
                    SecurityScheme(
                        name,
                        "http",
                        "header",
                        "Authorization",
                        str(scheme["scheme"]).lower(),
                        description,
                    )
                )
            elif kind in {"oauth2", "openIdConnect"}:
                # the client sends the access token as a bearer token; obtaining it is the caller's job
                result.append(
                    SecurityScheme(
                        name,
                        "http",
                        "header",
                        "Authorization",
                        "bearer",
                        description,
                    )
                )
            else:
                self.warn(
                    "unsupported-security",
                    f"security scheme {name!r} ({kind}) is not supported; "
                    "operations that need only it will fail with MissingCredentialError",
                    pointer,
                )
        return tuple(result)

    # -- operations ----------------------------------------------------------------
    def operations(self) -> Iterator[tuple[str, str, str, dict[str, Any], dict[str, Any]]]:
        """Every operation, in spec order; a path item may be a ``$ref`` to another one."""
        paths = self.document.get("paths")
        if not isinstance(paths, dict):
            return
        resolved = {}
        for path, item in paths.items():
            target = self.deref(item)
            resolved[path] = target if isinstance(target, dict) else {}
        yield from iter_operations({"paths": resolved})

    def build(self) -> Api:
        """The whole intermediate model, in the order its diagnostics are reported.

        The operations register their inline schemas before the models document
        hoists and names the rest.
        """
        schemes = self.security_schemes()
        # no server anywhere: the operation gets none, and the client requires base_url
        top_servers = self.servers(self.document.get("servers"), "/servers")
        if self.document.get("webhooks"):
            self.warn(
                "unsupported-webhooks",
                "webhooks are requests the API sends, not operations of a client; they are skipped",
                "/webhooks",
            )
        by_tag = self.operations_by_tag(top_servers)
        resources = self.resources(by_tag)
        info = self.document.get("info") or {}
        return Api(
            title=str(info.get("title") or "API"),
            version=str(info.get("version") or "0.0.0"),
            description=str(info.get("description") or ""),
            openapi_version=str(self.document.get("openapi")),
            servers=_distinct_servers(resources),
            security_schemes=schemes,
            resources=resources,
            models=self.models.document(),
        )

    def operations_by_tag(self, top_servers: tuple[Server, ...]) -> dict[str, list[Operation]]:
        """The operations the client can call, grouped by their first tag, in spec order.

        An operation without a tag goes to ``default``.
        """
        by_tag: dict[str, list[Operation]] = {}
        for pointer, path, method, item, raw in self.operations():
            if raw.get("callbacks"):
                self.warn(
                    "unsupported-callbacks",
                    f"{method.upper()} {path}: callbacks are requests the API "
                    "sends; they are skipped (the operation itself is generated)",
                    join_pointer(pointer, "callbacks"),
                )
            tags = raw.get("tags") or ["default"]
            tag = str(tags[0])
            operation = self.operation(pointer, path, method, item, raw, tag, top_servers)
            if operation is not None:
                by_tag.setdefault(tag, []).append(operation)
        return by_tag

    def resources(self, by_tag: dict[str, list[Operation]]) -> tuple[Resource, ...]:
        """One resource per tag, in the order the tags are first used."""
        tag_descriptions = {
            str(t.get("name")): str(t.get("description") or "")
            for t in self.document.get("tags") or []
            if isinstance(t, dict)
        }
        return tuple(
            Resource(tag, tag_descriptions.get(tag, ""), tuple(operations))
            for tag, operations in by_tag.items()
        )

    def operation(
        self,
        pointer: str,
        path: str,
        method: str,
        item: dict[str, Any],
        raw: dict[str, Any],
        tag: str,
        top_servers: tuple[Server, ...],
    ) -> Operation | None:
        operation_id = raw.get("operationId")
        if not isinstance(operation_id, str) or not operation_id:
            operation_id = naming.snake_case(f"{method} {path}") or method
        base = naming.pascal_case(operation_id) or "Operation"
        label = f"{method.upper()} {path}"
        parameters = self.parameters(pointer, item, raw, label)
        if parameters is None:
            return None
        body = self.body(pointer, raw, base, label)
        if body is False:
            return None
        responses = self.responses(pointer, raw, base)
        security_raw = raw.get("security", self.document.get("security")) or []
        security = tuple(
            # unsupported schemes stay: the runtime then names them in MissingCredentialError
            tuple(str(name) for name in requirement)
            for requirement in security_raw
            if isinstance(requirement, dict)
        )
        servers = (
            self.servers(raw.get("servers"), join_pointer(pointer, "servers"))
            or self.servers(item.get("servers"), join_pointer(pointer.rsplit("/", 1)[0], "servers"))
            or top_servers
        )
        idempotent = method.upper() in _IDEMPOTENT_METHODS or bool(raw.get("x-idempotent"))
        return Operation(
            operation_id=operation_id,
            method=method.upper(),
            path=path,
            tag=tag,
            summary=str(raw.get("summary") or ""),
            description=str(raw.get("description") or ""),
            deprecated=bool(raw.get("deprecated")),
            parameters=parameters,
            body=body or None,
            responses=responses,
            security=security,
            servers=servers,
            idempotent=idempotent,
            pointer=pointer,
        )

    def parameter_kind(self, schema: Any, depth: int = 0) -> str:
        """``scalar``, ``array`` or ``object``: what decides how a parameter is serialised."""
        schema = self.deref(schema)
        if not isinstance(schema, dict) or depth > 8:
            return "scalar"
        kind = schema.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"]
            kind = kinds[0] if len(kinds) == 1 else None
        if kind in {"array", "object"}:
            return str(kind)
        if kind is None and "enum" not in schema:
            for key in ("allOf", "oneOf", "anyOf"):
                members = schema.get(key)
                if isinstance(members, list):
                    member_kinds = {self.parameter_kind(m, depth + 1) for m in members}
                    if member_kinds != {"scalar"}:
                        return "object" if "object" in member_kinds else "array"
            if isinstance(schema.get("properties"), dict):
                return "object"
        return "scalar"

    def parameter_style(
        self, location: str, parameter: dict[str, Any], schema: Any
    ) -> tuple[str, str]:
        """How the runtime sends this parameter (``""``: the location's default), or why it
        cannot (``("", problem)``; ``problem`` is ``""`` when it can).

        Scalars look the same in every style. Beyond the defaults (``simple`` for path and
        header parameters, exploded ``form`` for query and cookie ones) the runtime sends
        JSON-serialised parameters (``content: application/json``), query arrays and
        objects in ``form`` style without explode, ``spaceDelimited``, ``pipeDelimited``
        and ``deepObject`` (``filter[status]=open``, arrays ``ids[0]=1``), and header
        objects in ``simple`` style.
        """
        kind = self.parameter_kind(schema)
        if "schema" not in parameter:
            media = next(iter(parameter.get("content") or {}), "?")
            if is_json_media(media) and media != "*/*" and location in {"query", "header"}:
                return "json", ""
            if kind == "scalar":
                return "", ""
            return "", f"is a serialised {media} {kind} (`content`), which the client cannot send"
        default_style = "simple" if location in {"path", "header"} else "form"
        style = str(parameter.get("style") or default_style)
        explode = bool(parameter.get("explode", style == "form"))
        if location == "path" and style != "simple":
            return "", f"uses style {style!r}, which the client cannot send"
        if kind == "scalar":
            return "", ""
        chosen = _STYLES.get((location, kind, style, explode))
        if chosen is not None:
            return chosen, ""
        what = f"style {style!r}" + ("" if explode else " without explode")
        return "", f"is an {kind} in {what}, which the client cannot send"

    def parameters(
        self, pointer: str, item: dict[str, Any], raw: dict[str, Any], label: str
    ) -> tuple[Parameter, ...] | None:
        """The operation's parameters; ``None`` when a required one cannot be sent.

        One the client cannot send is left out with a warning, or, when it is
        required, the whole operation is; the headers OpenAPI says to ignore as
        parameters (``Accept``, ``Content-Type``, ``Authorization``) are dropped.
        """
        result: list[Parameter] = []
        for (location, name), (parameter, parameter_pointer) in self.declared_parameters(
            pointer, item, raw
        ):
            if location not in _PARAMETER_ORDER:
                self.warn(
                    "unsupported-parameter",
                    f"parameter {name!r} in {location!r} is not supported",
                    parameter_pointer,
                )
                continue
            if location == "header" and name.lower() in _IGNORED_HEADERS:
                continue
            schema = _parameter_schema(parameter)
            style, problem = self.parameter_style(location, parameter, schema)
            if problem:
                if self.warn_unsendable(
                    label, location, name, parameter, problem, parameter_pointer
                ):
                    return None  # a required parameter: the operation cannot be called
                continue
            result.append(self.parameter(location, name, parameter, schema, style))
        return tuple(result)

    def declared_parameters(
        self, pointer: str, item: dict[str, Any], raw: dict[str, Any]
    ) -> list[tuple[tuple[str, str], tuple[dict[str, Any], str]]]:
        """``((location, name), (parameter, pointer))`` for each parameter of the operation.

        The operation's own parameters override the path item's of the same location
        and name; the result is sorted by location (path, query, header, cookie, then
        unknown ones), in declaration order within each.
        """
        merged: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        item_pointer = pointer.rsplit("/", 1)[0]
        for base, owner in ((item_pointer, item), (pointer, raw)):
            for index, parameter in enumerate(owner.get("parameters") or []):
                parameter = self.deref(parameter)
                if isinstance(parameter, dict) and "name" in parameter and "in" in parameter:
                    merged[(str(parameter["in"]), str(parameter["name"]))] = (
                        parameter,
                        join_pointer(base, "parameters", index),
                    )
        return sorted(merged.items(), key=lambda kv: _PARAMETER_ORDER.get(kv[0][0], 9))

    def warn_unsendable(
        self,
        label: str,
        location: str,
        name: str,
        parameter: dict[str, Any],
        problem: str,
        pointer: str,
    ) -> bool:
        """Warn that a parameter cannot be sent, and say whether the operation must be
        skipped for it (a required one) or only the parameter left out (an optional one)."""
        required = bool(parameter.get("required")) or location == "path"
        consequence = "the operation is skipped" if required else "the parameter is left out"
        self.warn(
            "unsupported-parameter",
            f"{label}: {location} parameter {name!r} {problem}; {consequence}",
            pointer,
        )
        return required

    def parameter(
        self,
        location: str,
        name: str,
        parameter: dict[str, Any],
        schema: Any,
        style: str,
    ) -> Parameter:
        """The record of a parameter the client can send, in ``style`` ("" for the default)."""
        return Parameter(
            name=name,
            location=location,  # type: ignore[arg-type]
            required=bool(parameter.get("required")) or location == "path",
            schema=self.deref(schema) if isinstance(schema, dict) else {},
            description=str(parameter.get("description") or ""),
            deprecated=bool(parameter.get("deprecated")),
            example=self.first_example(parameter, schema),
            style=style,
        )

    def body(
        self, pointer: str, raw: dict[str, Any], base: str, label: str
    ) -> Body | Literal[False] | None:
        """The operation's request body: the first media type the client sends best
        (JSON, then form, multipart, text and any other as bytes); ``False`` when there
        is none it can send."""
        body = self.deref(raw.get("requestBody"))
        if not isinstance(body, dict):
            return None
        raw_content = body.get("content")
        content: dict[str, Any] = raw_content if isinstance(raw_content, dict) else {}
        choice = _body_media_type(content)
        if choice is None:
            self.warn(
                "unsupported-media-type",
                f"{label}: the request body declares no media type; the operation is skipped",
                join_pointer(pointer, "requestBody"),
            )
            return False
        media_type, encoding = choice
        raw_media = content.get(media_type)
        media: dict[str, Any] = raw_media if isinstance(raw_media, dict) else {}
        schema = media.get("schema") or {}
        resolved = self.deref(schema)
        if not isinstance(resolved, dict):
            resolved = {}
        if _always_empty(resolved):
            return None  # an object that may hold nothing: there is nothing to send
        files: tuple[BodyFile, ...] = ()
        if encoding == "multipart":
            files = self.body_files(resolved)
            schema = _without_properties(resolved, {f.name for f in files}) if files else schema
        class_name = ""
        if encoding in {"json", "form", "multipart"} and _has_data(schema, files):
            class_name = self.models.register(base + "Request", schema)
        spread = (
            (
                isinstance(resolved.get("properties"), dict)
                or isinstance(resolved.get("allOf"), list)
            )
            and not any(k in resolved for k in ("oneOf", "anyOf"))
        ) or encoding == "multipart"
        return Body(
            media_type=media_type,
            required=bool(body.get("required")),
            class_name=class_name,
            schema=resolved,
            description=str(body.get("description") or ""),
            spread=spread,
            example=self.first_example(media, resolved),
            encoding=encoding,
            files=files,
            deep_object=_deep_object(media),
        )

    def body_files(self, schema: dict[str, Any]) -> tuple[BodyFile, ...]:
        """The properties of a multipart body sent as files (binary strings, or arrays of them)."""
        required = set(schema.get("required") or ())
        result = []
        for name, prop in (schema.get("properties") or {}).items():
            prop = self.deref(prop)
            if not isinstance(prop, dict):
                continue
            items = self.deref(prop.get("items")) if prop.get("type") == "array" else None
            if _is_binary(prop) or _is_binary(items):
                result.append(
                    BodyFile(
                        str(name),
                        name in required,
                        array=items is not None,
                        description=str(prop.get("description") or ""),
                    )
                )
        return tuple(result)

    def first_example(self, owner: Any, schema: Any) -> Any:
        """The first example of a parameter or media type, else of its schema."""
        for node in (owner, self.deref(schema)):
            if not isinstance(node, dict):
                continue
            if "example" in node:
                return node["example"]
            examples = node.get("examples")
            if isinstance(examples, dict):
                for example in examples.values():
                    example = self.deref(example)
                    if isinstance(example, dict) and "value" in example:
                        return example["value"]
            if isinstance(examples, list) and examples:
                return examples[0]
        return None

    def responses(self, pointer: str, raw: dict[str, Any], base: str) -> tuple[Response, ...]:
        result = []
        responses = raw.get("responses") or {}
        successes = [s for s in responses if str(s).startswith("2")]
        for status, response in responses.items():
            status = str(status)
            response = self.deref(response)
            if not isinstance(response, dict):
                continue
            raw_content = response.get("content")
            content: dict[str, Any] = raw_content if isinstance(raw_content, dict) else {}
            json_media = next((m for m in content if is_json_media(m)), None)
            media_type = json_media or next(iter(content), None)
            class_name = None
            media = content.get(json_media) if json_media else None
            schema = media.get("schema") if isinstance(media, dict) else None
            if isinstance(schema, dict) and schema:
                if status.startswith("2"):
                    wanted = (
                        base
                        + "Response"
                        + ("" if len(successes) == 1 or status == successes[0] else status)
                    )
                else:
                    wanted = base + "Error" + naming.pascal_case(status)
                class_name = self.models.register(wanted, schema)
            result.append(
                Response(status, str(response.get("description") or ""), class_name, media_type)
            )
        return tuple(result)


def is_placeholder_variable(raw: dict[str, Any]) -> bool:
    """Whether a server variable's default is a stand-in the client must never dial.

    ``x-placeholder: true`` says so, ``x-placeholder: false`` says not; unmarked, a
    variable without ``enum`` whose default :func:`naming.looks_like_placeholder` is one.
    """
    mark = raw.get("x-placeholder")
    if isinstance(mark, bool):
        return mark
    return not raw.get("enum") and naming.looks_like_placeholder(str(raw.get("default", "")))


def _distinct_servers(resources: tuple[Resource, ...]) -> tuple[Server, ...]:
    """Every server some operation uses, once each, in the order they are first used."""
    servers: list[Server] = []
    for resource in resources:
        for operation in resource.operations:
            for server in operation.servers:
                if server not in servers:
                    servers.append(server)
    return tuple(servers)


def _parameter_schema(parameter: dict[str, Any]) -> Any:
    """A parameter's ``schema``, else the schema of its first ``content`` media type."""
    schema = parameter.get("schema")
    if isinstance(schema, dict):
        return schema
    content = parameter.get("content") or {}
    first: Any = next(iter(content.values()), {}) if isinstance(content, dict) else {}
    return first.get("schema", {}) if isinstance(first, dict) else {}


def _body_media_type(content: dict[str, Any]) -> tuple[str, BodyEncoding] | None:
    """The media type a request body is sent as, and how: JSON first, then form,
    multipart, text, and anything else as bytes."""
    kinds: list[tuple[int, str, BodyEncoding]] = []
    for index, media_type in enumerate(content):
        base = media_type.split(";")[0].strip().lower()
        encoding: BodyEncoding
        if is_json_media(base):
            rank, encoding = 0, "json"
        elif base == "application/x-www-form-urlencoded":
            rank, encoding = 1, "form"
        elif base == "multipart/form-data":
            rank, encoding = 2, "multipart"
        elif base.startswith("text/"):
            rank, encoding = 3, "text"
        else:
            rank, encoding = 4, "binary"
        kinds.append((rank * 1000 + index, media_type, encoding))
    if not kinds:
        return None
    _, media_type, encoding = min(kinds)
    return media_type, encoding


def _is_binary(schema: Any) -> bool:
    """A string schema whose value is a file: ``format: binary`` (3.0) or a
    ``contentMediaType``/``contentEncoding`` other than base64 text (3.1)."""
    if not isinstance(schema, dict) or schema.get("type") not in ("string", None):
        return False
    if schema.get("format") == "binary":
        return True
    return "contentMediaType" in schema and schema.get("contentEncoding") not in {"base64"}


def _without_properties(schema: dict[str, Any], names: set[str]) -> dict[str, Any]:
    """``schema`` without the properties ``names`` (the files of a multipart body)."""
    result = dict(schema)
    result["properties"] = {
        k: v for k, v in (schema.get("properties") or {}).items() if k not in names
    }
    if "required" in schema:
        result["required"] = [r for r in schema.get("required") or () if r not in names]
        if not result["required"]:
            del result["required"]
    return result


def _has_data(schema: Any, files: tuple[BodyFile, ...]) -> bool:
    """Whether a body schema leaves anything for a model (a multipart body may be all files)."""
    if not files:
        return True
    return isinstance(schema, dict) and bool(schema.get("properties") or schema.get("allOf"))


def _deep_object(media: dict[str, Any]) -> tuple[str, ...]:
    """The properties a form body's ``encoding`` sends in ``deepObject`` style."""
    encoding = media.get("encoding")
    if not isinstance(encoding, dict):
        return ()
    return tuple(
        str(name)
        for name, rule in encoding.items()
        if isinstance(rule, dict) and rule.get("style") == "deepObject"
    )


def _always_empty(schema: dict[str, Any]) -> bool:
    """An object schema that admits only ``{}`` (Stripe's ``GET`` operations declare such
    form bodies): no properties, no other keywords that could add any."""
    return (
        schema.get("type") == "object"
        and not schema.get("properties")
        and schema.get("additionalProperties") is False
        and not any(k in schema for k in ("allOf", "oneOf", "anyOf", "patternProperties"))
    )
