"""The import block of a generated module, written as ruff's isort rules sort it.

A models module of a big client needs a handful of the names the whole models source
imports. :func:`import_block` writes just those, sorted and wrapped the way
``ruff check --select I`` (isort's defaults) would leave them, so that the formatting
step finds little or nothing to fix: over thousands of modules, ruff's fixes (each
file re-read, re-linted and rewritten) cost more than the rest of its work.

ruff still runs over every file, so a case sorted differently here is only slower, never
different: the tests compare this module's blocks with ruff's own.

The defaults followed (ruff's ``lint.isort`` settings):

* sections in the order future, standard library, third party, local (relative), one
  blank line between them; ``__future__`` imports are left to the caller;
* in a section, ``import x`` statements before ``from x import y`` ones
  (``force-sort-within-sections = false``);
* modules compared case-insensitively in natural order (``case-sensitive = false``),
  relative ones furthest first (``relative-imports-order = "furthest-to-closest"``);
* members ordered constants, classes, then the rest (``order-by-type = true``);
* each ``as`` import its own statement (``combine-as-imports = false``);
* a statement longer than the line wrapped in parentheses, one member per line.
"""

from __future__ import annotations

import ast
import functools
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["LINE_LENGTH", "Imported", "import_block", "imported_names"]

#: the line length the formatting step uses (``ruff --line-length``)
LINE_LENGTH = 100


@dataclass(frozen=True, slots=True, order=True)
class Imported:
    """One name a module binds by importing: ``from {source} import {name} as {local}``, or
    ``import {source}`` (``name`` empty) bound as ``local``."""

    source: str  # the module, with its leading dots when relative (``.._models``)
    name: str  # the member imported from it; "" for ``import source``
    local: str  # the name the module uses

    @property
    def statement(self) -> str:
        """The import on its own: ``from typing import Any``, ``import json as j``."""
        if not self.name:
            bound = self.source if self.local == self.source.split(".")[0] else None
            return f"import {self.source}" + ("" if bound else f" as {self.local}")
        return f"from {self.source} import {self._member}"

    @property
    def _member(self) -> str:
        return self.name if self.name == self.local else f"{self.name} as {self.local}"


def imported_names(statements: Iterable[str]) -> dict[str, Imported]:
    """What the import statements ``statements`` bind, by the name bound.

    ``__future__`` imports are left out (they are not names a module uses), and so is
    anything that is not an import statement.
    """
    found: dict[str, Imported] = {}
    for text in statements:
        for node in ast.parse(text).body:
            if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                source = "." * node.level + (node.module or "")
                for alias in node.names:
                    local = alias.asname or alias.name
                    found[local] = Imported(source, alias.name, local)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.split(".")[0]
                    found[local] = Imported(alias.name, "", local)
    return found


def import_block(names: Iterable[Imported], line_length: int = LINE_LENGTH) -> tuple[str, ...]:
    """The lines of an import block binding ``names``, as ruff's isort writes it.

    Sections are separated by an empty line (an ``""`` entry); no trailing empty line.
    """
    sections: dict[int, list[Imported]] = {}
    for item in set(names):
        sections.setdefault(_section(item.source), []).append(item)
    lines: list[str] = []
    for section in sorted(sections):
        if lines:
            lines.append("")
        lines += _section_lines(sections[section], line_length)
    return tuple(lines)


def _section_lines(items: list[Imported], line_length: int) -> list[str]:
    straight = sorted((i for i in items if not i.name), key=_straight_key)
    lines = [i.statement for i in straight]
    # one statement per module for plain members, one per ``as`` import
    statements: dict[tuple[str, str], list[Imported]] = {}
    for item in items:
        if item.name:
            group = "" if item.name == item.local else item.local
            statements.setdefault((item.source, group), []).append(item)
    ordered = sorted(
        (sorted(members, key=_member_key) for members in statements.values()),
        key=lambda members: (_module_key(members[0].source), _member_key(members[0])),
    )
    for members in ordered:
        lines += _from_statement(members[0].source, [m._member for m in members], line_length)
    return lines


def _from_statement(source: str, members: list[str], line_length: int) -> list[str]:
    line = f"from {source} import {', '.join(members)}"
    if len(line) <= line_length:
        return [line]
    return [f"from {source} import (", *(f"    {m}," for m in members), ")"]


_STDLIB = frozenset(sys.stdlib_module_names)


def _section(source: str) -> int:
    if source.startswith("."):
        return 3
    top = source.split(".")[0]
    if top == "__future__":
        return 0
    return 1 if top in _STDLIB else 2


_DIGITS = re.compile(r"(\d+)")


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """``text``'s natural-order key: runs of digits compare as numbers."""
    return tuple(
        (1, int(part)) if part.isdigit() else (0, part) for part in _DIGITS.split(text) if part
    )


@functools.lru_cache(maxsize=4096)
def _module_key(source: str) -> tuple[object, ...]:
    module = source.lstrip(".")
    distance = len(source) - len(module)
    return (-distance, _natural(module.lower()), _natural(module))


@functools.lru_cache(maxsize=1024)
def _straight_key(item: Imported) -> tuple[object, ...]:
    """``import x`` before ``import x as y``."""
    plain = item.local == item.source.split(".")[0]
    return (_module_key(item.source), not plain, _natural(item.local))


def _member_type(name: str) -> int:
    if len(name) > 1 and name.isupper():
        return 0  # CONSTANT
    if name[:1].isupper():
        return 1  # Class
    return 2  # variable


@functools.lru_cache(maxsize=16384)
def _member_key(item: Imported) -> tuple[object, ...]:
    name = item.name
    return (_member_type(name), _natural(name.lower()), _natural(name), item.local)
