"""Response parsing and the ``with_raw_response`` / ``with_streaming_response`` machinery.

A wrapped resource method runs with a context variable telling
``SyncAPIClient.request`` what to return: the parsed model (normal calls), an
:class:`APIResponse` around the fully read response (``with_raw_response``), or one
around a response whose body is not read yet (``with_streaming_response``; the method
then returns a context manager that closes the response on exit). Error statuses are
read and raised as usual in every mode.
"""

from __future__ import annotations

import contextvars
import datetime
import functools
import json
import typing
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from types import TracebackType
from typing import Any, Final, Generic, Literal, ParamSpec, TypeAlias, TypeVar, cast

import httpx
import pydantic

from ._exceptions import APIResponseValidationError, request_id_of
from ._models import type_adapter

__all__ = [
    "APIResponse",
    "AsyncAPIResponse",
    "AsyncResponseContextManager",
    "ResponseContextManager",
    "async_to_raw_response_wrapper",
    "async_to_streamed_response_wrapper",
    "call_async_raw",
    "call_async_streamed",
    "call_raw",
    "call_streamed",
    "is_raw_response_requested",
    "parse_response",
    "response_mode",
    "to_raw_response_wrapper",
    "to_streamed_response_wrapper",
]

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")

ResponseMode: TypeAlias = Literal["parsed", "raw", "stream"]
"""What ``request`` returns: the parsed model, a read :class:`APIResponse`, an unread one."""

PARSED: Final = "parsed"
RAW: Final = "raw"
STREAM: Final = "stream"

_MODE: contextvars.ContextVar[ResponseMode] = contextvars.ContextVar(
    "_clientgen_response_mode", default=PARSED
)
_MISSING = object()


def response_mode() -> ResponseMode:
    """The mode the current call runs in (set by the wrappers below)."""
    return _MODE.get()


def is_raw_response_requested() -> bool:
    """True while running inside a raw- or streamed-response wrapped call."""
    return _MODE.get() != PARSED


def _is_json_content_type(response: httpx.Response) -> bool:
    ctype = str(response.headers.get("content-type", "")).split(";", 1)[0].strip().lower()
    return ctype == "application/json" or ctype.endswith("+json")


def _admits_none(cast_to: Any) -> bool:
    """Whether ``cast_to`` (a union such as ``Job | None``) has ``None`` as a member."""
    return type(None) in typing.get_args(cast_to)


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
        if cast_to is object or cast_to is Any or _admits_none(cast_to):
            return None  # e.g. a 204 of an operation whose other success has a body
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
    """Wraps an ``httpx.Response`` and parses it lazily (once) into ``T``."""

    def __init__(
        self,
        *,
        raw: httpx.Response,
        cast_to: Any,
        retries_taken: int = 0,
        request_id_headers: tuple[str, ...] = (),
    ) -> None:
        self.http_response: httpx.Response = raw
        self.retries_taken: int = retries_taken
        self._cast_to = cast_to
        self._request_id_headers = request_id_headers
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
    def request_id(self) -> str | None:
        """The server's id of this request (``x-request-id`` or the header the spec documents)."""
        return request_id_of(self.http_response.headers, self._request_id_headers)

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
    def is_closed(self) -> bool:
        return self.http_response.is_closed

    @property
    def content(self) -> bytes:
        """The body (the response must be read: always so outside ``with_streaming_response``)."""
        return self.http_response.content

    @property
    def text(self) -> str:
        """The body as text (the response must be read, as for :attr:`content`)."""
        return self.http_response.text

    @property
    def elapsed(self) -> datetime.timedelta:
        return self.http_response.elapsed

    def json(self) -> Any:
        """The body decoded as JSON (raises ``json.JSONDecodeError`` on invalid JSON)."""
        return self.http_response.json()

    def _parse_read(self) -> T:
        if self._parsed is _MISSING:
            self._parsed = parse_response(self.http_response, self._cast_to)
        return cast(T, self._parsed)


class APIResponse(_BaseAPIResponse[T]):
    """Raw response of a synchronous call (``with_raw_response`` / ``with_streaming_response``)."""

    def parse(self) -> T:
        """Parse the body into the operation's return type (reads it first; cached)."""
        self.http_response.read()
        return self._parse_read()

    def read(self) -> bytes:
        """Read the whole body (when streaming) and return it."""
        return self.http_response.read()

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The body in chunks of bytes, as it arrives."""
        yield from self.http_response.iter_bytes(chunk_size)

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        """The body in chunks of decoded text, as it arrives."""
        yield from self.http_response.iter_text(chunk_size)

    def iter_lines(self) -> Iterator[str]:
        """The body line by line (without line endings), as it arrives."""
        yield from self.http_response.iter_lines()

    def close(self) -> None:
        """Release the connection (done for you by ``with_streaming_response``'s ``with``)."""
        self.http_response.close()


class AsyncAPIResponse(_BaseAPIResponse[T]):
    """Raw response of an asynchronous call; ``parse``, ``read`` and ``close`` are awaited."""

    async def parse(self) -> T:
        """Parse the body into the operation's return type (reads it first; cached)."""
        await self.http_response.aread()
        return self._parse_read()

    async def read(self) -> bytes:
        """Read the whole body (when streaming) and return it."""
        return await self.http_response.aread()

    async def iter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """The body in chunks of bytes, as it arrives."""
        async for chunk in self.http_response.aiter_bytes(chunk_size):
            yield chunk

    async def iter_text(self, chunk_size: int | None = None) -> AsyncIterator[str]:
        """The body in chunks of decoded text, as it arrives."""
        async for chunk in self.http_response.aiter_text(chunk_size):
            yield chunk

    async def iter_lines(self) -> AsyncIterator[str]:
        """The body line by line (without line endings), as it arrives."""
        async for line in self.http_response.aiter_lines():
            yield line

    async def close(self) -> None:
        """Release the connection (done for you by ``with_streaming_response``'s ``async with``)."""
        await self.http_response.aclose()


class ResponseContextManager(Generic[R]):
    """What a ``with_streaming_response`` method returns: ``with`` sends the request and
    gives the unread :class:`APIResponse`; leaving the block closes it."""

    def __init__(self, send: Callable[[], APIResponse[R]]) -> None:
        self._send = send
        self._response: APIResponse[R] | None = None

    def __enter__(self) -> APIResponse[R]:
        self._response = self._send()
        return self._response

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        if self._response is not None:
            self._response.close()


class AsyncResponseContextManager(Generic[R]):
    """Async counterpart of :class:`ResponseContextManager` (``async with``)."""

    def __init__(self, send: Callable[[], Awaitable[AsyncAPIResponse[R]]]) -> None:
        self._send = send
        self._response: AsyncAPIResponse[R] | None = None

    async def __aenter__(self) -> AsyncAPIResponse[R]:
        self._response = await self._send()
        return self._response

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        if self._response is not None:
            await self._response.close()


def to_raw_response_wrapper(func: Callable[P, R]) -> Callable[P, APIResponse[R]]:
    """Wrap a resource method so it returns :class:`APIResponse` instead of the model."""

    @functools.wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[R]:
        token = _MODE.set(RAW)
        try:
            return cast("APIResponse[R]", func(*args, **kwargs))
        finally:
            _MODE.reset(token)

    return wrapped


def async_to_raw_response_wrapper(
    func: Callable[P, Awaitable[R]],
) -> Callable[P, Awaitable[AsyncAPIResponse[R]]]:
    """Async counterpart of :func:`to_raw_response_wrapper`."""

    @functools.wraps(func)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> AsyncAPIResponse[R]:
        token = _MODE.set(RAW)
        try:
            return cast("AsyncAPIResponse[R]", await func(*args, **kwargs))
        finally:
            _MODE.reset(token)

    return wrapped


def to_streamed_response_wrapper(
    func: Callable[P, R],
) -> Callable[P, ResponseContextManager[R]]:
    """Wrap a resource method so it returns a context manager over the unread response."""

    @functools.wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> ResponseContextManager[R]:
        def send() -> APIResponse[R]:
            token = _MODE.set(STREAM)
            try:
                return cast("APIResponse[R]", func(*args, **kwargs))
            finally:
                _MODE.reset(token)

        return ResponseContextManager(send)

    return wrapped


def async_to_streamed_response_wrapper(
    func: Callable[P, Awaitable[R]],
) -> Callable[P, AsyncResponseContextManager[R]]:
    """Async counterpart of :func:`to_streamed_response_wrapper` (``async with``)."""

    @functools.wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> AsyncResponseContextManager[R]:
        async def send() -> AsyncAPIResponse[R]:
            token = _MODE.set(STREAM)
            try:
                return cast("AsyncAPIResponse[R]", await func(*args, **kwargs))
            finally:
                _MODE.reset(token)

        return AsyncResponseContextManager(send)

    return wrapped


def call_raw(func: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> APIResponse[R]:
    """``func(*args, **kwargs)`` returning its :class:`APIResponse` (``with_raw_response``)."""
    token = _MODE.set(RAW)
    try:
        return cast("APIResponse[R]", func(*args, **kwargs))
    finally:
        _MODE.reset(token)


async def call_async_raw(
    func: Callable[P, Awaitable[R]], /, *args: P.args, **kwargs: P.kwargs
) -> AsyncAPIResponse[R]:
    """Async counterpart of :func:`call_raw`."""
    token = _MODE.set(RAW)
    try:
        return cast("AsyncAPIResponse[R]", await func(*args, **kwargs))
    finally:
        _MODE.reset(token)


def call_streamed(
    func: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs
) -> ResponseContextManager[R]:
    """A context manager that calls ``func(*args, **kwargs)`` for its unread response."""
    return to_streamed_response_wrapper(func)(*args, **kwargs)


def call_async_streamed(
    func: Callable[P, Awaitable[R]], /, *args: P.args, **kwargs: P.kwargs
) -> AsyncResponseContextManager[R]:
    """Async counterpart of :func:`call_streamed` (``async with``)."""
    return async_to_streamed_response_wrapper(func)(*args, **kwargs)
