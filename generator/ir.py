"""The intermediate model of an API: plain, frozen records of what the client can call.

These records are what the later stages agree on. :func:`generator.operations.build_api`
builds them from a loaded spec: which operations exist, their effective servers and
security, their parameters, bodies and responses, and which model class each request
and response uses (the class names are decided with the schemas the models stage
generates, :class:`ModelsDocument`, by :mod:`generator.reshape`). The records hold the
API's own names (operationIds, tags, wire names); the Python names of the generated
package are decided afterwards, in one pass, by :mod:`generator.names`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "Api",
    "Body",
    "BodyEncoding",
    "BodyFile",
    "ModelsDocument",
    "Operation",
    "Parameter",
    "ParameterLocation",
    "Resource",
    "Response",
    "SecurityScheme",
    "Server",
    "ServerVariable",
]

ParameterLocation = Literal["path", "query", "header", "cookie"]
BodyEncoding = Literal["json", "form", "multipart", "binary", "text"]


@dataclass(frozen=True, slots=True)
class ServerVariable:
    """A ``{name}`` in a server URL.

    A ``placeholder`` default (``x-placeholder: true``, or one that
    :func:`generator.naming.looks_like_placeholder`) is a stand-in the client never
    dials: the value must come from ``server_variables`` or an environment variable
    (named by :mod:`generator.names`).
    """

    name: str
    default: str
    enum: tuple[str, ...] = ()
    description: str = ""
    placeholder: bool = False


@dataclass(frozen=True, slots=True)
class Server:
    url: str
    description: str = ""
    variables: tuple[ServerVariable, ...] = ()


@dataclass(frozen=True, slots=True)
class SecurityScheme:
    """A credential the client accepts (its keyword and environment variable: :mod:`generator.names`)."""

    name: str
    type: Literal["apiKey", "http"]
    location: Literal["header", "query", "cookie"]
    parameter_name: str
    http_scheme: str | None
    description: str = ""


@dataclass(frozen=True, slots=True)
class Parameter:
    """A parameter the client can send; ``schema`` is its (dereferenced) JSON Schema."""

    name: str
    location: ParameterLocation
    required: bool
    schema: dict[str, Any]
    description: str = ""
    deprecated: bool = False
    #: the first example the spec gives (for documentation only), if any
    example: Any = None
    #: how the runtime serialises it, when not as the location's default (``simple`` in
    #: paths and headers, exploded ``form`` in queries and cookies): ``json`` (a
    #: ``content: application/json`` parameter), ``form`` (not exploded),
    #: ``spaceDelimited``, ``pipeDelimited``, ``deepObject``, ``simple`` and
    #: ``simple-explode`` (header objects)
    style: str = ""


@dataclass(frozen=True, slots=True)
class BodyFile:
    """A property of a ``multipart/form-data`` body that is sent as a file part."""

    name: str
    required: bool
    #: the property is an array of files: the part repeats
    array: bool = False
    description: str = ""


@dataclass(frozen=True, slots=True)
class Body:
    """A request body, sent as ``encoding`` says.

    ``json``, ``form`` (``application/x-www-form-urlencoded``) and ``multipart``
    (``multipart/form-data``) bodies are validated against their model ``class_name``
    (for ``multipart`` the model holds every property but the ``files``); ``binary``
    (bytes or a file) and ``text`` bodies are sent as they are and have no model
    (``class_name`` is ``""``).
    """

    media_type: str
    required: bool
    class_name: str
    schema: dict[str, Any]
    description: str = ""
    #: the body's top-level properties become keyword arguments when it is a plain object
    spread: bool = True
    #: the first example the spec gives (for documentation only), if any
    example: Any = None
    encoding: BodyEncoding = "json"
    files: tuple[BodyFile, ...] = ()
    #: properties of a ``form`` or ``multipart`` body encoded in ``deepObject`` style
    #: (``metadata[key]=value``, ``items[0][price]=...``)
    deep_object: tuple[str, ...] = ()


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
    """One call of the API; ``pointer`` (its JSON pointer in the spec) identifies it."""

    operation_id: str
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
    models: ModelsDocument = field(repr=False)

    @property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(op for resource in self.resources for op in resource.operations)


@dataclass(frozen=True, slots=True)
class ModelsDocument:
    """The schemas the models stage turns into classes: class name -> JSON Schema.

    Inline objects are hoisted into schemas of their own and every local ``$ref``
    points at ``#/components/schemas/<class name>``, so each entry becomes exactly one
    class of that name (:mod:`generator.reshape` builds it).
    """

    openapi_version: str
    schemas: Mapping[str, Any]

    @property
    def class_names(self) -> tuple[str, ...]:
        """Every class the models will define, in document order."""
        return tuple(self.schemas)

    def openapi(self) -> dict[str, Any]:
        """The schemas as the OpenAPI document datamodel-code-generator reads."""
        return {
            "openapi": self.openapi_version,
            "info": {"title": "models", "version": "0"},
            "paths": {},
            "components": {"schemas": dict(self.schemas)},
        }
