"""Type annotations for the generated methods' keyword arguments, as typed records.

Model fields come from datamodel-code-generator; a keyword argument for the same
value should accept more than the model stores: a nested model may be given as a
plain mapping, a list as any sequence, and an optional argument is omitted by
default (``NotGiven``) rather than sent as ``null``. The rewriting is done on the
parsed annotation (:mod:`ast`), never with string tricks. Each result is an
:class:`Annotation`: the source text and the names it uses (so the module that
writes it knows what to import without reading its own code back), and its first
union member (which the README's examples take a value from).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Annotation", "argument_annotation", "schema_annotation"]

_MAPPING_OF_ANY = "Mapping[str, Any]"


@dataclass(frozen=True, slots=True)
class Annotation:
    """A type annotation as source text, with what it is made of."""

    text: str
    #: every plain name the text uses (``Sequence``, ``Pet``, ``str``, ...)
    names: frozenset[str]
    #: the first union member's outer name: ``str``, ``Sequence``, ``Literal``, ``Pet``
    head: str
    #: the values of the first member when it is a ``Literal``
    literal: tuple[object, ...] = ()

    def or_not_given(self) -> Annotation:
        """The annotation of an optional argument: ``NotGiven`` when left out."""
        return Annotation(
            f"{self.text} | NotGiven", self.names | {"NotGiven"}, self.head, self.literal
        )

    @classmethod
    def of(cls, members: Iterable[ast.expr]) -> Annotation:
        """The union of ``members`` (parsed expressions), each once, in order."""
        by_text: dict[str, ast.expr] = {}
        for member in members:
            by_text.setdefault(ast.unparse(member), member)
        unique, nodes = list(by_text), list(by_text.values())
        first = nodes[0]
        outer = first.value if isinstance(first, ast.Subscript) else first
        literal: tuple[object, ...] = ()
        if isinstance(first, ast.Subscript) and ast.unparse(outer) == "Literal":
            values = first.slice.elts if isinstance(first.slice, ast.Tuple) else [first.slice]
            literal = tuple(v.value for v in values if isinstance(v, ast.Constant))
        names = frozenset(n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name))
        return cls(" | ".join(unique), names, ast.unparse(outer), literal)


def argument_annotation(
    annotation: str,
    *,
    models: Mapping[str, str | None],
    nullable: bool,
    optional: bool,
    params: Mapping[str, str] | None = None,
    wire_scalars: bool = False,
) -> Annotation:
    """The keyword-argument annotation for a field typed ``annotation`` in the models.

    ``models`` maps each model class name to ``None`` (a plain model, which may also
    be given as a mapping) or, for a type alias, to the type it names (the argument
    takes a value of that type, under no second name). A plain model with a request
    ``TypedDict`` in ``params`` (model name -> TypedDict name) may be given as that
    ``TypedDict`` instead of any mapping. ``wire_scalars`` also accepts the text form of
    values pydantic parses from text (``datetime | str``), as a JSON document would hold them.
    """
    members = _members(ast.parse(annotation, mode="eval").body)
    if not nullable:
        members = [m for m in members if not _is_none(m)] or members
    widened = [
        w
        for m in members
        for w in _members(_Widen(models, params=params or {}, wire_scalars=wire_scalars).visit(m))
    ]
    if nullable and not any(_is_none(m) for m in widened):
        widened.append(ast.Constant(None))
    result = Annotation.of(widened)
    return result.or_not_given() if optional else result


def _members(node: ast.expr) -> list[ast.expr]:
    """The members of a ``X | Y | ...`` union, flattened (one member if it is none)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _members(node.left) + _members(node.right)
    return [node]


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


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
        # a type alias (``Tags = TypeAliasType("Tags", list[str])``) is its value: the
        # argument takes that value, widened, under no second name
        inner: ast.AST = _Widen(
            self.models, self.depth + 1, params=self.params, wire_scalars=self.wire_scalars
        ).visit(ast.parse(root, mode="eval").body)
        return inner


_PRIMITIVES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


def schema_annotation(schema: Mapping[str, Any]) -> Annotation:
    """A Python annotation for a (dereferenced) parameter schema: primitives, enums, arrays."""
    return Annotation.of(_members(_schema_node(schema)))


def _name(name: str) -> ast.Name:
    return ast.Name(name, ast.Load())


def _subscript(name: str, *arguments: ast.expr) -> ast.Subscript:
    index = arguments[0] if len(arguments) == 1 else ast.Tuple(list(arguments), ast.Load())
    return ast.Subscript(_name(name), index, ast.Load())


def _schema_node(schema: Mapping[str, Any], depth: int = 0) -> ast.expr:
    if depth > 4 or not isinstance(schema, Mapping):
        return _name("Any")
    enum = schema.get("enum")
    if (
        isinstance(enum, list)
        and enum
        and all(isinstance(v, str | int | bool) and v is not None for v in enum)
    ):
        return _subscript("Literal", *(ast.Constant(v) for v in enum))
    kind = schema.get("type")
    nullable = schema.get("nullable") is True
    if isinstance(kind, list):
        nullable = nullable or "null" in kind
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    node: ast.expr
    if kind in _PRIMITIVES:
        node = _name(_PRIMITIVES[kind])
    elif kind == "array":
        items = schema.get("items")
        inner = _schema_node(items, depth + 1) if isinstance(items, Mapping) else _name("Any")
        node = _subscript("Sequence", inner)
    elif kind == "object":
        node = _subscript("Mapping", _name("str"), _name("Any"))
    else:
        return _name("Any")
    return ast.BinOp(node, ast.BitOr(), ast.Constant(None)) if nullable else node
