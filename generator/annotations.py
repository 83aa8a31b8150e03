"""Type annotations for the generated methods' keyword arguments, as source text.

Model fields come from datamodel-code-generator; a keyword argument for the same
value should accept more than the model stores: a nested model may be given as a
plain mapping, a list as any sequence, and an optional argument is omitted by
default (``NotGiven``) rather than sent as ``null``. The rewriting is done on the
parsed annotation (:mod:`ast`), never with string tricks.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

__all__ = ["argument_annotation", "schema_annotation"]

_MAPPING_OF_ANY = "Mapping[str, Any]"


def argument_annotation(
    annotation: str,
    *,
    models: Mapping[str, str | None],
    nullable: bool,
    optional: bool,
) -> str:
    """The keyword-argument annotation for a field typed ``annotation`` in the models.

    ``models`` maps each model class name to ``None`` (a plain model, which may also
    be given as a mapping) or, for a type alias, to the type it names (the argument
    takes a value of that type).
    """
    tree = ast.parse(annotation, mode="eval").body
    if not nullable:
        tree = _drop_none(tree)
    tree = _Widen(models).visit(tree)
    text = " | ".join(dict.fromkeys(_union_members(ast.unparse(tree))))  # flat, no repeats
    if nullable and "None" not in _union_members(text):
        text += " | None"
    return text + " | NotGiven" if optional else text


def _union_members(text: str) -> list[str]:
    node = ast.parse(text, mode="eval").body
    members: list[str] = []

    def walk(n: ast.expr) -> None:
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.BitOr):
            walk(n.left)
            walk(n.right)
        else:
            members.append(ast.unparse(n))

    walk(node)
    return members


def _drop_none(node: ast.expr) -> ast.expr:
    members = [m for m in _union_members(ast.unparse(node)) if m != "None"]
    if not members:
        return node
    return ast.parse(" | ".join(members), mode="eval").body


class _Widen(ast.NodeTransformer):
    def __init__(self, models: Mapping[str, str | None], depth: int = 0) -> None:
        self.models = models
        self.depth = depth

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        if isinstance(node.value, ast.Name) and node.value.id == "Literal":
            return node  # literal values are data, not names
        if isinstance(node.value, ast.Name) and node.value.id == "Annotated":
            # constraints are the model's business; the argument only needs the type
            first = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
            result: ast.AST = self.visit(first)
            return result
        self.generic_visit(node)
        if isinstance(node.value, ast.Name) and node.value.id == "list":
            node.value = ast.Name("Sequence", ast.Load())
        elif isinstance(node.value, ast.Name) and node.value.id == "dict":
            node.value = ast.Name("Mapping", ast.Load())
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id not in self.models:
            return node
        root = self.models[node.id]
        if root is None:
            return ast.parse(f"{node.id} | {_MAPPING_OF_ANY}", mode="eval").body
        if self.depth > 3:
            return node
        # a type alias (``Tags = TypeAliasType("Tags", list[str])``) is its value: the
        # argument takes that value, widened, under no second name
        inner: ast.AST = _Widen(self.models, self.depth + 1).visit(
            ast.parse(root, mode="eval").body
        )
        return inner


_PRIMITIVES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


def schema_annotation(schema: Mapping[str, Any], *, depth: int = 0) -> str:
    """A Python annotation for a (dereferenced) parameter schema: primitives, enums, arrays."""
    if depth > 4 or not isinstance(schema, Mapping):
        return "Any"
    enum = schema.get("enum")
    if (
        isinstance(enum, list)
        and enum
        and all(isinstance(v, str | int | bool) and v is not None for v in enum)
    ):
        return "Literal[" + ", ".join(repr(v) for v in enum) + "]"
    kind = schema.get("type")
    nullable = schema.get("nullable") is True
    if isinstance(kind, list):
        nullable = nullable or "null" in kind
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if kind in _PRIMITIVES:
        text = _PRIMITIVES[kind]
    elif kind == "array":
        items = schema.get("items")
        text = f"Sequence[{schema_annotation(items, depth=depth + 1) if isinstance(items, Mapping) else 'Any'}]"
    elif kind == "object":
        text = "Mapping[str, Any]"
    else:
        text = "Any"
    return f"{text} | None" if nullable and text != "Any" else text
