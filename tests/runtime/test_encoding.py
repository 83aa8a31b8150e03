"""Bodies and parameters beyond JSON and the default styles, encoded for the wire."""

from __future__ import annotations

import io
from datetime import date
from enum import Enum

import pytest

from generator.runtime._encoding import (
    encode_body,
    encode_styled_header,
    encode_styled_query,
    form_pairs,
)
from generator.runtime._exceptions import RequestValidationError
from generator.runtime._types import NOT_GIVEN


class Color(Enum):
    RED = "red"


def test_form_pairs_nest_deep_objects_and_repeat_lists() -> None:
    value = {
        "items": [{"price": "p1", "quantity": 2}, {"price": "p2"}],
        "metadata": {"a": "1", "b": None},
        "tags": ["x", "y"],
        "flag": False,
        "when": date(2026, 12, 3),
        "color": Color.RED,
        "skipped": NOT_GIVEN,
        "plain": {"k": "v"},
    }
    assert form_pairs(value, deep_object=("items", "metadata")) == [
        ("items[0][price]", "p1"),
        ("items[0][quantity]", "2"),
        ("items[1][price]", "p2"),
        ("metadata[a]", "1"),
        ("metadata[b]", ""),
        ("tags", "x"),
        ("tags", "y"),
        ("flag", "false"),
        ("when", "2026-12-03"),
        ("color", "red"),
        ("k", "v"),  # form style, exploded: the object's entries
    ]


def test_form_body_must_be_an_object() -> None:
    with pytest.raises(RequestValidationError, match="form body must be an object"):
        form_pairs([1, 2])


def test_encode_form_body() -> None:
    encoded = encode_body("form", "application/x-www-form-urlencoded", {"q": "a b&c"})
    assert encoded.content == b"q=a+b%26c"
    assert encoded.content_type == "application/x-www-form-urlencoded"
    assert encode_body("form", "application/x-www-form-urlencoded", NOT_GIVEN).content is None


def test_multipart_parts_and_files() -> None:
    encoded = encode_body(
        "multipart",
        "multipart/form-data",
        {"purpose": "batch", "meta": {"a": 1}, "labels": ["x", "y"]},
        {
            "file": ("a.txt", io.BytesIO(b"hi"), "text/plain"),
            "more": [b"1", (None, b"2")],
            "skipped": NOT_GIVEN,
        },
    )
    assert encoded.content is None and encoded.content_type is None
    assert encoded.parts == (
        ("purpose", (None, b"batch", None)),
        ("meta", (None, b'{"a":1}', "application/json")),
        ("labels", (None, b"x", None)),
        ("labels", (None, b"y", None)),
        ("file", ("a.txt", b"hi", "text/plain")),
        ("more", ("more", b"1", None)),
        ("more", ("more", b"2", None)),
    )


def test_a_file_object_keeps_its_base_name() -> None:
    file = io.BytesIO(b"data")
    file.name = "/tmp/report.pdf"
    parts = encode_body("multipart", "multipart/form-data", NOT_GIVEN, {"f": file}).parts
    assert parts == (("f", ("report.pdf", b"data", None)),)


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (42, "expected bytes, a binary file"),
        (("a", 42), "expected bytes, a binary file"),
        ((None, b"x", 7), "content type must be a string"),
    ],
)
def test_bad_files_are_refused_by_name(file: object, message: str) -> None:
    with pytest.raises(RequestValidationError, match=message) as info:
        encode_body("multipart", "multipart/form-data", NOT_GIVEN, {"upload": file})
    assert str(info.value).startswith("upload")


def test_binary_and_text_bodies() -> None:
    raw = encode_body("binary", "image/png", io.BytesIO(b"\x89PNG"))
    assert (raw.content, raw.content_type) == (b"\x89PNG", "image/png")
    text = encode_body("text", "text/plain", "héllo")
    assert (text.content, text.content_type) == ("héllo".encode(), "text/plain; charset=utf-8")
    with pytest.raises(RequestValidationError, match="expected text"):
        encode_body("text", "text/plain", b"bytes")
    json_body = encode_body("json", "application/merge-patch+json", {"a": None})
    assert (json_body.content, json_body.content_type) == (
        b'{"a":null}',
        "application/merge-patch+json",
    )


@pytest.mark.parametrize(
    ("style", "value", "pairs"),
    [
        (
            "deepObject",
            {"gt": 1, "in": [1, 2]},
            [("c[gt]", "1"), ("c[in][0]", "1"), ("c[in][1]", "2")],
        ),
        ("deepObject", ["a", "b"], [("c[0]", "a"), ("c[1]", "b")]),
        ("deepObject", 5, [("c", "5")]),
        ("form", [1, 2, 3], [("c", "1,2,3")]),
        ("form", {"a": 1, "b": True}, [("c", "a,1,b,true")]),
        ("spaceDelimited", ["a", "b"], [("c", "a b")]),
        ("pipeDelimited", ["a", "b"], [("c", "a|b")]),
        ("json", {"kind": "cat"}, [("c", '{"kind":"cat"}')]),
    ],
)
def test_query_styles(style: str, value: object, pairs: list[tuple[str, str]]) -> None:
    assert encode_styled_query("c", value, style) == pairs


def test_header_styles() -> None:
    assert encode_styled_header({"w": 2, "h": 3}, "simple") == "w,2,h,3"
    assert encode_styled_header({"w": 2, "h": 3}, "simple-explode") == "w=2,h=3"
    assert encode_styled_header([1, 2], "json") == "[1,2]"
