"""Response parsing and the raw-response (``with_raw_response``) machinery."""

from __future__ import annotations

import contextvars
import datetime
import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any, Generic, ParamSpec, TypeVar, cast

import httpx
import pydantic

from ._exceptions import APIResponseValidationError
from ._models import type_adapter

__all__ = [
    "APIResponse",
    "AsyncAPIResponse",
    "async_to_raw_response_wrapper",
    "is_raw_response_requested",
    "parse_response",
    "to_raw_response_wrapper",
]

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")

_RAW_RESPONSE: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "_clientgen_raw_response", default=False
)
_MISSING = object()


def is_raw_response_requested() -> bool:
    """True while running inside a ``to_raw_response_wrapper``-wrapped call."""
    return _RAW_RESPONSE.get()


def _is_json_content_type(response: httpx.Response) -> bool:
    ctype = str(response.headers.get("content-type", "")).split(";", 1)[0].strip().lower()
    return ctype == "application/json" or ctype.endswith("+json")


def parse_response(response: httpx.Response, cast_to: Any) -> Any:
    """Parse a successful, fully read response into ``cast_to``.

    ``cast_to`` may be ``type(None)``/``None`` (body ignored), ``httpx.Response``,
    ``bytes``, ``str`` (text of non-JSON responses), ``object``/``Any`` (parsed JSON as
    is; ``None`` for an empty body), a pydantic model or any type pydantic can validate
    (``list[Model]``...). Raises :class:`APIResponseValidationError` with ``.text``.
    """
    if cast_to is None or cast_to is type(None):
        return None
    if cast_to is httpx.Response:
        return response
    if cast_to is bytes:
        return response.content
    if cast_to is str and not _is_json_content_type(response):
        return response.text
    content = response.content
    if not content.strip():
        if cast_to is object or cast_to is Any:
            return None
        raise APIResponseValidationError(
            f"Expected a JSON body (status {response.status_code}) but the response was empty.",
            response=response,
        )
    try:
        data = json.loads(content)
    except ValueError:
        raise APIResponseValidationError(
            f"Response body (status {response.status_code}) is not valid JSON.",
            response=response,
        ) from None
    if cast_to is object or cast_to is Any:
        return data
    try:
        if isinstance(cast_to, type) and issubclass(cast_to, pydantic.BaseModel):
            return cast_to.model_validate(data)
        return type_adapter(cast_to).validate_python(data)
    except pydantic.ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(body)'}: {err['msg']}"
            for err in exc.errors(include_url=False, include_input=False)
        )
        name = getattr(cast_to, "__name__", repr(cast_to))
        raise APIResponseValidationError(
            f"Response body (status {response.status_code}) does not match {name}: {details}",
            response=response,
            body=data,
        ) from None


class _BaseAPIResponse(Generic[T]):
    """Wraps a fully read ``httpx.Response`` and parses it lazily (once) into ``T``."""

    def __init__(self, *, raw: httpx.Response, cast_to: Any, retries_taken: int = 0) -> None:
        self.http_response = raw
        self.retries_taken = retries_taken
        self._cast_to = cast_to
        self._parsed: object = _MISSING

    def __repr__(self) -> str:
        return f"<{type(self).__name__} [{self.status_code} {self.http_response.reason_phrase}]>"

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def request(self) -> httpx.Request:
        return self.http_response.request

    @property
    def url(self) -> httpx.URL:
        return self.http_response.url

    @property
    def method(self) -> str:
        return self.http_response.request.method

    @property
    def content(self) -> bytes:
        return self.http_response.content

    @property
    def text(self) -> str:
        return self.http_response.text

    @property
    def elapsed(self) -> datetime.timedelta:
        return self.http_response.elapsed

    def json(self) -> Any:
        """The body decoded as JSON (raises ``json.JSONDecodeError`` on invalid JSON)."""
        return self.http_response.json()

    def parse(self) -> T:
        """Parse the body into the operation's return type (cached after the first call)."""
        if self._parsed is _MISSING:
            self._parsed = parse_response(self.http_response, self._cast_to)
        return cast(T, self._parsed)


class APIResponse(_BaseAPIResponse[T]):
    """Raw response of a synchronous call, returned by ``with_raw_response`` methods."""


class AsyncAPIResponse(_BaseAPIResponse[T]):
    """Raw response of an asynchronous call; the body is already read so ``parse`` is sync."""


def to_raw_response_wrapper(func: Callable[P, R]) -> Callable[P, APIResponse[R]]:
    """Wrap a resource method so it returns :class:`APIResponse` instead of the model."""

    @functools.wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[R]:
        token = _RAW_RESPONSE.set(True)
        try:
            return cast("APIResponse[R]", func(*args, **kwargs))
        finally:
            _RAW_RESPONSE.reset(token)

    return wrapped


def async_to_raw_response_wrapper(
    func: Callable[P, Awaitable[R]],
) -> Callable[P, Awaitable[AsyncAPIResponse[R]]]:
    """Async counterpart of :func:`to_raw_response_wrapper`."""

    @functools.wraps(func)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> AsyncAPIResponse[R]:
        token = _RAW_RESPONSE.set(True)
        try:
            return cast("AsyncAPIResponse[R]", await func(*args, **kwargs))
        finally:
            _RAW_RESPONSE.reset(token)

    return wrapped
