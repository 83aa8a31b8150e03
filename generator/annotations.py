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
    params: Mapping[str, str] | None = None,
    wire_scalars: bool = False,
) -> str:
    """The keyword-argument annotation for a field typed ``annotation`` in the models.

    ``models`` maps each model class name to ``None`` (a plain model, which may also
    be given as a mapping) or to its root annotation (a root model, which may also be
    given as its root value; an enum's root model only as one of its values, so the
    type is written once: ``Literal["admin", "member"]``). A plain model with a request
    ``TypedDict`` in ``params`` (model name -> TypedDict name) may be given as that
    ``TypedDict`` instead of any mapping. ``wire_scalars`` also accepts the text form of
    values pydantic parses from text (``datetime | str``), as a JSON document would hold them.
    """
    tree = ast.parse(annotation, mode="eval").body
    if not nullable:
        tree = _drop_none(tree)
    tree = _Widen(models, params=params or {}, wire_scalars=wire_scalars).visit(tree)
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


#: types pydantic also parses from their JSON text form
_TEXT_FORMS = frozenset({"datetime", "date", "time", "timedelta", "UUID", "Decimal"})


class _Widen(ast.NodeTransformer):
    def __init__(
        self,
        models: Mapping[str, str | None],
        depth: int = 0,
        *,
        params: Mapping[str, str],
        wire_scalars: bool,
    ) -> None:
        self.models = models
        self.depth = depth
        self.params = params
        self.wire_scalars = wire_scalars

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
            if self.wire_scalars and node.id in _TEXT_FORMS:
                return ast.parse(f"{node.id} | str", mode="eval").body
            return node
        root = self.models[node.id]
        if root is None:
            mapping = self.params.get(node.id, _MAPPING_OF_ANY)
            return ast.parse(f"{node.id} | {mapping}", mode="eval").body
        if self.depth > 3:
            return node
        inner: ast.AST = _Widen(
            self.models, self.depth + 1, params=self.params, wire_scalars=self.wire_scalars
        ).visit(ast.parse(root, mode="eval").body)
        if _is_literal(inner):  # an enum: its values say it all, the model would repeat them
            return inner
        return ast.parse(f"{node.id} | {ast.unparse(inner)}", mode="eval").body


def _is_literal(node: ast.AST) -> bool:
    """``Literal[...]`` (or a union of them): a root model that is only a set of values."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _is_literal(node.left) and _is_literal(node.right)
    return (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Literal"
    )


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
