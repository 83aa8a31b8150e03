"""Exceptions raised by the client.

::

    ClientError (Exception)                 root of everything this package raises
    ├── MissingCredentialError              no credential for any acceptable security alternative
    ├── InvalidCredentialError (ValueError) a credential is malformed (e.g. contains CR/LF)
    ├── RequestValidationError (ValueError) arguments violate the spec; nothing was sent
    ├── ServerVariableError (ValueError)    unknown server variable / value not allowed / bad base_url
    │   ├── MissingServerError              the spec declares no server for the operation
    │   └── MissingServerVariableError      a server variable whose default is a placeholder
    └── APIError                            (message, request, body)
        ├── APIResponseValidationError      2xx body is not JSON or does not match the model
        ├── APIStatusError                  non-2xx response (status_code, response, body, request_id)
        │   ├── ModelStatusError[M]         ... whose body is the operation's declared error model M
        │   ├── BadRequestError             400
        │   ├── AuthenticationError         401
        │   ├── PermissionDeniedError       403
        │   ├── NotFoundError               404
        │   ├── ConflictError               409
        │   ├── UnprocessableEntityError    422
        │   ├── RateLimitError              429
        │   └── InternalServerError         >= 500
        └── APIConnectionError              the request could not be completed
            └── APITimeoutError             ... because it timed out

An error model the spec declares gets a generated ``ModelStatusError`` subclass (say
``MudbaseErrorStatusError``): a non-2xx response whose body validates as that model is raised
as an instance of both it and the status class (``BadRequestError``...), so
``except MudbaseErrorStatusError as exc`` gives ``exc.body`` typed as ``MudbaseError``.

Messages never contain credential values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar, cast

import httpx
import pydantic

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientError",
    "ConflictError",
    "InternalServerError",
    "InvalidCredentialError",
    "MissingCredentialError",
    "MissingServerError",
    "MissingServerVariableError",
    "ModelStatusError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestValidationError",
    "ServerVariableError",
    "UnprocessableEntityError",
    "model_status_error_class",
    "request_id_of",
    "status_error_class",
]

_ModelT = TypeVar("_ModelT", bound=pydantic.BaseModel)

#: response headers that carry the server's request id, looked up in this order
REQUEST_ID_HEADERS = ("x-request-id", "request-id")


def request_id_of(headers: httpx.Headers, names: Iterable[str] = ()) -> str | None:
    """The request id a response carries: the first of ``names`` (the headers the spec
    documents), then ``x-request-id``, then ``request-id``; ``None`` when there is none."""
    for name in (*names, *REQUEST_ID_HEADERS):
        value = headers.get(name)
        if value:
            return str(value)
    return None


class ClientError(Exception):
    """Root of every exception raised by this client package."""


class MissingCredentialError(ClientError):
    """No credential is configured for any security alternative the operation accepts."""

    def __init__(
        self,
        message: str,
        *,
        operation_id: str = "",
        alternatives: Sequence[Sequence[str]] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.operation_id = operation_id
        self.alternatives: tuple[tuple[str, ...], ...] = tuple(tuple(a) for a in alternatives)


class InvalidCredentialError(ClientError, ValueError):
    """A configured credential cannot be sent safely (control characters, bad format)."""


class RequestValidationError(ClientError, ValueError):
    """Arguments violate the API description; the request was not sent.

    ``errors`` holds ``(location, message)`` pairs where location is the dotted path
    of the offending field using Python attribute names.
    """

    def __init__(self, message: str, errors: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.errors: tuple[tuple[str, str], ...] = tuple(errors)


class ServerVariableError(ClientError, ValueError):
    """A server variable is unknown or has a disallowed value, or ``base_url`` is invalid."""


class MissingServerError(ServerVariableError):
    """The spec declares no server for an operation and no ``base_url`` was given.

    Raised before anything is sent: at construction when no operation has a server,
    otherwise when such an operation is called. ``operation_id`` names the operation.
    """

    def __init__(self, message: str, *, operation_id: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.operation_id = operation_id


class MissingServerVariableError(ServerVariableError):
    """A server variable whose default is only a placeholder has no value.

    Raised before anything is sent (no credential leaves the process): at construction
    when a given credential is only ever sent to that server, otherwise when an operation
    on that server is called. ``variable`` is its name, ``env_var`` the environment
    variable that may give it, ``operation_id`` the operation called (if any).
    """

    def __init__(
        self, message: str, *, variable: str, env_var: str = "", operation_id: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.variable = variable
        self.env_var = env_var
        self.operation_id = operation_id


class APIError(ClientError):
    """An error tied to an HTTP request that was (or was attempted to be) sent."""

    message: str
    request: httpx.Request

    def __init__(self, message: str, request: httpx.Request, body: object | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self._body = body

    @property
    def body(self) -> object | None:
        """The parsed body: a model, the JSON data or the text (``None`` when empty)."""
        return self._body

    def __str__(self) -> str:
        return self.message


class APIResponseValidationError(APIError):
    """A successful (2xx) response whose body is not JSON or does not match the model."""

    response: httpx.Response
    status_code: int
    text: str

    def __init__(
        self,
        message: str = "Data returned by the API is invalid for the expected schema.",
        *,
        response: httpx.Response,
        body: object | None = None,
    ) -> None:
        super().__init__(message, response.request, body)
        self.response = response
        self.status_code = response.status_code
        self.text = response.text


class APIStatusError(APIError):
    """The API answered with a non-2xx status (after any retries).

    ``body`` is the parsed error model if the operation declares one for the status,
    otherwise the parsed JSON, otherwise the text (``None`` if the body is empty).
    ``request_id`` is the server's id of the request (``x-request-id`` or the header the
    spec documents), ``None`` when it sent none: quote it to the API's support.
    """

    response: httpx.Response
    status_code: int
    request_id: str | None

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object | None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, response.request, body)
        self.response = response
        self.status_code = response.status_code
        self.request_id = request_id if request_id is not None else request_id_of(response.headers)


_MODEL_ERRORS: dict[str, type[ModelStatusError[Any]]] = {}


class ModelStatusError(APIStatusError, Generic[_ModelT]):
    """A non-2xx response whose body is the error model the operation declares for its status.

    Not raised itself: a generated subclass per error model (``class
    MudbaseErrorStatusError(ModelStatusError["MudbaseError"], model="pkg.models:MudbaseError")``)
    is, combined with the status class, so both ``except BadRequestError`` and ``except
    MudbaseErrorStatusError`` catch it. ``body`` is then always a validated model instance.
    """

    def __init_subclass__(cls, *, model: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if model:
            _MODEL_ERRORS[model] = cls

    @property
    def body(self) -> _ModelT:
        """The error body, validated as the operation's declared error model."""
        return cast(_ModelT, self._body)


class BadRequestError(APIStatusError):
    """HTTP 400."""


class AuthenticationError(APIStatusError):
    """HTTP 401."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403."""


class NotFoundError(APIStatusError):
    """HTTP 404."""


class ConflictError(APIStatusError):
    """HTTP 409."""


class UnprocessableEntityError(APIStatusError):
    """HTTP 422."""


class RateLimitError(APIStatusError):
    """HTTP 429."""


class InternalServerError(APIStatusError):
    """HTTP 5xx."""


class APIConnectionError(APIError):
    """The request could not be completed (connection refused/reset, protocol error...)."""

    def __init__(self, *, message: str = "Connection error.", request: httpx.Request) -> None:
        super().__init__(message, request, None)


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, read, write or waiting for a pooled connection)."""

    def __init__(self, *, message: str = "Request timed out.", request: httpx.Request) -> None:
        super().__init__(message=message, request=request)


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The most specific :class:`APIStatusError` subclass for ``status_code``."""
    if status_code >= 500:
        return InternalServerError
    return _STATUS_ERRORS.get(status_code, APIStatusError)


def model_status_error_class(status_code: int, model: str) -> type[APIStatusError]:
    """The class to raise for ``status_code`` with a body validated as ``model``.

    ``model`` is ``"<module>:<name>"``. Without a registered :class:`ModelStatusError`
    subclass for it, this is :func:`status_error_class`; with one, a class that is both.
    """
    status_class = status_error_class(status_code)
    model_class = _MODEL_ERRORS.get(model)
    if model_class is None:
        return status_class
    if status_class is APIStatusError:
        return model_class
    combined = _COMBINED.get((status_class, model_class))
    if combined is None:
        namespace = {"__module__": __name__, "__qualname__": status_class.__qualname__}
        combined = type(status_class.__name__, (model_class, status_class), namespace)
        _COMBINED[(status_class, model_class)] = combined
    return combined


_COMBINED: dict[tuple[type[APIStatusError], type[ModelStatusError[Any]]], type[APIStatusError]] = {}
