"""Sync and async HTTP client bases that generated clients subclass.

The generated ``<Name>Client(SyncAPIClient)`` passes its package name/version, env-var
prefix, security schemes, credentials and servers to ``__init__``; generated resource
methods call :meth:`SyncAPIClient.request` with an :class:`~._operations.Operation`.

Design decisions:

* URL: ``base_url`` (argument, else ``<PREFIX>BASE_URL``) replaces every server;
  otherwise the operation's first server, with variables from ``server_variables``
  (else their environment variable) or their defaults. Neither a placeholder default
  (``replace-with-own-host``) nor a relative URL is ever dialled, and an operation the
  spec gives no server needs ``base_url``: ``MissingServerVariableError`` and
  ``MissingServerError`` are raised before anything is sent, at construction when the
  client could never send anything (no operation has a server) or a given credential
  would only ever go to such a server, otherwise when such an operation is called.
  Path parameters are percent-encoded with no safe characters;
  dots are encoded too when the value is ``.``/``..`` or contains a (back)slash, so
  a value can never become (or be normalised into) a dot-segment.
* Credentials: the first security alternative whose schemes are all configured is
  used (non-anonymous alternatives first); only those schemes' credentials are sent.
  Credentials with control characters are refused at construction.
* Retries: idempotent operations retry on connection errors, timeouts, 408, 429 and
  5xx. Non-idempotent ones (POST/PATCH) only retry when the request provably was not
  processed: connect errors/timeouts, pool timeouts, 429, and 503 with ``Retry-After``.
  ``x-should-retry: true/false`` from the server overrides the status rules.
  Backoff: 0.5 s doubling up to 8 s, minus up to 25 % jitter. ``Retry-After`` /
  ``retry-after-ms`` (seconds or HTTP-date) is honoured when <= 60 s; a longer
  ``Retry-After`` is not waited for: the error is raised at once so the caller decides.
* Per-call options (keyword-only on every generated method): ``timeout`` replaces the
  client's (``with_options`` makes a copy with another one; call > copy > client);
  ``extra_headers`` go on top of ``default_headers`` and the generated ones (``User-Agent``,
  ``Accept``...), ``extra_query`` after the operation's query and ``extra_body`` into the
  top-level JSON object. None of them may name a credential (any security scheme's header,
  query parameter or cookie, ``Authorization``, ``Cookie``) or one of the operation's own
  parameters or body properties: that would silently switch the credential scheme or
  bypass validation, so :class:`RequestValidationError` is raised and nothing is sent.
* ``request`` returns the parsed model, or (inside ``with_raw_response`` /
  ``with_streaming_response``) an ``APIResponse`` around the read / not yet read response;
  see ``_response``.
* Redirects are never followed (custom credential headers would leak cross-origin).
* ``close()`` only closes an ``httpx`` client the API client created itself.
* The async client bounds in-flight requests to the pool size (100) when it created
  the ``httpx.AsyncClient`` itself, so thousands of concurrent calls queue cheaply.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import email.utils
import functools
import json
import os
import random
import re
import sys
import time
import weakref
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from enum import Enum
from types import TracebackType
from typing import Any, ClassVar, Generic, Self, TypeVar, cast
from urllib.parse import quote

import httpx
import pydantic

from ._encoding import encode_body, encode_styled_header, encode_styled_query
from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    InvalidCredentialError,
    MissingCredentialError,
    MissingServerError,
    MissingServerVariableError,
    RequestValidationError,
    ServerVariableError,
    model_status_error_class,
    request_id_of,
    status_error_class,
)
from ._logs import REDACTED, redact_headers, redact_url, scrub, setup_logging
from ._models import to_json_body
from ._operations import Operation, SecurityScheme, Server, ServerVariable
from ._response import PARSED, STREAM, APIResponse, AsyncAPIResponse, parse_response, response_mode
from ._types import (
    DEFAULT_CONNECTION_LIMITS,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    Body,
    Headers,
    NotGiven,
    Query,
    TimeoutTypes,
)

__all__ = [
    "AsyncAPIClient",
    "SyncAPIClient",
    "backoff_delay",
    "encode_path_segment",
    "encode_query",
    "parse_retry_after",
    "render_path",
]

T = TypeVar("T")
_HttpxClientT = TypeVar("_HttpxClientT", httpx.Client, httpx.AsyncClient)

_TEMPLATE_RE = re.compile(r"\{([^{}]+)\}")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_HOST_VALUE_RE = re.compile(r"[A-Za-z0-9.\-]+")
_HOST_LABEL_RE = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_PATH_VALUE_RE = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@/%\-]*")
_COOKIE_FORBIDDEN = frozenset(' ",;\\')
_COOKIE_SAFE = "!#$%&'()*+-./:<=>?@[]^_`{|}~"
_ERROR_MESSAGE_LIMIT = 2000
_HTTPX_DEFAULT_TIMEOUT = httpx.Timeout(5.0)
#: headers that carry credentials whatever the spec's schemes say; never set per call
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


# --------------------------------------------------------------------------- helpers


class _Secret:
    """Holds a credential; its repr never shows the value."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return REDACTED

    __str__ = __repr__


def _stringify(value: object) -> str:
    """Render a scalar parameter value as text (booleans as ``true``/``false``)."""
    if isinstance(value, Enum):
        return _stringify(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def encode_path_segment(value: object, *, name: str = "path parameter") -> str:
    """Percent-encode one path parameter so it always stays exactly one segment."""
    if value is None or isinstance(value, NotGiven):
        raise RequestValidationError(f"{name}: path parameter is required")
    text = _stringify(value)
    if text == "":
        raise RequestValidationError(f"{name}: path parameter must not be empty")
    encoded = quote(text, safe="")
    if text in (".", "..") or "/" in text or "\\" in text:
        encoded = encoded.replace(".", "%2E")
    return encoded


def render_path(template: str, path_params: Mapping[str, object]) -> str:
    """Fill ``{name}`` placeholders of ``template`` with encoded ``path_params``."""
    names = _TEMPLATE_RE.findall(template)
    unexpected = sorted(set(path_params) - set(names))
    if unexpected:
        raise RequestValidationError(f"unexpected path parameters: {', '.join(unexpected)}")
    for name in names:
        if name not in path_params:
            raise RequestValidationError(f"{name}: path parameter is required")
    return _TEMPLATE_RE.sub(
        lambda m: encode_path_segment(path_params[m.group(1)], name=m.group(1)), template
    )


def encode_query(
    query: Mapping[str, object], styles: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """Query parameters as ``(name, value)`` pairs (OpenAPI ``form`` style, exploded,
    unless ``styles`` names another for the parameter: :func:`encode_styled_query`).

    ``None``/``NOT_GIVEN`` are dropped, booleans become ``true``/``false``, sequences
    repeat the key and mappings contribute one pair per entry.
    """
    items: list[tuple[str, str]] = []
    for key, value in query.items():
        if value is None or isinstance(value, NotGiven):
            continue
        if styles and key in styles:
            items.extend(encode_styled_query(key, value, styles[key]))
        elif isinstance(value, Mapping):
            items.extend(
                (str(k), _stringify(v))
                for k, v in value.items()
                if v is not None and not isinstance(v, NotGiven)
            )
        elif isinstance(value, list | tuple | set | frozenset):
            items.extend((key, _stringify(v)) for v in value if v is not None)
        else:
            items.append((key, _stringify(value)))
    return items


def _encode_header_params(
    headers: Mapping[str, object], styles: Mapping[str, str] | None = None
) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in headers.items():
        if value is None or isinstance(value, NotGiven):
            continue
        if styles and key in styles:
            text = encode_styled_header(value, styles[key])
        elif isinstance(value, list | tuple):
            text = ",".join(_stringify(v) for v in value)
        else:
            text = _stringify(value)
        if _CONTROL_RE.search(text) or _CONTROL_RE.search(key):
            raise RequestValidationError(f"header {key!r}: must not contain control characters")
        out[key] = text
    return out


def _encode_cookie_params(cookies: Mapping[str, object]) -> list[str]:
    pairs: list[str] = []
    for key, value in cookies.items():
        if value is None or isinstance(value, NotGiven):
            continue
        pairs.append(f"{key}={quote(_stringify(value), safe=_COOKIE_SAFE)}")
    return pairs


def parse_retry_after(
    headers: Mapping[str, str] | httpx.Headers, *, now: datetime | None = None
) -> float | None:
    """Seconds to wait according to ``retry-after-ms`` or ``Retry-After``.

    ``Retry-After`` may be delta-seconds or an HTTP-date (a past date means 0).
    Returns ``None`` when absent or unparseable. Header names are case-insensitive.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    ms = lowered.get("retry-after-ms")
    if ms is not None:
        try:
            value = float(ms) / 1000
        except ValueError:
            value = -1.0
        if 0 <= value < float("inf"):
            return value
    raw = lowered.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        pass
    else:
        return seconds if 0 <= seconds < float("inf") else None
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now if now is not None else datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


def backoff_delay(
    retries_taken: int,
    *,
    initial: float = 0.5,
    maximum: float = 8.0,
    jitter: float = 0.25,
    rand: float | None = None,
) -> float:
    """Exponential backoff: ``initial * 2**retries_taken`` capped at ``maximum``, minus
    up to ``jitter`` (fraction) of it; ``rand`` in [0, 1) defaults to ``random.random()``."""
    base = min(initial * (2.0**retries_taken), maximum)
    r = random.random() if rand is None else rand
    return base * (1 - jitter * r)


def _to_timeout(value: TimeoutTypes) -> httpx.Timeout:
    if isinstance(value, httpx.Timeout):
        return value
    if value is None:
        return httpx.Timeout(None)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError("timeout must be a non-negative number of seconds, httpx.Timeout or None")
    return httpx.Timeout(float(value))


def _check_max_retries(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("max_retries must be a non-negative integer")
    return value


def _parse_base_url(value: str | httpx.URL) -> httpx.URL:
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ServerVariableError(f"base_url is not a valid URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ServerVariableError("base_url must be an absolute http:// or https:// URL")
    if url.query or url.fragment:
        raise ServerVariableError("base_url must not contain a query string or fragment")
    return url


def _host_position_ok(authority: str, placeholder: str, value: str) -> bool:
    """Whether ``value`` for ``placeholder`` (inside ``authority``) yields a valid host.

    The value may only use host characters; in the host it must not create empty
    labels or labels longer than 63 characters or starting/ending with ``-`` (other
    placeholders count as a plain letter); in the port it must be digits.
    """
    if not _HOST_VALUE_RE.fullmatch(value):
        return False
    host_port = authority.rsplit("@", 1)[-1]
    if host_port.startswith("["):  # IPv6 literal template: only the character check
        return True
    host, _, port = host_port.partition(":")
    if placeholder in port and not value.isdigit():
        return False
    if placeholder in host:
        filled = _TEMPLATE_RE.sub(
            lambda m: value if m.group(0) == placeholder else "x", host
        ).removesuffix("." if host.endswith(".") else "")
        return all(_HOST_LABEL_RE.fullmatch(label) for label in filled.split("."))
    return True


def _check_server_value(server: Server, name: str, value: str) -> None:
    placeholder = "{" + name + "}"
    rest = server.url.split("://", 1)[1] if "://" in server.url else server.url
    authority = rest.split("/", 1)[0] if "://" in server.url else ""
    if placeholder in authority:
        ok = _host_position_ok(authority, placeholder, value)
        hint = " (a host name: dot-separated labels of letters, digits and inner hyphens)"
    else:
        ok = bool(_PATH_VALUE_RE.fullmatch(value)) and not any(
            seg in (".", "..") for seg in value.split("/")
        )
        hint = ""
    if not ok:
        raise ServerVariableError(
            f"Server variable {name!r} has a value not allowed at its position in "
            f"{server.url!r}{hint}"
        )


def _cached_properties(cls: type) -> frozenset[str]:
    """Names of the ``functools.cached_property`` attributes of ``cls`` (resources)."""
    found = _CACHED_PROPERTIES.get(cls)
    if found is None:
        found = _CACHED_PROPERTIES[cls] = frozenset(
            name
            for klass in cls.__mro__
            for name, value in vars(klass).items()
            if isinstance(value, functools.cached_property)
        )
    return found


_CACHED_PROPERTIES: weakref.WeakKeyDictionary[type, frozenset[str]] = weakref.WeakKeyDictionary()


# --------------------------------------------------------------------------- base


class _BaseClient(Generic[_HttpxClientT]):
    """Configuration, request building and retry policy shared by sync and async."""

    INITIAL_RETRY_DELAY: ClassVar[float] = 0.5
    MAX_RETRY_DELAY: ClassVar[float] = 8.0
    RETRY_JITTER: ClassVar[float] = 0.25
    MAX_RETRY_AFTER: ClassVar[float] = 60.0

    _client: _HttpxClientT
    _owns_client: bool

    def __init__(
        self,
        *,
        package_name: str,
        package_version: str,
        env_prefix: str,
        security_schemes: Sequence[SecurityScheme],
        credentials: Mapping[str, str | None],
        servers: Sequence[Server],
        server_variables: Mapping[str, str] | None,
        base_url: str | httpx.URL | None,
        timeout: TimeoutTypes | NotGiven,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        http_client_timeout: httpx.Timeout | None,
        operations_without_server: Sequence[str] = (),
        logger_name: str = "",
    ) -> None:
        self._package_name = package_name
        self._package_version = package_version
        self._env_prefix = env_prefix
        self._logger = setup_logging(logger_name or package_name, f"{env_prefix}LOG")
        self._schemes: dict[str, SecurityScheme] = {s.name: s for s in security_schemes}
        self._credentials, self._secrets = self._load_credentials(credentials)
        self._servers = tuple(servers)
        self._server_variables = self._validate_server_variables(server_variables or {})
        self._server_variables.update(self._server_variables_from_env(self._server_variables))
        if base_url is None:
            base_url = os.environ.get(f"{env_prefix}BASE_URL") or None
        self._base_url = _parse_base_url(base_url) if base_url is not None else None
        if isinstance(timeout, NotGiven):
            self._timeout = DEFAULT_TIMEOUT
            if http_client_timeout is not None and http_client_timeout != _HTTPX_DEFAULT_TIMEOUT:
                self._timeout = http_client_timeout
        else:
            self._timeout = _to_timeout(timeout)
        self._max_retries = _check_max_retries(max_retries)
        self._default_headers = self._validate_default_headers(default_headers or {})
        self._user_agent = (
            f"{package_name}/{package_version} (python "
            f"{sys.version_info.major}.{sys.version_info.minor}; httpx {httpx.__version__})"
        )
        self._sensitive_headers = frozenset(
            s.parameter_name for s in self._schemes.values() if s.location == "header"
        )
        self._sensitive_query = frozenset(
            s.parameter_name for s in self._schemes.values() if s.location == "query"
        )
        self._credential_headers = _CREDENTIAL_HEADERS | {
            name.lower() for name in self._sensitive_headers
        }
        self._credential_cookies = frozenset(
            s.parameter_name for s in self._schemes.values() if s.location == "cookie"
        )
        self._check_servers(tuple(operations_without_server))

    # ---------------------------------------------------------------- configuration

    def _load_credentials(
        self, credentials: Mapping[str, str | None]
    ) -> tuple[dict[str, _Secret], tuple[_Secret, ...]]:
        unknown = sorted(set(credentials) - set(self._schemes))
        if unknown:
            raise InvalidCredentialError(f"unknown security schemes: {', '.join(unknown)}")
        loaded: dict[str, _Secret] = {}
        secrets: list[_Secret] = []
        for scheme in self._schemes.values():
            value = credentials.get(scheme.name)
            source = f"{scheme.keyword}="
            if value is None:
                value = os.environ.get(scheme.env_var)
                source = f"environment variable {scheme.env_var}"
            if value is None or value == "":
                continue
            self._check_credential(scheme, value, source)
            loaded[scheme.name] = _Secret(value)
            secrets.append(_Secret(value))
            if scheme.type == "http" and (scheme.http_scheme or "").lower() == "basic":
                secrets.append(_Secret(base64.b64encode(value.encode()).decode()))
                secrets.append(_Secret(value.split(":", 1)[1]))
        return loaded, tuple(secrets)

    @staticmethod
    def _check_credential(scheme: SecurityScheme, value: object, source: str) -> None:
        def refuse(reason: str) -> InvalidCredentialError:
            return InvalidCredentialError(
                f"The credential for {scheme.keyword} (from {source}) was refused: {reason}."
            )

        if not isinstance(value, str):
            raise refuse("it must be a string")
        if _CONTROL_RE.search(value):
            raise refuse("it contains control characters such as CR or LF")
        if value != value.strip():
            raise refuse("it has leading or trailing whitespace")
        is_basic = scheme.type == "http" and (scheme.http_scheme or "").lower() == "basic"
        if is_basic and ":" not in value:
            raise refuse("HTTP basic credentials must be given as 'user:password'")
        if scheme.location in ("header", "cookie") and not is_basic and not value.isascii():
            raise refuse("it contains non-ASCII characters, which HTTP headers cannot carry")
        if scheme.location == "cookie" and _COOKIE_FORBIDDEN & set(value):
            raise refuse("it contains characters not allowed in a cookie value")

    def _validate_server_variables(self, variables: Mapping[str, str]) -> dict[str, str]:
        known = sorted({v.name for s in self._servers for v in s.variables})
        for name, value in variables.items():
            declared = [(s, v) for s in self._servers if (v := s.variable(name)) is not None]
            if not declared:
                raise ServerVariableError(
                    f"Unknown server variable {name!r}; known variables: "
                    f"{', '.join(known) if known else '(none)'}"
                )
            if not isinstance(value, str):
                raise ServerVariableError(f"Server variable {name!r} must be a string")
            if all(v.enum for _, v in declared) and not any(value in v.enum for _, v in declared):
                allowed = sorted({e for _, v in declared for e in v.enum})
                raise ServerVariableError(
                    f"Invalid value for server variable {name!r}; allowed values: "
                    f"{', '.join(repr(a) for a in allowed)}"
                )
            _check_server_value(declared[0][0], name, value)
        return dict(variables)

    def _server_variables_from_env(self, given: Mapping[str, str]) -> dict[str, str]:
        """Values of variables with an environment variable that ``given`` lacks."""
        found: dict[str, str] = {}
        for server in self._servers:
            for var in server.variables:
                if not var.env_var or var.name in given or var.name in found:
                    continue
                value = os.environ.get(var.env_var)
                if not value:
                    continue
                try:
                    self._validate_server_variables({var.name: value})
                except ServerVariableError as exc:
                    raise ServerVariableError(
                        f"{exc} (from the environment variable {var.env_var})"
                    ) from None
                found[var.name] = value
        return found

    def _missing_variable(self, server: Server) -> ServerVariable | None:
        """The first variable of ``server`` with only a placeholder default and no value."""
        for var in server.variables:
            if var.placeholder and var.name not in self._server_variables:
                return var
        return None

    def _missing_variable_error(
        self, server: Server, var: ServerVariable, context: str, operation_id: str = ""
    ) -> MissingServerVariableError:
        where = f" or set the environment variable {var.env_var}" if var.env_var else ""
        return MissingServerVariableError(
            f"{context}Server variable {var.name!r} of {server.url} has no value: its default "
            f"{var.default!r} is a placeholder in the spec, not a value to use. Pass "
            f"server_variables={{{var.name!r}: ...}} to {type(self).__name__}(){where}.",
            variable=var.name,
            env_var=var.env_var,
            operation_id=operation_id,
        )

    def _missing_server_error(self, operation_ids: Sequence[str]) -> MissingServerError:
        how = (
            f"Pass base_url=... to {type(self).__name__}() (or set the environment variable "
            f"{self._env_prefix}BASE_URL)"
        )
        first = operation_ids[0]
        if len(operation_ids) == 1:
            message = f"No server is declared in the spec for operation {first!r}. {how}."
        else:
            others = len(operation_ids) - 1
            message = (
                f"No server is declared in the spec for any operation (operation {first!r} "
                f"and {others} other{'s' if others > 1 else ''}). {how}."
            )
        return MissingServerError(message, operation_id=first)

    def _check_servers(self, operations_without_server: Sequence[str]) -> None:
        """Refuse at construction a client that could only dial nowhere or a placeholder."""
        if self._base_url is not None:
            return
        if operations_without_server and not self._servers:
            raise self._missing_server_error(operations_without_server)
        for name in self._credentials:
            scheme = self._schemes[name]
            missing = [(s, v) for s in scheme.servers if (v := self._missing_variable(s))]
            if missing and len(missing) == len(scheme.servers):
                server, var = missing[0]
                urls = ", ".join(s.url for s in scheme.servers)
                raise self._missing_variable_error(
                    server, var, f"{scheme.keyword} is given, but only sent to {urls}. "
                )

    @staticmethod
    def _validate_default_headers(headers: Mapping[str, str]) -> httpx.Headers:
        for key, value in headers.items():
            if _CONTROL_RE.search(str(key)) or _CONTROL_RE.search(str(value)):
                raise RequestValidationError(
                    f"default header {key!r}: must not contain control characters"
                )
        return httpx.Headers(dict(headers))

    def _resolve_server(self, server: Server, operation_id: str = "") -> str:
        url = server.url
        for var in server.variables:
            value = self._server_variables.get(var.name)
            if value is None:
                if var.placeholder:
                    context = f"Operation {operation_id!r} was not sent. " if operation_id else ""
                    raise self._missing_variable_error(server, var, context, operation_id)
                value = var.default
            if var.enum and value not in var.enum:
                raise ServerVariableError(
                    f"Invalid value for server variable {var.name!r} of {server.url!r}; "
                    f"allowed values: {', '.join(repr(e) for e in var.enum)}"
                )
            _check_server_value(server, var.name, value)
            url = url.replace("{" + var.name + "}", value)
        if not url.startswith(("http://", "https://")):
            raise ServerVariableError(
                f"Server URL {url!r} is not absolute; pass base_url=... to the client"
            )
        return url

    # ---------------------------------------------------------------- properties

    @property
    def timeout(self) -> httpx.Timeout:
        """Timeout applied to every request of this client."""
        return self._timeout

    @property
    def max_retries(self) -> int:
        """How many times a failed request may be retried."""
        return self._max_retries

    @property
    def base_url(self) -> httpx.URL | None:
        """The ``base_url`` override, else the default server's URL (``None`` if unknown)."""
        if self._base_url is not None:
            return self._base_url
        if self._servers:
            try:
                return httpx.URL(self._resolve_server(self._servers[0]))
            except ServerVariableError:
                return None
        return None

    def __repr__(self) -> str:
        creds = {self._schemes[name].keyword: REDACTED for name in self._credentials}
        return (
            f"<{type(self).__name__} base_url={str(self.base_url) if self.base_url else None!r} "
            f"credentials={creds!r} max_retries={self._max_retries}>"
        )

    def with_options(
        self,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        default_headers: Mapping[str, str] | NotGiven | None = NOT_GIVEN,
        server_variables: Mapping[str, str] | NotGiven = NOT_GIVEN,
        base_url: str | httpx.URL | NotGiven | None = NOT_GIVEN,
    ) -> Self:
        """A shallow copy with some options changed, sharing the ``httpx`` client.

        ``default_headers`` and ``server_variables`` are merged into the current ones;
        ``base_url=None`` returns to the operations' servers. The original is unchanged
        and the copy never closes the shared ``httpx`` client.
        """
        new = copy.copy(self)
        new._owns_client = False
        for name in _cached_properties(type(self)):  # resources bound to the original
            new.__dict__.pop(name, None)
        if not isinstance(timeout, NotGiven):
            new._timeout = _to_timeout(timeout)
        if not isinstance(max_retries, NotGiven):
            new._max_retries = _check_max_retries(max_retries)
        if not isinstance(default_headers, NotGiven):
            merged = httpx.Headers(self._default_headers)
            merged.update(self._validate_default_headers(default_headers or {}))
            new._default_headers = merged
        if not isinstance(server_variables, NotGiven):
            new._server_variables = {
                **self._server_variables,
                **self._validate_server_variables(server_variables),
            }
        if not isinstance(base_url, NotGiven):
            new._base_url = _parse_base_url(base_url) if base_url is not None else None
        return new

    # ---------------------------------------------------------------- request building

    def _select_schemes(self, operation: Operation) -> list[SecurityScheme]:
        if not operation.security:
            return []
        ordered = sorted(operation.security, key=lambda alt: len(alt) == 0)
        for alternative in ordered:
            if all(name in self._credentials for name in alternative):
                return [self._schemes[name] for name in alternative]
        parts = []
        for alternative in operation.security:
            if not alternative:
                continue
            descs = []
            for name in alternative:
                scheme = self._schemes.get(name)
                if scheme is None:
                    descs.append(f"<unknown security scheme {name!r}>")
                else:
                    descs.append(f"{scheme.keyword}=... (or environment variable {scheme.env_var})")
            parts.append(" and ".join(descs))
        raise MissingCredentialError(
            f"Operation {operation.operation_id!r} requires credentials that are not "
            f"configured. Pass {'; or '.join(parts)} to {type(self).__name__}().",
            operation_id=operation.operation_id,
            alternatives=[
                tuple(self._schemes[n].keyword if n in self._schemes else n for n in alt)
                for alt in operation.security
                if alt
            ],
        )

    def _build_url(self, operation: Operation, path_params: Mapping[str, object]) -> str:
        path = render_path(operation.path, path_params)
        if self._base_url is not None:
            root = str(self._base_url)
        elif operation.servers:
            root = self._resolve_server(operation.servers[0], operation.operation_id)
        else:  # never another operation's server: it may belong to another vendor
            raise self._missing_server_error((operation.operation_id,))
        return root.rstrip("/") + path

    def _build_request(
        self,
        operation: Operation,
        *,
        path_params: Mapping[str, object] | None,
        query: Mapping[str, object] | None,
        headers: Mapping[str, object] | None,
        cookies: Mapping[str, object] | None,
        body: object,
        files: Mapping[str, object] | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> httpx.Request:
        # the server first: an operation that cannot be sent anywhere says so, credentials or not
        url = self._build_url(operation, path_params or {})
        schemes = self._select_schemes(operation)
        params = encode_query(query or {}, operation.query_styles)
        if extra_query:
            params += self._extra_query(extra_query, query or {})
        if extra_body:
            body = self._extra_body(body, extra_body, operation)
        encoded = encode_body(
            operation.body_encoding,
            operation.body_media_type,
            body,
            files,
            operation.deep_object,
        )

        merged = httpx.Headers({"User-Agent": self._user_agent, "Accept": "application/json"})
        if encoded.content_type is not None:
            merged["Content-Type"] = encoded.content_type
        merged.update(self._default_headers)
        merged.update(_encode_header_params(headers or {}, operation.header_styles))
        if extra_headers:
            merged.update(self._extra_headers(extra_headers, headers or {}))
        cookie_pairs = _encode_cookie_params(cookies or {})
        for scheme in schemes:
            self._authenticate(scheme, merged, params, cookie_pairs)
        if cookie_pairs:
            merged["Cookie"] = "; ".join(cookie_pairs)
        return self._client.build_request(
            operation.method,
            url,
            params=tuple(params) if params else None,
            headers=merged,
            content=encoded.content,
            files=list(encoded.parts) or None,
            timeout=self._timeout if isinstance(timeout, NotGiven) else _to_timeout(timeout),
        )

    def _authenticate(
        self,
        scheme: SecurityScheme,
        headers: httpx.Headers,
        params: list[tuple[str, str]],
        cookie_pairs: list[str],
    ) -> None:
        """Put ``scheme``'s credential where the scheme says: a header, the query or a cookie."""
        secret = self._credentials[scheme.name].value
        if scheme.type == "http":
            http_scheme = scheme.http_scheme or "bearer"
            if http_scheme.lower() == "basic":
                value = "Basic " + base64.b64encode(secret.encode()).decode()
            elif http_scheme.lower() == "bearer":
                value = f"Bearer {secret}"
            else:
                value = f"{http_scheme} {secret}"
            headers[scheme.parameter_name or "Authorization"] = value
        elif scheme.location == "header":
            headers[scheme.parameter_name] = secret
        elif scheme.location == "query":
            params.append((scheme.parameter_name, secret))
        else:
            cookie_pairs.append(f"{scheme.parameter_name}={secret}")

    def _extra_headers(self, extra: Headers, own: Mapping[str, object]) -> dict[str, str]:
        """``extra_headers`` checked: no credential header, none of the operation's own."""
        own_names = {name.lower() for name in own}
        for name, value in extra.items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise RequestValidationError("extra_headers: names and values must be strings")
            lowered = name.lower()
            if lowered in self._credential_headers:
                raise RequestValidationError(
                    f"extra_headers: {name!r} carries credentials and cannot be set per call; "
                    f"create the client with the credential instead"
                )
            if lowered in own_names:
                raise RequestValidationError(
                    f"extra_headers: {name!r} is a parameter of this operation; "
                    f"pass it as the method's argument"
                )
        return _encode_header_params(extra)

    def _extra_query(self, extra: Query, own: Mapping[str, object]) -> list[tuple[str, str]]:
        """``extra_query`` checked: no credential parameter, none of the operation's own."""
        for name in extra:
            if name in self._sensitive_query:
                raise RequestValidationError(
                    f"extra_query: {name!r} carries credentials and cannot be set per call; "
                    f"create the client with the credential instead"
                )
            if name in own:
                raise RequestValidationError(
                    f"extra_query: {name!r} is a parameter of this operation; "
                    f"pass it as the method's argument"
                )
        return encode_query(extra)

    @staticmethod
    def _extra_body(body: object, extra: Body, operation: Operation) -> object:
        """The body with ``extra_body``'s properties added (none may replace one); only an
        object body (JSON, form or multipart) can take them."""
        if operation.body_encoding in ("binary", "text"):
            raise RequestValidationError(
                "extra_body: this operation's body is bytes or text, not an object, so "
                "nothing can be added"
            )
        data = {} if isinstance(body, NotGiven) else to_json_body(body)
        if not isinstance(data, dict):
            raise RequestValidationError(
                "extra_body: the request body is not a JSON object, so nothing can be added"
            )
        taken = sorted(set(data) & set(extra))
        if taken:
            raise RequestValidationError(
                f"extra_body: {', '.join(repr(k) for k in taken)} already set by the "
                f"method's arguments; pass it there"
            )
        return {**data, **extra}

    # ---------------------------------------------------------------- retry policy

    def _retry_delay_for_exception(
        self, operation: Operation, exc: httpx.RequestError, retries_taken: int
    ) -> float | None:
        if retries_taken >= self._max_retries or not isinstance(exc, httpx.TransportError):
            return None
        not_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
        if not (operation.is_idempotent or not_sent):
            return None
        return self._backoff(retries_taken)

    def _retry_delay_for_response(
        self, operation: Operation, response: httpx.Response, retries_taken: int
    ) -> float | None:
        if retries_taken >= self._max_retries:
            return None
        should_retry = response.headers.get("x-should-retry", "").strip().lower()
        retry_after = parse_retry_after(response.headers)
        status = response.status_code
        if should_retry == "false":
            return None
        if should_retry != "true":
            if operation.is_idempotent:
                retryable = status in (408, 429) or status >= 500
            else:
                retryable = status == 429 or (status == 503 and retry_after is not None)
            if not retryable:
                return None
        if retry_after is not None:
            return retry_after if retry_after <= self.MAX_RETRY_AFTER else None
        return self._backoff(retries_taken)

    def _backoff(self, retries_taken: int) -> float:
        return backoff_delay(
            retries_taken,
            initial=self.INITIAL_RETRY_DELAY,
            maximum=self.MAX_RETRY_DELAY,
            jitter=self.RETRY_JITTER,
        )

    # ---------------------------------------------------------------- results & errors

    def _scrub(self, text: str) -> str:
        return scrub(text, (secret.value for secret in self._secrets))

    def _connection_error(self, exc: httpx.RequestError, request: httpx.Request) -> Exception:
        detail = self._scrub(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(message=f"Request timed out ({detail}).", request=request)
        return APIConnectionError(message=f"Connection error ({detail}).", request=request)

    def _make_status_error(self, operation: Operation, response: httpx.Response) -> APIStatusError:
        body = self._parse_error_body(operation, response)
        model_key = operation.error_model_key(response.status_code)
        if model_key is not None and isinstance(body, pydantic.BaseModel):
            error_class = model_status_error_class(response.status_code, model_key)
        else:
            error_class = status_error_class(response.status_code)
        shown: object = body
        if isinstance(body, pydantic.BaseModel):
            shown = body.model_dump(mode="json", by_alias=True)
        if shown is None or shown == "":
            shown = response.reason_phrase or "(empty body)"
        text = str(shown)
        if len(text) > _ERROR_MESSAGE_LIMIT:
            text = text[:_ERROR_MESSAGE_LIMIT] + "..."
        message = self._scrub(f"Error code: {response.status_code} - {text}")
        request_id = request_id_of(response.headers, operation.request_id_headers)
        return error_class(message, response=response, body=body, request_id=request_id)

    @staticmethod
    def _parse_error_body(operation: Operation, response: httpx.Response) -> object | None:
        text = response.text
        if not text.strip():
            return None
        try:
            data = json.loads(text)
        except ValueError:
            return text
        model = operation.error_model_for(response.status_code)
        if model is not None:
            try:
                return model.model_validate(data)
            except pydantic.ValidationError:
                return data
        return data

    @staticmethod
    def _result(
        operation: Operation,
        response: httpx.Response,
        cast_to: Any,
        retries_taken: int,
        *,
        raw: bool,
        sync: bool,
    ) -> Any:
        if raw:
            cls = APIResponse if sync else AsyncAPIResponse
            return cls(
                raw=response,
                cast_to=cast_to,
                retries_taken=retries_taken,
                request_id_headers=operation.request_id_headers,
            )
        return parse_response(response, cast_to)

    # ---------------------------------------------------------------- logging

    def _log_request(self, request: httpx.Request, retries_taken: int) -> None:
        if self._logger.isEnabledFor(10):
            line = (
                f"Request: {request.method} {redact_url(request.url, self._sensitive_query)} "
                f"headers={redact_headers(request.headers.items(), self._sensitive_headers)} "
                f"retries_taken={retries_taken}"
            )
            self._logger.debug("%s", self._scrub(line))

    def _log_response(self, request: httpx.Request, response: httpx.Response) -> None:
        if self._logger.isEnabledFor(20):
            line = (
                f"HTTP Request: {request.method} {redact_url(request.url, self._sensitive_query)} "
                f'"{response.status_code} {response.reason_phrase}"'
            )
            self._logger.info("%s", self._scrub(line))
        if self._logger.isEnabledFor(10):
            line = f"Response headers: {redact_headers(response.headers.items(), ())}"
            self._logger.debug("%s", self._scrub(line))

    def _log_retry(
        self, request: httpx.Request, delay: float, retries_taken: int, why: str
    ) -> None:
        if self._logger.isEnabledFor(20):
            line = (
                f"Retrying {request.method} {redact_url(request.url, self._sensitive_query)} "
                f"in {delay:.2f} seconds (retry {retries_taken + 1} of {self._max_retries}; {why})"
            )
            self._logger.info("%s", self._scrub(line))


# --------------------------------------------------------------------------- sync


class SyncAPIClient(_BaseClient[httpx.Client]):
    """Base class of generated synchronous clients."""

    def __init__(
        self,
        *,
        package_name: str,
        package_version: str,
        env_prefix: str,
        security_schemes: Sequence[SecurityScheme],
        credentials: Mapping[str, str | None],
        servers: Sequence[Server],
        server_variables: Mapping[str, str] | None = None,
        base_url: str | httpx.URL | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        operations_without_server: Sequence[str] = (),
        logger_name: str = "",
    ) -> None:
        super().__init__(
            package_name=package_name,
            package_version=package_version,
            env_prefix=env_prefix,
            security_schemes=security_schemes,
            credentials=credentials,
            servers=servers,
            server_variables=server_variables,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            http_client_timeout=http_client.timeout if http_client is not None else None,
            operations_without_server=operations_without_server,
            logger_name=logger_name,
        )
        if http_client is not None:
            self._client = http_client
            self._owns_client = False
        else:
            self._client = httpx.Client(
                timeout=self._timeout, limits=DEFAULT_CONNECTION_LIMITS, follow_redirects=False
            )
            self._owns_client = True

    def _sleep(self, seconds: float) -> None:
        """Wait between retries (tests replace this to avoid real sleeping)."""
        time.sleep(seconds)

    def request(
        self,
        operation: Operation,
        *,
        cast_to: type[T],
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        cookies: Mapping[str, object] | None = None,
        body: object = NOT_GIVEN,
        files: Mapping[str, object] | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> T:
        """Send ``operation`` (with retries) and parse the 2xx response into ``cast_to``.

        Inside ``to_raw_response_wrapper`` an :class:`APIResponse` is returned instead
        (inside ``to_streamed_response_wrapper`` one whose body is not read yet).
        """
        mode = response_mode()
        stream = mode == STREAM
        request = self._build_request(
            operation,
            path_params=path_params,
            query=query,
            headers=headers,
            cookies=cookies,
            body=body,
            files=files,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        retries_taken = 0
        while True:
            self._log_request(request, retries_taken)
            try:
                response = self._client.send(request, stream=stream, follow_redirects=False)
                if stream and not response.is_success:
                    try:
                        response.read()
                    finally:
                        response.close()
            except httpx.RequestError as exc:
                delay = self._retry_delay_for_exception(operation, exc, retries_taken)
                if delay is None:
                    raise self._connection_error(exc, request) from exc
                self._log_retry(request, delay, retries_taken, type(exc).__name__)
                self._sleep(delay)
                retries_taken += 1
                continue
            self._log_response(request, response)
            if response.is_success:
                result = self._result(
                    operation, response, cast_to, retries_taken, raw=mode != PARSED, sync=True
                )
                return cast(T, result)
            delay = self._retry_delay_for_response(operation, response, retries_taken)
            if delay is None:
                raise self._make_status_error(operation, response)
            response.close()
            self._log_retry(request, delay, retries_taken, f"status {response.status_code}")
            self._sleep(delay)
            retries_taken += 1

    @property
    def is_closed(self) -> bool:
        return self._client.is_closed

    def close(self) -> None:
        """Close the underlying ``httpx.Client`` if this client created it."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        self.close()


# --------------------------------------------------------------------------- async


class _ConcurrencyLimiter:
    """Bounds in-flight requests of one async client (shared by ``with_options`` copies).

    httpcore's pool rescans every queued request on each state change, so thousands of
    requests queued inside it starve the event loop (connects then time out). Waiting
    on a semaphore sized like the pool keeps that queue short. One semaphore per event
    loop, because asyncio primitives are bound to the loop that first uses them.
    """

    def __init__(self, limit: int | None) -> None:
        self._limit = limit
        self._semaphores: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Semaphore
        ] = weakref.WeakKeyDictionary()

    def get(self) -> asyncio.Semaphore | None:
        if self._limit is None:
            return None
        loop = asyncio.get_running_loop()
        semaphore = self._semaphores.get(loop)
        if semaphore is None:
            semaphore = self._semaphores[loop] = asyncio.Semaphore(self._limit)
        return semaphore


class AsyncAPIClient(_BaseClient[httpx.AsyncClient]):
    """Base class of generated asynchronous clients."""

    def __init__(
        self,
        *,
        package_name: str,
        package_version: str,
        env_prefix: str,
        security_schemes: Sequence[SecurityScheme],
        credentials: Mapping[str, str | None],
        servers: Sequence[Server],
        server_variables: Mapping[str, str] | None = None,
        base_url: str | httpx.URL | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        operations_without_server: Sequence[str] = (),
        logger_name: str = "",
    ) -> None:
        super().__init__(
            package_name=package_name,
            package_version=package_version,
            env_prefix=env_prefix,
            security_schemes=security_schemes,
            credentials=credentials,
            servers=servers,
            server_variables=server_variables,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            http_client_timeout=http_client.timeout if http_client is not None else None,
            operations_without_server=operations_without_server,
            logger_name=logger_name,
        )
        if http_client is not None:
            self._client = http_client
            self._owns_client = False
        else:
            self._client = httpx.AsyncClient(
                timeout=self._timeout, limits=DEFAULT_CONNECTION_LIMITS, follow_redirects=False
            )
            self._owns_client = True
        self._limiter = _ConcurrencyLimiter(
            None if http_client is not None else DEFAULT_CONNECTION_LIMITS.max_connections
        )

    async def _sleep(self, seconds: float) -> None:
        """Wait between retries (tests replace this to avoid real sleeping)."""
        await asyncio.sleep(seconds)

    async def request(
        self,
        operation: Operation,
        *,
        cast_to: type[T],
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        cookies: Mapping[str, object] | None = None,
        body: object = NOT_GIVEN,
        files: Mapping[str, object] | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    ) -> T:
        """Async counterpart of :meth:`SyncAPIClient.request`."""
        mode = response_mode()
        stream = mode == STREAM
        request = self._build_request(
            operation,
            path_params=path_params,
            query=query,
            headers=headers,
            cookies=cookies,
            body=body,
            files=files,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        retries_taken = 0
        while True:
            self._log_request(request, retries_taken)
            try:
                semaphore = self._limiter.get()
                if semaphore is None:
                    response = await self._client.send(
                        request, stream=stream, follow_redirects=False
                    )
                else:
                    async with semaphore:
                        response = await self._client.send(
                            request, stream=stream, follow_redirects=False
                        )
                if stream and not response.is_success:
                    try:
                        await response.aread()
                    finally:
                        await response.aclose()
            except httpx.RequestError as exc:
                delay = self._retry_delay_for_exception(operation, exc, retries_taken)
                if delay is None:
                    raise self._connection_error(exc, request) from exc
                self._log_retry(request, delay, retries_taken, type(exc).__name__)
                await self._sleep(delay)
                retries_taken += 1
                continue
            self._log_response(request, response)
            if response.is_success:
                result = self._result(
                    operation, response, cast_to, retries_taken, raw=mode != PARSED, sync=False
                )
                return cast(T, result)
            delay = self._retry_delay_for_response(operation, response, retries_taken)
            if delay is None:
                raise self._make_status_error(operation, response)
            await response.aclose()
            self._log_retry(request, delay, retries_taken, f"status {response.status_code}")
            await self._sleep(delay)
            retries_taken += 1

    @property
    def is_closed(self) -> bool:
        return self._client.is_closed

    async def close(self) -> None:
        """Close the underlying ``httpx.AsyncClient`` if this client created it."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        await self.close()
