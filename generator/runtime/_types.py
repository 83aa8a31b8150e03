"""Shared sentinel values, defaults and type aliases for the client runtime."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal, TypeAlias, TypeVar

import httpx

__all__ = [
    "DEFAULT_CONNECTION_LIMITS",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "Body",
    "Headers",
    "NotGiven",
    "NotGivenOr",
    "Query",
    "TimeoutTypes",
]

_T = TypeVar("_T")


class NotGiven:
    """Sentinel meaning "the caller did not pass this argument".

    Distinct from ``None``, which callers may pass explicitly (e.g. to send JSON
    ``null`` or to disable a timeout). There is exactly one instance: ``NOT_GIVEN``.
    It is falsy, so ``if value:`` treats it like a missing value.
    """

    __slots__ = ()
    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:  # noqa: PYI034, RUF100 - a singleton, never a subclass instance
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __copy__(self) -> NotGiven:
        return self

    def __deepcopy__(self, memo: object) -> NotGiven:
        return self

    def __reduce__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

NotGivenOr: TypeAlias = _T | NotGiven
"""``NotGivenOr[str]`` is ``str | NotGiven``."""

TimeoutTypes: TypeAlias = float | httpx.Timeout | None
"""What callers may pass as ``timeout``: seconds, a full ``httpx.Timeout`` or ``None`` (no limit)."""

Headers: TypeAlias = Mapping[str, str]
"""``extra_headers=`` of a method: headers added to (or replacing) the request's own."""

Query: TypeAlias = Mapping[str, object]
"""``extra_query=`` of a method: query parameters added to the request's own."""

Body: TypeAlias = Mapping[str, object]
"""``extra_body=`` of a method: top-level JSON properties added to the request body."""

DEFAULT_TIMEOUT: Final = httpx.Timeout(60.0, connect=5.0)
DEFAULT_MAX_RETRIES: Final = 2
DEFAULT_CONNECTION_LIMITS: Final = httpx.Limits(max_connections=100, max_keepalive_connections=20)
