"""How request bodies and parameters go on the wire, beyond JSON and the default styles.

A request body is sent as its operation says (:attr:`Operation.body_encoding`):

* ``json``: compact UTF-8 JSON;
* ``form``: ``application/x-www-form-urlencoded``; scalars as ``key=value``, lists by
  repeating the key, objects by their entries; properties the spec encodes in
  ``deepObject`` style nest with brackets (``metadata[order]=6735``,
  ``items[0][price]=price_1``), as Stripe's API reads them;
* ``multipart``: ``multipart/form-data``; each scalar one part, lists one part per item,
  objects one ``application/json`` part, and every file its own part;
* ``binary``: the bytes (or a file's content) as they are;
* ``text``: the text, UTF-8.

Files are read when the request is built, so a retried request sends them again whole.
Parameters in other styles than their location's default are encoded by
:func:`encode_styled_query` and :func:`encode_styled_header`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, TypeAlias, cast
from urllib.parse import urlencode

from ._exceptions import RequestValidationError
from ._models import encode_json, to_json_body
from ._types import NotGiven

__all__ = [
    "EncodedBody",
    "FileContent",
    "FileTypes",
    "encode_body",
    "encode_styled_header",
    "encode_styled_query",
    "form_pairs",
]

FileContent: TypeAlias = IO[bytes] | bytes
"""A file's content: bytes, or a binary file object (read when the request is built)."""

FileTypes: TypeAlias = (
    FileContent | tuple[str | None, FileContent] | tuple[str | None, FileContent, str | None]
)
"""A file part: its content, or ``(file name, content)``, or ``(file name, content, content type)``."""

_Part: TypeAlias = tuple[str, tuple[str | None, bytes, str | None]]


@dataclass(frozen=True, slots=True)
class EncodedBody:
    """A request body ready for ``httpx``: ``content`` with its ``content_type``, or
    multipart ``parts`` (``httpx`` writes the boundary into the content type)."""

    content: bytes | None = None
    content_type: str | None = None
    parts: tuple[_Part, ...] = ()


def _scalar(value: object) -> str:
    """A JSON-mode scalar as form text: booleans ``true``/``false``, ``null`` empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _nested(prefix: str, value: object) -> list[tuple[str, str]]:
    """``prefix[key]=value`` pairs, recursively; list items by index (``deepObject``)."""
    if isinstance(value, Mapping):
        return [pair for k, v in value.items() for pair in _nested(f"{prefix}[{k}]", v)]
    if isinstance(value, list):
        return [pair for i, v in enumerate(value) for pair in _nested(f"{prefix}[{i}]", v)]
    return [(prefix, _scalar(value))]


def form_pairs(value: object, deep_object: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The ``(name, value)`` pairs of a form body (a model, or a mapping of wire names)."""
    data = to_json_body(value)
    if not isinstance(data, Mapping):
        raise RequestValidationError("body: a form body must be an object")
    deep = set(deep_object)
    pairs: list[tuple[str, str]] = []
    for key, item in data.items():
        if key in deep:
            pairs += _nested(str(key), item)
        elif isinstance(item, Mapping):
            pairs += [(str(k), _scalar(v)) for k, v in item.items()]
        elif isinstance(item, list):
            pairs += [
                (str(key), json.dumps(v) if isinstance(v, Mapping | list) else _scalar(v))
                for v in item
            ]
        else:
            pairs.append((str(key), _scalar(item)))
    return pairs


def _data_parts(value: object, deep_object: Iterable[str]) -> list[_Part]:
    """The non-file parts of a multipart body: text, or JSON for objects."""
    data = to_json_body(value)
    if not isinstance(data, Mapping):
        raise RequestValidationError("body: a multipart body must be an object")
    deep = set(deep_object)
    parts: list[_Part] = []
    for key, item in data.items():
        if key in deep:
            parts += [(k, (None, v.encode(), None)) for k, v in _nested(str(key), item)]
        elif isinstance(item, list) and not any(isinstance(v, Mapping | list) for v in item):
            parts += [(str(key), (None, _scalar(v).encode(), None)) for v in item]
        elif isinstance(item, Mapping | list):
            text = json.dumps(item, separators=(",", ":"), ensure_ascii=False)
            parts.append((str(key), (None, text.encode(), "application/json")))
        else:
            parts.append((str(key), (None, _scalar(item).encode(), None)))
    return parts


def _read(content: object, name: str) -> bytes:
    if isinstance(content, bytes | bytearray | memoryview):
        return bytes(content)
    read = getattr(content, "read", None)
    if callable(read):
        data = read()
        if isinstance(data, str):
            return data.encode("utf-8")
        if isinstance(data, bytes):
            return data
    raise RequestValidationError(
        f"{name}: expected bytes, a binary file, or a (file name, content[, content type]) "
        f"tuple, got {type(content).__name__}"
    )


def _file_part(name: str, file: object) -> _Part:
    if isinstance(file, tuple) and len(file) in (2, 3):
        filename, content = file[0], file[1]
        content_type = file[2] if len(file) == 3 else None
        if filename is not None and not isinstance(filename, str):
            raise RequestValidationError(f"{name}: the file name must be a string")
        if content_type is not None and not isinstance(content_type, str):
            raise RequestValidationError(f"{name}: the content type must be a string")
        return name, (filename or name, _read(content, name), content_type)
    filename = getattr(file, "name", None)
    shown = filename.rsplit("/", 1)[-1] if isinstance(filename, str) else name
    return name, (shown, _read(file, name), None)


def _is_one_file(value: object) -> bool:
    """Whether ``value`` is one file (content, or a ``(name, content[, type])`` tuple) rather
    than a list or tuple of files."""
    if not isinstance(value, list | tuple):
        return True
    return (
        isinstance(value, tuple)
        and len(value) in (2, 3)
        and (value[0] is None or isinstance(value[0], str))
    )


def _file_parts(files: Mapping[str, object]) -> list[_Part]:
    parts: list[_Part] = []
    for name, file in files.items():
        if isinstance(file, NotGiven) or file is None:
            continue
        if _is_one_file(file):
            parts.append(_file_part(name, file))
        else:  # an array of files: the part repeats
            parts += [_file_part(name, f) for f in cast("Iterable[object]", file)]
    return parts


def encode_body(
    encoding: str,
    media_type: str,
    body: object,
    files: Mapping[str, object] | None = None,
    deep_object: Iterable[str] = (),
) -> EncodedBody:
    """``body`` (and a multipart body's ``files``) encoded as ``encoding`` says."""
    if encoding == "multipart":
        parts = [] if isinstance(body, NotGiven) else _data_parts(body, deep_object)
        return EncodedBody(parts=tuple(parts + _file_parts(files or {})))
    if isinstance(body, NotGiven):
        return EncodedBody()
    if encoding == "form":
        return EncodedBody(
            urlencode(form_pairs(body, deep_object)).encode("ascii"),
            "application/x-www-form-urlencoded",
        )
    if encoding == "binary":
        return EncodedBody(_read(body, "body"), media_type)
    if encoding == "text":
        if not isinstance(body, str):
            raise RequestValidationError(f"body: expected text, got {type(body).__name__}")
        return EncodedBody(body.encode("utf-8"), f"{media_type}; charset=utf-8")
    return EncodedBody(encode_json(body), media_type)


def _joined(value: object, separator: str, *, explode_objects: bool = False) -> str:
    """A list or object as one delimited value (``a,b,c``; objects ``k,v`` or ``k=v``)."""
    data = to_json_body(value)
    if isinstance(data, Mapping):
        if explode_objects:
            return separator.join(f"{k}={_scalar(v)}" for k, v in data.items())
        return separator.join(f"{k}{separator}{_scalar(v)}" for k, v in data.items())
    if isinstance(data, list):
        return separator.join(_scalar(v) for v in data)
    return _scalar(data)


_DELIMITERS = {"form": ",", "spaceDelimited": " ", "pipeDelimited": "|"}


def encode_styled_query(name: str, value: object, style: str) -> list[tuple[str, str]]:
    """One query parameter in ``style``: ``form`` (not exploded), ``spaceDelimited``,
    ``pipeDelimited``, ``deepObject`` or ``json``."""
    if style == "deepObject":
        data = to_json_body(value)
        if isinstance(data, Mapping | list):
            return _nested(name, data)
        return [(name, _scalar(data))]
    if style == "json":
        return [(name, json.dumps(to_json_body(value), separators=(",", ":")))]
    return [(name, _joined(value, _DELIMITERS.get(style, ",")))]


def encode_styled_header(value: object, style: str) -> str:
    """One header parameter in ``style``: ``simple`` or ``simple-explode`` objects, ``json``."""
    if style == "json":
        return json.dumps(to_json_body(value), separators=(",", ":"))
    return _joined(value, ",", explode_objects=style == "simple-explode")
