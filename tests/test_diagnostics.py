"""``generator.diagnostics``: the one-line format, ordering, de-duplication and exit policy."""

from __future__ import annotations

import pytest

from generator.diagnostics import (
    Diagnostic,
    Diagnostics,
    GenerationAborted,
    Level,
    escape_pointer,
    join_pointer,
)


def make(
    line: int = 41,
    column: int = 9,
    level: Level = Level.ERROR,
    rule: str = "example-invalid",
    pointer: str = "/paths/~1api~1chat/post/requestBody",
    hint: str = "",
    file: str = "spec/chat.openapi.yaml",
) -> Diagnostic:
    return Diagnostic(file, line, column, level, rule, "the example is wrong", pointer, hint)


def test_format_is_one_line_with_file_line_column_rule_and_pointer() -> None:
    assert make().format() == (
        "spec/chat.openapi.yaml:41:9: error [example-invalid] the example is wrong "
        "(at #/paths/~1api~1chat/post/requestBody)"
    )


def test_format_with_hint_and_without_position_or_pointer() -> None:
    assert make(line=0, column=0, pointer="", hint="fix it", level=Level.WARNING).format() == (
        "spec/chat.openapi.yaml: warning [example-invalid] the example is wrong; fix it"
    )


def test_levels_print_lower_case_and_order() -> None:
    assert [str(level) for level in Level] == ["info", "warning", "error"]
    assert Level.INFO < Level.WARNING < Level.ERROR


def test_duplicates_are_dropped_and_order_is_by_place() -> None:
    diagnostics = Diagnostics()
    for item in (make(line=9), make(line=2), make(line=9), make(line=2, column=1)):
        diagnostics.add(item)
    assert len(diagnostics) == 3
    assert [(d.line, d.column) for d in diagnostics.sorted()] == [(2, 1), (2, 9), (9, 9)]


def test_sorting_groups_files() -> None:
    diagnostics = Diagnostics()
    diagnostics.add(make(file="b.yaml", line=1))
    diagnostics.add(make(file="a.yaml", line=99))
    assert [d.file for d in diagnostics.sorted()] == ["a.yaml", "b.yaml"]


def test_extend_keeps_deduplicating() -> None:
    first, second = Diagnostics(), Diagnostics()
    first.add(make())
    second.add(make())
    second.add(make(line=1))
    first.extend(second)
    assert len(first) == 2


@pytest.mark.parametrize(
    ("levels", "strict", "fails"),
    [
        ([], False, False),
        ([Level.INFO], True, False),
        ([Level.WARNING], False, False),
        ([Level.WARNING], True, True),
        ([Level.ERROR], False, True),
        ([Level.WARNING, Level.ERROR], False, True),
    ],
)
def test_has_errors_and_strict(levels: list[Level], strict: bool, fails: bool) -> None:
    diagnostics = Diagnostics()
    for index, level in enumerate(levels):
        diagnostics.add(make(line=index + 1, level=level))
    assert diagnostics.has_errors(strict=strict) is fails


def test_counts() -> None:
    diagnostics = Diagnostics()
    diagnostics.add(make(line=1, level=Level.ERROR))
    diagnostics.add(make(line=2, level=Level.WARNING))
    diagnostics.add(make(line=3, level=Level.WARNING))
    assert (diagnostics.error_count, diagnostics.warning_count) == (1, 2)
    assert str(GenerationAborted(diagnostics)) == "1 error(s)"


@pytest.mark.parametrize(
    ("token", "escaped"),
    [("/api/chat/{id}", "~1api~1chat~1{id}"), ("a~b", "a~0b"), ("~/", "~0~1"), (3, "3")],
)
def test_escape_pointer(token: str | int, escaped: str) -> None:
    assert escape_pointer(token) == escaped


def test_join_pointer() -> None:
    assert join_pointer("/paths", "/a/{b}", "get") == "/paths/~1a~1{b}/get"
    assert join_pointer("", "components", "schemas", 0) == "/components/schemas/0"
    assert join_pointer("/x") == "/x"
