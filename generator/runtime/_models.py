"""Base model for generated schemas plus request-side validation/serialisation helpers."""

from __future__ import annotations

import functools
import json
import weakref
from collections.abc import Mapping
from typing import Any, ClassVar, Literal, TypeVar, cast

import pydantic
from pydantic import ConfigDict

from ._exceptions import RequestValidationError
from ._types import NotGiven

__all__ = [
    "BaseModel",
    "build_request_model",
    "encode_json",
    "format_validation_error",
    "mark_non_nullable",
    "reject_nulls",
    "to_json_body",
    "type_adapter",
    "validate_value",
]

M = TypeVar("M", bound=pydantic.BaseModel)


class BaseModel(pydantic.BaseModel):
    """Base class of every generated model.

    Unknown fields are kept (``extra="allow"``) so newer servers do not break older
    clients; fields may be populated by Python name or by wire name (alias).
    Validation errors name fields by their Python name (``loc_by_alias=False``).
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(
        extra="allow",
        populate_by_name=True,
        protected_namespaces=(),
        loc_by_alias=False,
        defer_build=True,
    )

    def to_dict(
        self,
        *,
        mode: Literal["json", "python"] = "python",
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_none: bool = False,
    ) -> dict[str, Any]:
        """The model as a dictionary, keyed by the API's (wire) field names by default.

        Only the fields that were set (given, or received from the server) are
        included, so the dictionary round-trips; ``mode="json"`` gives JSON-compatible
        values (dates as strings, ...). ``model_dump()`` is pydantic's own, keyed by the
        Python field names.
        """
        return self.model_dump(
            mode=mode,
            by_alias=use_api_names,
            exclude_unset=exclude_unset,
            exclude_none=exclude_none,
        )

    def to_json(
        self,
        *,
        indent: int | None = 2,
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_none: bool = False,
    ) -> str:
        """The model as JSON text, keyed by the API's (wire) field names by default."""
        return self.model_dump_json(
            indent=indent,
            by_alias=use_api_names,
            exclude_unset=exclude_unset,
            exclude_none=exclude_none,
        )


#: per model class: optional fields the spec does not allow to be ``null``
_NON_NULLABLE: weakref.WeakKeyDictionary[type, frozenset[str]] = weakref.WeakKeyDictionary()


def mark_non_nullable(model: type[pydantic.BaseModel], *fields: str) -> None:
    """Record optional ``fields`` of ``model`` whose schema does not allow ``null``.

    Generated model modules call this after the class (kept out of the class body, so
    the public class shows only its fields). Responses stay lenient (a server sending
    ``null`` does not break the client); requests are refused by :func:`reject_nulls`.
    """
    _NON_NULLABLE[model] = _NON_NULLABLE.get(model, frozenset()) | frozenset(fields)


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def format_validation_error(
    exc: pydantic.ValidationError, *, prefix: tuple[int | str, ...] = ()
) -> list[tuple[str, str]]:
    """``(field path, message)`` pairs for a pydantic error, without the input values."""
    return [
        (_format_loc(prefix + tuple(err["loc"])) or "(value)", err["msg"])
        for err in exc.errors(include_url=False, include_input=False)
    ]


def _raise_request_error(title: str, errors: list[tuple[str, str]]) -> RequestValidationError:
    details = "; ".join(f"{loc}: {msg}" for loc, msg in errors)
    return RequestValidationError(f"{title}: {details}", errors)


def _drop_not_given(value: object) -> object:
    if isinstance(value, Mapping):
        return {k: _drop_not_given(v) for k, v in value.items() if not isinstance(v, NotGiven)}
    if isinstance(value, list | tuple):
        return [_drop_not_given(v) for v in value if not isinstance(v, NotGiven)]
    return value


def _null_fields(value: object, path: str, found: list[tuple[str, str]]) -> None:
    if isinstance(value, pydantic.BaseModel):
        forbidden: set[str] = set()
        for cls in type(value).__mro__:
            forbidden.update(_NON_NULLABLE.get(cls, ()))
        for name in sorted(value.model_fields_set):
            child = getattr(value, name, None)
            where = f"{path}.{name}" if path else name
            if child is None and name in forbidden:
                found.append((where, "must not be null; leave it out instead"))
            else:
                _null_fields(child, where, found)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _null_fields(item, f"{path}[{index}]", found)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _null_fields(item, f"{path}.{key}" if path else str(key), found)


def reject_nulls(value: object, *, title: str) -> None:
    """Refuse explicit ``None`` for fields whose schema is not nullable (recursively).

    Pydantic types such a field ``X | None`` because it may be absent; sending
    ``null`` for it would violate the spec, so a request must leave it out.
    """
    found: list[tuple[str, str]] = []
    _null_fields(value, "", found)
    if found:
        raise _raise_request_error(title, found)


def build_request_model(model: type[M], values: Mapping[str, object]) -> M:
    """Validate ``values`` (keyed by wire name) into ``model``.

    ``NOT_GIVEN`` entries are dropped (recursively in plain dicts/lists) so they stay
    unset and are omitted by :func:`to_json_body`. Nested values may be dicts or model
    instances. Raises :class:`RequestValidationError` naming each bad field.
    """
    cleaned = _drop_not_given(values)
    title = f"Invalid arguments for {model.__name__}"
    try:
        result = model.model_validate(cleaned)
    except pydantic.ValidationError as exc:
        errors = format_validation_error(exc)
        raise _raise_request_error(title, errors) from None
    reject_nulls(result, title=title)
    return result


_ANY_ADAPTER: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(Any)


def to_json_body(value: object) -> object:
    """Convert a request body to JSON-compatible data.

    Models are dumped with ``mode="json", by_alias=True, exclude_unset=True``: only the
    fields the caller set are sent, under their wire names. Plain dicts/lists are
    converted recursively (dropping ``NOT_GIVEN``); other values (dates, enums, UUIDs...)
    use pydantic's JSON conversion.
    """
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Mapping):
        return {str(k): to_json_body(v) for k, v in value.items() if not isinstance(v, NotGiven)}
    if isinstance(value, list | tuple):
        return [to_json_body(v) for v in value if not isinstance(v, NotGiven)]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    try:
        return _ANY_ADAPTER.dump_python(value, mode="json", by_alias=True, exclude_unset=True)
    except ValueError as exc:
        raise RequestValidationError(
            f"body: value of type {type(value).__name__} is not JSON serialisable"
        ) from exc


def encode_json(value: object) -> bytes:
    """Serialise a request body to compact UTF-8 JSON (``NaN``/``Infinity`` rejected)."""
    try:
        text = json.dumps(
            to_json_body(value), separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except ValueError as exc:
        if isinstance(exc, RequestValidationError):
            raise
        raise RequestValidationError(f"body: cannot be encoded as JSON ({exc})") from None
    return text.encode("utf-8")


@functools.lru_cache(maxsize=512)
def _cached_adapter(type_: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(type_)


def type_adapter(type_: object) -> pydantic.TypeAdapter[Any]:
    """A (cached when hashable) ``TypeAdapter`` for ``type_``."""
    try:
        return _cached_adapter(type_)
    except TypeError:  # unhashable annotation
        return pydantic.TypeAdapter(cast(Any, type_))


def validate_value(type_: object, value: object, *, name: str) -> object:
    """Validate a plain (non-body) parameter against its annotation.

    Returns the validated value (e.g. an ``Enum`` member); raises
    :class:`RequestValidationError` whose message starts with ``name``.
    """
    title = f"Invalid value for parameter {name!r}"
    try:
        result = type_adapter(type_).validate_python(value)
    except pydantic.ValidationError as exc:
        errors = format_validation_error(exc, prefix=(name,))
        raise _raise_request_error(title, errors) from None
    reject_nulls(result, title=title)
    return result
