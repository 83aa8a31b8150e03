"""The intermediate model of an API: plain, typed records built from a loaded spec.

Everything later stages need is decided here, once: which operations exist, their
effective servers and security, their parameters and bodies, which schema each
request and response uses and what its Python class is called. Inline schemas
are given readable names derived from the operationId
(``AddParticipantRequest``, ``AddParticipantResponse``, ``AddParticipantResponseData``)
and hoisted into ``components/schemas`` of :attr:`Api.models_document`, the
document the ``models`` stage turns into pydantic classes.

What is outside the supported subset (non-JSON bodies, cookie auth via OAuth
flows, ...) is skipped with a located warning rather than a crash.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from generator import naming
from generator.diagnostics import Diagnostics, Level, join_pointer
from generator.load import LoadedSpec, deref, parse_pointer
from generator.schemas import TEMPLATE_VARIABLE, is_json_media, iter_operations

__all__ = [
    "Api",
    "Body",
    "Operation",
    "Parameter",
    "Resource",
    "Response",
    "SecurityScheme",
    "Server",
    "ServerVariable",
    "build_api",
    "is_placeholder_variable",
]

ParameterLocation = Literal["path", "query", "header", "cookie"]
_SCHEMA_REF = re.compile(r"^#/components/schemas/([^/]+)$")
#: keywords whose values are data, never schemas to rewrite
_DATA_KEYWORDS = frozenset(
    {"example", "examples", "default", "enum", "const", "xml", "externalDocs"}
)
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})
#: the parameter locations the client sends, in the order its arguments list them
_PARAMETER_ORDER = {"path": 0, "query": 1, "header": 2, "cookie": 3}
#: headers OpenAPI says are ignored as parameters (the client sets them itself)
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})


@dataclass(frozen=True, slots=True)
class ServerVariable:
    """A ``{name}`` in a server URL.

    A ``placeholder`` default (``x-placeholder: true``, or one that
    :func:`naming.looks_like_placeholder`) is a stand-in the client never dials: the
    value must come from ``server_variables`` or the environment variable ``env_var``.
    """

    name: str
    default: str
    enum: tuple[str, ...] = ()
    description: str = ""
    placeholder: bool = False
    env_var: str = ""


@dataclass(frozen=True, slots=True)
class Server:
    url: str
    description: str = ""
    variables: tuple[ServerVariable, ...] = ()


@dataclass(frozen=True, slots=True)
class SecurityScheme:
    """A credential the client accepts: one constructor keyword and one environment variable."""

    name: str
    type: Literal["apiKey", "http"]
    location: Literal["header", "query", "cookie"]
    parameter_name: str
    http_scheme: str | None
    keyword: str
    env_var: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    python_name: str
    location: ParameterLocation
    required: bool
    schema: dict[str, Any]
    description: str = ""
    deprecated: bool = False
    #: the first example the spec gives (for documentation only), if any
    example: Any = None


@dataclass(frozen=True, slots=True)
class Body:
    """A JSON request body; ``class_name`` is its model in the models module."""

    media_type: str
    required: bool
    class_name: str
    schema: dict[str, Any]
    description: str = ""
    #: the body's top-level properties become keyword arguments when it is a plain object
    spread: bool = True
    #: the first example the spec gives (for documentation only), if any
    example: Any = None


@dataclass(frozen=True, slots=True)
class Response:
    status: str
    description: str
    class_name: str | None
    media_type: str | None = None

    @property
    def is_success(self) -> bool:
        return self.status.startswith("2") or self.status == "2XX"


@dataclass(frozen=True, slots=True)
class Operation:
    operation_id: str
    python_name: str
    constant_name: str
    method: str
    path: str
    tag: str
    summary: str
    description: str
    deprecated: bool
    parameters: tuple[Parameter, ...]
    body: Body | None
    responses: tuple[Response, ...]
    security: tuple[tuple[str, ...], ...]
    servers: tuple[Server, ...]
    idempotent: bool
    pointer: str

    @property
    def success(self) -> Response | None:
        """The first 2xx response (the one the method returns), if any."""
        return next((r for r in self.responses if r.is_success), None)

    @property
    def errors(self) -> tuple[Response, ...]:
        """Declared non-2xx responses that have a model."""
        return tuple(r for r in self.responses if not r.is_success and r.class_name)


@dataclass(frozen=True, slots=True)
class Resource:
    """All operations of one tag: one attribute on the client, one class."""

    tag: str
    attribute: str
    class_name: str
    description: str
    operations: tuple[Operation, ...]


@dataclass(frozen=True, slots=True)
class Api:
    title: str
    version: str
    description: str
    openapi_version: str
    servers: tuple[Server, ...]
    security_schemes: tuple[SecurityScheme, ...]
    resources: tuple[Resource, ...]
    models_document: dict[str, Any] = field(repr=False)
    #: class name -> the schema it is generated from (after hoisting)
    schema_classes: tuple[str, ...] = ()

    @property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(op for resource in self.resources for op in resource.operations)


# ------------------------------------------------------------------------------------------


@dataclass
class _Builder:
    spec: LoadedSpec
    package: str
    diagnostics: Diagnostics
    schemas: dict[str, Any] = field(default_factory=dict)  # class name -> schema (for models)
    renamed: dict[str, str] = field(default_factory=dict)  # component name -> class name
    #: environment variables the client reads (credentials, base URL, log level, variables)
    env_vars: set[str] = field(default_factory=set)
    variable_env_vars: dict[str, str] = field(default_factory=dict)  # variable -> env var

    @property
    def document(self) -> dict[str, Any]:
        return self.spec.document

    def warn(self, rule: str, message: str, pointer: str, hint: str = "") -> None:
        self.diagnostics.add(self.spec.diagnostic(Level.WARNING, rule, message, pointer, hint))

    def deref(self, node: Any) -> Any:
        return deref(self.document, node, missing={})

    # -- schemas -------------------------------------------------------------------
    def collect_components(self) -> None:
        components = self.document.get("components") or {}
        schemas = components.get("schemas") or {}
        taken: set[str] = set()
        for name in schemas:
            python = naming.class_name(name, reserved=taken)
            taken.add(python)
            self.renamed[name] = python
        for name, schema in schemas.items():
            self.schemas[self.renamed[name]] = schema

    def free_class_name(self, wanted: str) -> str:
        return naming.class_name(wanted, reserved=self.schemas)

    def register(self, wanted: str, schema: dict[str, Any]) -> str:
        """Give an inline schema a class name (or reuse the component it references)."""
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if isinstance(ref, str):
            match = _SCHEMA_REF.match(ref)
            if match:
                name = parse_pointer("/" + match.group(1))[0]
                if name in self.renamed:
                    return self.renamed[name]
        name = self.free_class_name(wanted)
        self.schemas[name] = schema
        return name

    def models_document(self) -> dict[str, Any]:
        """The schemas to generate, inline objects hoisted, every ``$ref`` renamed."""
        result: dict[str, Any] = {}
        queue = deque(self.schemas.items())
        hoisted_names: list[str] = []
        while queue:
            name, schema = queue.popleft()
            hoisted: list[tuple[str, Any]] = []
            result[name] = self.rewrite(schema, name, hoisted)
            queue.extend(hoisted)
            hoisted_names.extend(new for new, _ in hoisted)
        return {
            "openapi": self.document.get("openapi", "3.1.0"),
            "info": {"title": "models", "version": "0"},
            "paths": {},
            "components": {"schemas": _merge_identical(result, hoisted_names)},
        }

    def rewrite(self, node: Any, owner: str, hoisted: list[tuple[str, Any]]) -> Any:
        """``node`` (a value anywhere inside the schema of class ``owner``) as models see it.

        A ``$ref`` to a component names the component's class; inline objects and
        schemas referenced from elsewhere in the document become classes named after
        ``owner`` (appended to ``hoisted``, for the caller to rewrite in turn); values
        that are data, not schemas, are left as they are.
        """
        if isinstance(node, list):
            return [self.rewrite(v, owner, hoisted) for v in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            return self.rewrite_ref(node, ref, owner, hoisted)
        return {
            key: self.rewrite_keyword(node, key, value, owner, hoisted)
            for key, value in node.items()
        }

    def rewrite_ref(
        self, node: dict[str, Any], ref: str, owner: str, hoisted: list[tuple[str, Any]]
    ) -> dict[str, Any]:
        """A local ``$ref``, pointing at the class the models document will have for it.

        A component keeps its own (renamed) class; a schema written anywhere else
        (``#/paths/...``) is taken along as a class of its own, named after ``owner``.
        """
        match = _SCHEMA_REF.match(ref)
        if match:
            name = parse_pointer("/" + match.group(1))[0]
            return {**node, "$ref": "#/components/schemas/" + self.renamed.get(name, name)}
        target = self.deref(node)
        wanted = owner + naming.pascal_case(parse_pointer(ref[1:])[-1])
        new = self.free_class_name(wanted)
        self.schemas[new] = target
        hoisted.append((new, target))
        return {"$ref": "#/components/schemas/" + new}

    def rewrite_keyword(
        self,
        node: dict[str, Any],
        key: str,
        value: Any,
        owner: str,
        hoisted: list[tuple[str, Any]],
    ) -> Any:
        """The value of ``node[key]`` rewritten as the keyword says: a child schema whose
        inline object becomes a class (``OwnerProp``, ``OwnerItem``, ``OwnerValue``, a union
        alternative), data kept verbatim, anything else rewritten under the same owner."""
        if key == "properties" and isinstance(value, dict):
            return {
                prop: self.hoist(child, owner + naming.pascal_case(prop), hoisted)
                for prop, child in value.items()
            }
        if key == "items" and isinstance(value, dict):
            return self.hoist(value, owner + "Item", hoisted)
        if key == "additionalProperties" and isinstance(value, dict):
            return self.hoist(value, owner + "Value", hoisted)
        if key in ("oneOf", "anyOf") and isinstance(value, list) and _is_plain_union(node):
            # in a plain union each inline object alternative is a class of its own
            # either way; named here it is named after its owner (stable when other
            # schemas change) and identical ones merge. Alternatives that refine
            # the owner's own properties are left for the models stage to merge.
            return [
                self.hoist(option, owner + _option_name(option, index), hoisted)
                for index, option in enumerate(value)
            ]
        if key in _DATA_KEYWORDS or key.startswith("x-"):
            return value  # data, not schemas (vendor extensions may say "properties")
        return self.rewrite(value, owner, hoisted)

    def hoist(self, schema: Any, wanted: str, hoisted: list[tuple[str, Any]]) -> Any:
        """Inline objects with properties become named classes; everything else stays put."""
        if (
            isinstance(schema, dict)
            and "$ref" not in schema
            and isinstance(schema.get("properties"), dict)
        ):
            name = self.free_class_name(wanted)
            self.schemas[name] = schema
            hoisted.append((name, schema))
            return {"$ref": "#/components/schemas/" + name}
        if (
            isinstance(schema, dict)
            and schema.get("type") == "array"
            and isinstance(schema.get("items"), dict)
        ):
            items = self.hoist(schema["items"], wanted + "Item", hoisted)
            rest = self.rewrite({k: v for k, v in schema.items() if k != "items"}, wanted, hoisted)
            return {**rest, "items": items}
        return self.rewrite(schema, wanted, hoisted)

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
            env_var=self.variable_env_var(name) if placeholder else "",
        )

    def variable_env_var(self, name: str) -> str:
        """``CHAT_CLIENT_TENANT`` for ``tenant``: one per variable name, never one the
        client already reads (a credential's, ``..._BASE_URL``, ``..._LOG``)."""
        if name not in self.variable_env_vars:
            candidate = naming.env_var_name(
                self.package, name if naming.snake_case(name) else "server variable"
            )
            counter = 2
            while candidate in self.env_vars:
                candidate = naming.env_var_name(self.package, f"server {name} {counter}")
                counter += 1
            self.env_vars.add(candidate)
            self.variable_env_vars[name] = candidate
        return self.variable_env_vars[name]

    def security_schemes(self) -> tuple[SecurityScheme, ...]:
        raw = (self.document.get("components") or {}).get("securitySchemes") or {}
        result: list[SecurityScheme] = []
        keywords: set[str] = set(_CLIENT_RESERVED)
        for name, scheme in raw.items():
            scheme = self.deref(scheme)
            pointer = join_pointer("/components/securitySchemes", name)
            kind = scheme.get("type") if isinstance(scheme, dict) else None
            keyword = naming.identifier(name, reserved=keywords)
            keywords.add(keyword)
            env_var = naming.env_var_name(self.package, keyword)
            description = str(scheme.get("description") or "") if isinstance(scheme, dict) else ""
            if kind == "apiKey" and scheme.get("in") in {"header", "query", "cookie"}:
                result.append(
                    SecurityScheme(
                        name,
                        "apiKey",
                        scheme["in"],
                        str(scheme.get("name", "")),
                        None,
                        keyword,
                        env_var,
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
                        keyword,
                        env_var,
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
                        keyword,
                        env_var,
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

        Credentials and the base URL claim their environment variables before any
        server variable asks for one; the operations register their inline schemas
        before the models document hoists and names them; the resources are named
        last, so no resource class takes the name of a model.
        """
        self.collect_components()
        schemes = self.security_schemes()
        self.env_vars.update(s.env_var for s in schemes)
        self.env_vars.update(naming.env_var_name(self.package, n) for n in ("base url", "log"))
        # no server anywhere: the operation gets none, and the client requires base_url
        top_servers = self.servers(self.document.get("servers"), "/servers")
        if self.document.get("webhooks"):
            self.warn(
                "unsupported-webhooks",
                "webhooks are requests the API sends, not operations of a client; they are skipped",
                "/webhooks",
            )
        by_tag = self.operations_by_tag(top_servers)
        models_document = self.models_document()
        resources = self.resources(by_tag, set(models_document["components"]["schemas"]))
        info = self.document.get("info") or {}
        return Api(
            title=str(info.get("title") or "API"),
            version=str(info.get("version") or "0.0.0"),
            description=str(info.get("description") or ""),
            openapi_version=str(self.document.get("openapi")),
            servers=_distinct_servers(resources),
            security_schemes=schemes,
            resources=resources,
            models_document=models_document,
            schema_classes=tuple(models_document["components"]["schemas"]),
        )

    def operations_by_tag(self, top_servers: tuple[Server, ...]) -> dict[str, list[Operation]]:
        """The operations the client can call, grouped by their first tag, in spec order.

        An operation without a tag goes to ``default``; method names are unique within
        a tag's resource class, never one the class itself uses.
        """
        by_tag: dict[str, list[Operation]] = {}
        method_names: dict[str, set[str]] = {}
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
            taken = method_names.setdefault(naming.identifier(tag), set(_RESOURCE_RESERVED))
            operation = self.operation(pointer, path, method, item, raw, tag, top_servers, taken)
            if operation is not None:
                taken.add(operation.python_name)
                by_tag.setdefault(tag, []).append(operation)
        return by_tag

    def resources(
        self, by_tag: dict[str, list[Operation]], classes: set[str]
    ) -> tuple[Resource, ...]:
        """One resource per tag: a client attribute and a class, each named uniquely.

        ``classes`` starts as the model classes: a resource module imports the models,
        so none of its four classes may share a name with one (it grows as they are taken).
        """
        tag_descriptions = {
            str(t.get("name")): str(t.get("description") or "")
            for t in self.document.get("tags") or []
            if isinstance(t, dict)
        }
        resources = []
        attributes: set[str] = set(_CLIENT_RESERVED)
        for tag, operations in by_tag.items():
            attribute = naming.identifier(tag, reserved=attributes)
            attributes.add(attribute)
            class_name = _resource_class_name(tag, classes)
            classes.update(_resource_classes(class_name))
            resources.append(
                Resource(
                    tag, attribute, class_name, tag_descriptions.get(tag, ""), tuple(operations)
                )
            )
        return tuple(resources)

    def operation(
        self,
        pointer: str,
        path: str,
        method: str,
        item: dict[str, Any],
        raw: dict[str, Any],
        tag: str,
        top_servers: tuple[Server, ...],
        taken: set[str],
    ) -> Operation | None:
        operation_id = raw.get("operationId")
        if not isinstance(operation_id, str) or not operation_id:
            operation_id = naming.snake_case(f"{method} {path}") or method
        python_name = naming.identifier(operation_id, reserved=taken)
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
            python_name=python_name,
            constant_name=naming.constant_name(operation_id),
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

    def parameter_problem(self, location: str, parameter: dict[str, Any], schema: Any) -> str:
        """Why the runtime cannot send this parameter as the spec describes it ("" if it can).

        The runtime sends path and header parameters in ``simple`` style, query and cookie
        parameters in ``form`` style, exploded; scalars look the same in every style.
        """
        kind = self.parameter_kind(schema)
        if "schema" not in parameter and kind != "scalar":
            media = next(iter(parameter.get("content") or {}), "?")
            return f"is a serialised {media} {kind} (`content`), which the client cannot send"
        default_style = "simple" if location in {"path", "header"} else "form"
        style = str(parameter.get("style") or default_style)
        explode = bool(parameter.get("explode", style == "form"))
        if location == "path" and style != "simple":
            return f"uses style {style!r}, which the client cannot send"
        if kind == "scalar":
            return ""
        if location == "query" and style == "form" and explode:
            return ""
        if location == "header" and kind == "array":
            return ""
        what = f"style {style!r}" + ("" if explode else " without explode")
        return f"is an {kind} in {what}, which the client cannot send"

    def parameters(
        self, pointer: str, item: dict[str, Any], raw: dict[str, Any], label: str
    ) -> tuple[Parameter, ...] | None:
        """The operation's parameters; ``None`` when a required one cannot be sent.

        One the client cannot send is left out with a warning, or, when it is
        required, the whole operation is; the headers OpenAPI says to ignore as
        parameters (``Accept``, ``Content-Type``, ``Authorization``) are dropped.
        """
        result: list[Parameter] = []
        used: set[str] = {"self"}
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
            problem = self.parameter_problem(location, parameter, schema)
            if problem:
                if self.warn_unsendable(
                    label, location, name, parameter, problem, parameter_pointer
                ):
                    return None  # a required parameter: the operation cannot be called
                continue
            result.append(self.parameter(location, name, parameter, schema, used))
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
        used: set[str],
    ) -> Parameter:
        """The record of a parameter the client can send, its keyword not one in ``used``
        (which it joins)."""
        python_name = naming.identifier(name, reserved=used)
        used.add(python_name)
        return Parameter(
            name=name,
            python_name=python_name,
            location=location,  # type: ignore[arg-type]
            required=bool(parameter.get("required")) or location == "path",
            schema=self.deref(schema) if isinstance(schema, dict) else {},
            description=str(parameter.get("description") or ""),
            deprecated=bool(parameter.get("deprecated")),
            example=self.first_example(parameter, schema),
        )

    def body(
        self, pointer: str, raw: dict[str, Any], base: str, label: str
    ) -> Body | Literal[False] | None:
        body = self.deref(raw.get("requestBody"))
        if not isinstance(body, dict):
            return None
        content = body.get("content") or {}
        media_type = next((m for m in content if is_json_media(m)), None)
        if media_type is None:
            kinds = ", ".join(content) or "none"
            self.warn(
                "unsupported-media-type",
                f"{label}: request body media types ({kinds}) are not JSON; "
                "the operation is skipped",
                join_pointer(pointer, "requestBody"),
            )
            return False
        schema = (content.get(media_type) or {}).get("schema") or {}
        class_name = self.register(base + "Request", schema)
        resolved = self.deref(schema)
        spread = (
            isinstance(resolved, dict)
            and (
                isinstance(resolved.get("properties"), dict)
                or isinstance(resolved.get("allOf"), list)
            )
            and not any(k in resolved for k in ("oneOf", "anyOf"))
        )
        return Body(
            media_type=media_type,
            required=bool(body.get("required")),
            class_name=class_name,
            schema=resolved if isinstance(resolved, dict) else {},
            description=str(body.get("description") or ""),
            spread=spread,
            example=self.first_example(content.get(media_type) or {}, resolved),
        )

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
                class_name = self.register(wanted, schema)
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


def _resource_class_name(tag: str, taken: set[str]) -> str:
    """``PetsResource`` for ``pets``: the first name none of whose four classes is taken."""
    class_name = naming.class_name(tag + " resource", reserved=taken)
    counter = 2
    while set(_resource_classes(class_name)) & taken:
        class_name = naming.class_name(f"{tag} resource {counter}", reserved=taken)
        counter += 1
    return class_name


def _distinct_servers(resources: tuple[Resource, ...]) -> tuple[Server, ...]:
    """Every server some operation uses, once each, in the order they are first used."""
    servers: list[Server] = []
    for resource in resources:
        for operation in resource.operations:
            for server in operation.servers:
                if server not in servers:
                    servers.append(server)
    return tuple(servers)


def _resource_classes(class_name: str) -> tuple[str, ...]:
    """The four classes a resource module defines."""
    return (
        class_name,
        f"Async{class_name}",
        f"{class_name}WithRawResponse",
        f"Async{class_name}WithRawResponse",
    )


#: attributes of the generated client that a resource may not take
_CLIENT_RESERVED = frozenset(
    {
        "close",
        "request",
        "with_options",
        "copy",
        "timeout",
        "max_retries",
        "base_url",
        "server_variables",
        "default_headers",
        "http_client",
        "self",
        "is_closed",
        # names the client's ``__init__`` body and annotations use
        "super",
        "httpx",
        "str",
        "int",
        "float",
        "bool",
        "object",
        "type",
    }
)
#: attributes of a generated resource class that an operation may not take: its own
#: attributes, and names the annotations of later methods use (evaluated in the class body)
_RESOURCE_RESERVED = frozenset(
    {
        "with_raw_response",
        "self",
        "str",
        "int",
        "float",
        "bool",
        "bytes",
        "object",
        "type",
        "date",
        "datetime",
        "time",
        "timedelta",
        "list",
        "dict",
        "tuple",
        "set",
        "frozenset",
    }
)


def build_api(spec: LoadedSpec, package: str, diagnostics: Diagnostics) -> Api:
    """Build the intermediate model of ``spec`` for the package named ``package``."""
    return _Builder(spec, package, diagnostics).build()


def _option_name(option: Any, index: int) -> str:
    """The name part of a ``oneOf``/``anyOf`` alternative: its title, else its position."""
    title = option.get("title") if isinstance(option, dict) else None
    if isinstance(title, str) and naming.pascal_case(title):
        return naming.pascal_case(title)
    return f"Option{index + 1}"


def _parameter_schema(parameter: dict[str, Any]) -> Any:
    """A parameter's ``schema``, else the schema of its first ``content`` media type."""
    schema = parameter.get("schema")
    if isinstance(schema, dict):
        return schema
    content = parameter.get("content") or {}
    first: Any = next(iter(content.values()), {}) if isinstance(content, dict) else {}
    return first.get("schema", {}) if isinstance(first, dict) else {}


def _is_plain_union(schema: dict[str, Any]) -> bool:
    """Whether the ``oneOf``/``anyOf`` of ``schema`` stands alone: no properties of
    its own that the alternatives could refine."""
    return not any(k in schema for k in ("properties", "allOf", "required"))


def _merge_identical(schemas: dict[str, Any], hoisted: list[str]) -> dict[str, Any]:
    """Give identical hoisted schemas one class: the first of them, in document order.

    Specs repeat inline objects verbatim (GitHub's webhook payloads each carry the same
    ``repository`` object); one class per copy would make thousands of identical classes
    that ``isinstance`` cannot tell apart and that cost time to generate and to import.
    Only schemas this module hoisted (and so named) are merged; a component keeps its own
    class. A hoisted schema is referenced by its parent alone and its own hoisted children
    come after it, so walking them backwards settles every child before its parent: two
    parents are identical when their children are, whatever the children are called.
    """
    group_of: dict[str, int] = {}  # hoisted name -> its group of identical schemas
    groups: dict[str, int] = {}  # canonical text -> group
    for name in reversed(hoisted):
        canonical = _with_refs(schemas[name], group_of.get)  # children by group, not name
        text = json.dumps(canonical, sort_keys=False, default=str)
        group_of[name] = groups.setdefault(text, len(groups))
    if len(groups) == len(group_of):
        return schemas
    keeper: dict[int, str] = {}
    for name in schemas:  # document order: the first of each group keeps its name
        if name in group_of:
            keeper.setdefault(group_of[name], name)
    replaced = {name: keeper[group] for name, group in group_of.items() if keeper[group] != name}

    def renamed(name: str) -> str | None:
        return _SCHEMA_PREFIX + replaced[name] if name in replaced else None

    return {
        name: _with_refs(schema, renamed)
        for name, schema in schemas.items()
        if name not in replaced
    }


_SCHEMA_PREFIX = "#/components/schemas/"


def _with_refs(node: Any, new_ref: Callable[[str], object | None]) -> Any:
    """``node`` with each ``$ref`` to schema ``X`` set to ``new_ref(X)`` (``None``: left alone)."""
    if isinstance(node, list):
        return [_with_refs(v, new_ref) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_SCHEMA_PREFIX):
        value = new_ref(ref[len(_SCHEMA_PREFIX) :])
        if value is not None:
            return {**node, "$ref": value}
    return {key: _with_refs(value, new_ref) for key, value in node.items()}
