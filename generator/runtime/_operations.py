"""Static descriptions of an API (servers, security schemes, operations).

The generator emits instances of these frozen dataclasses as module constants; the
client runtime reads them to build URLs, pick credentials and map error bodies.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import pydantic

__all__ = [
    "IDEMPOTENT_METHODS",
    "Operation",
    "SecurityScheme",
    "Server",
    "ServerVariable",
]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})
"""HTTP methods that RFC 9110 defines as idempotent (safe to retry after any failure)."""

_TEMPLATE_RE = re.compile(r"\{([^{}]+)\}")
_EMPTY_ERROR_MODELS: Mapping[str, type[pydantic.BaseModel] | str] = MappingProxyType({})
_NO_STYLES: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ServerVariable:
    """A ``{name}`` placeholder in a server URL, with its default and allowed values.

    A ``placeholder`` default is a stand-in from the spec (``replace-with-own-host``)
    that is never dialled: the value must be given, in ``server_variables`` or the
    environment variable ``env_var`` (read when ``server_variables`` lacks it).
    """

    name: str
    default: str
    enum: tuple[str, ...] = ()
    placeholder: bool = False
    env_var: str = ""


@dataclass(frozen=True, slots=True)
class Server:
    """A server URL, possibly templated (``https://{tenant}.example.com/v1``)."""

    url: str
    variables: tuple[ServerVariable, ...] = ()

    def __post_init__(self) -> None:
        declared = {v.name for v in self.variables}
        used = set(_TEMPLATE_RE.findall(self.url))
        if used - declared:
            raise ValueError(
                f"server {self.url!r} uses undeclared variables: {sorted(used - declared)}"
            )

    def variable(self, name: str) -> ServerVariable | None:
        """Return the declared variable called ``name``, if any."""
        for var in self.variables:
            if var.name == name:
                return var
        return None


@dataclass(frozen=True, slots=True)
class SecurityScheme:
    """One entry of ``components.securitySchemes`` plus how the client accepts it.

    ``keyword`` is the client constructor argument and ``env_var`` the environment
    variable read when that argument is ``None``. ``servers`` are the servers the
    credential is sent to (the first server of each operation that uses the scheme).
    """

    name: str
    type: Literal["apiKey", "http"]
    location: Literal["header", "query", "cookie"]
    parameter_name: str
    http_scheme: str | None
    keyword: str
    env_var: str
    servers: tuple[Server, ...] = ()

    def __post_init__(self) -> None:
        if self.type not in ("apiKey", "http"):
            raise ValueError(f"unsupported security scheme type {self.type!r}")
        if self.location not in ("header", "query", "cookie"):
            raise ValueError(f"unsupported security scheme location {self.location!r}")
        if self.type == "http" and (self.location != "header" or not self.http_scheme):
            raise ValueError("http security schemes need location='header' and an http_scheme")


@dataclass(frozen=True, slots=True)
class Operation:
    """One OpenAPI operation.

    ``security`` lists alternatives (OpenAPI semantics): one alternative must be
    satisfied and each alternative needs all of its scheme names. An empty
    alternative ``()`` allows anonymous calls; an empty outer tuple means no auth.
    ``error_models`` maps status keys (``"404"``, ``"4XX"``, ``"default"``) to the
    model used to parse error bodies, or to its name in the ``models_module``: then the
    model is imported only when such an error arrives, not with the resource module.
    ``request_id_headers`` are response headers the spec documents as carrying the
    server's request id (``x-request-id`` is always looked at too).
    """

    operation_id: str
    method: str
    path: str
    servers: tuple[Server, ...]
    security: tuple[tuple[str, ...], ...]
    idempotent: bool = False
    error_models: Mapping[str, type[pydantic.BaseModel] | str] = field(
        default_factory=lambda: _EMPTY_ERROR_MODELS, compare=False, hash=False
    )
    models_module: str = ""
    #: how the request body is sent: ``json``, ``form``, ``multipart``, ``binary`` or
    #: ``text`` (see :mod:`._encoding`), and its media type
    body_encoding: Literal["json", "form", "multipart", "binary", "text"] = "json"
    body_media_type: str = "application/json"
    #: properties of a form or multipart body sent in ``deepObject`` style
    deep_object: tuple[str, ...] = ()
    #: query and header parameters sent in another style than their location's default
    #: (exploded ``form`` in the query, ``simple`` in headers): name -> style
    query_styles: Mapping[str, str] = field(
        default_factory=lambda: _NO_STYLES, compare=False, hash=False
    )
    header_styles: Mapping[str, str] = field(
        default_factory=lambda: _NO_STYLES, compare=False, hash=False
    )
    request_id_headers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.method != self.method.upper():
            raise ValueError(f"method must be upper-case, got {self.method!r}")
        if not self.path.startswith("/"):
            raise ValueError(f"path must start with '/', got {self.path!r}")
        if not isinstance(self.error_models, MappingProxyType):
            object.__setattr__(self, "error_models", MappingProxyType(dict(self.error_models)))

    @property
    def path_param_names(self) -> tuple[str, ...]:
        """Names of the ``{param}`` placeholders in ``path``, in order."""
        return tuple(_TEMPLATE_RE.findall(self.path))

    @property
    def is_idempotent(self) -> bool:
        """True if any failure may be retried (idempotent method or flagged in the spec)."""
        return self.idempotent or self.method in IDEMPOTENT_METHODS

    @property
    def requires_auth(self) -> bool:
        """True unless security is empty or contains the anonymous alternative ``()``."""
        return bool(self.security) and () not in self.security

    def error_model_for(self, status_code: int) -> type[pydantic.BaseModel] | None:
        """The error model declared for ``status_code``: exact, then ``NXX``, then default."""
        found = self._error_entry(status_code)
        return None if found is None else self._model(found)

    def error_model_key(self, status_code: int) -> str | None:
        """``"<module>:<name>"`` of the error model declared for ``status_code`` (or ``None``).

        For a model given by name that is ``models_module:name``, without importing it.
        """
        found = self._error_entry(status_code)
        if found is None:
            return None
        if isinstance(found, str):
            return f"{self.models_module}:{found}"
        return f"{found.__module__}:{found.__qualname__}"

    def _error_entry(self, status_code: int) -> type[pydantic.BaseModel] | str | None:
        models = self.error_models
        for key in (str(status_code), f"{status_code // 100}XX", f"{status_code // 100}xx"):
            if key in models:
                return models[key]
        return models.get("default")

    def _model(self, model: type[pydantic.BaseModel] | str) -> type[pydantic.BaseModel]:
        if not isinstance(model, str):
            return model
        if not self.models_module:
            raise ValueError(f"error model {model!r} is named, but no models_module is given")
        found = getattr(importlib.import_module(self.models_module), model)
        if not (isinstance(found, type) and issubclass(found, pydantic.BaseModel)):
            raise TypeError(f"{self.models_module}.{model} is not a pydantic model")
        return found
