"""The generated models as definition records: parsed once, then renamed, joined and split freely.

datamodel-code-generator returns one module of source text. :func:`analyse` parses
it (never executes it) into a :class:`ModelSource`: the header and import lines, and
one :class:`ClassSource` per definition: a class statement, or a type alias
(``X = TypeAliasType("X", ...)``), each holding its exact text, the names it uses, the
statements that must run once the module's definitions all exist (``X.model_rebuild()``)
and, for a class, a :class:`ModelClass` description of its fields, which the client's
keyword arguments reuse. Everything later (joining the parts of a big spec, writing
one module per group of definitions) works on these records without parsing again.
"""

from __future__ import annotations

import ast
import io
import json
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from generator.nullability import is_nullable, property_schemas

__all__ = [
    "NON_NULLABLE_CALL",
    "NON_NULLABLE_IMPORT",
    "ClassSource",
    "ModelClass",
    "ModelField",
    "ModelSource",
    "analyse",
    "assemble",
    "expand_aliases",
    "flatten_conflicting_overrides",
    "marks_non_nullable",
    "rename_class",
    "rename_names",
]


@dataclass(frozen=True, slots=True)
class ModelField:
    """One field of a generated class: Python name, wire name and type annotation source."""

    name: str
    alias: str
    annotation: str
    required: bool
    nullable: bool
    description: str = ""
    #: ``readOnly`` in the spec: the server sends it, a request never carries it
    read_only: bool = False


@dataclass(frozen=True, slots=True)
class ModelClass:
    name: str
    fields: tuple[ModelField, ...]
    is_root: bool
    root_annotation: str = ""

    def field_by_alias(self, alias: str) -> ModelField | None:
        return next((f for f in self.fields if f.alias == alias), None)


@dataclass(frozen=True, slots=True)
class ClassSource:
    """One definition of the models module: a class statement or a type alias."""

    name: str
    #: the statement's source, exactly as generated (plus its ``mark_non_nullable`` call)
    text: str
    #: every plain name the statement uses, quoted annotations included
    names: frozenset[str]
    #: the names evaluated when the statement runs (bases, assigned values): defined first
    eager: frozenset[str]
    model: ModelClass
    #: ``"class"``, or ``"alias"`` for a type alias (``X = TypeAliasType("X", ...)``, ``X = Y``)
    kind: str = "class"
    #: statements that run once every definition of the module exists (``X.model_rebuild()``)
    after: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ModelSource:
    """A models module taken apart; ``plain`` is false when it holds anything :func:`analyse`
    cannot place: a statement that is no import, class, type alias or call on a definition
    (``X.model_rebuild()``)."""

    header: tuple[str, ...]
    imports: tuple[str, ...]
    #: names the module imports (``datetime``, ``UUID``, ...) -> (module, name in that module)
    imported: Mapping[str, tuple[str, str]]
    classes: tuple[ClassSource, ...]
    #: the whole module as text (``mark_non_nullable`` calls in place)
    source: str
    plain: bool = True


#: the runtime function a models module calls after a class with non-nullable optional fields
NON_NULLABLE_CALL = "mark_non_nullable"
NON_NULLABLE_IMPORT = f"from .._models import {NON_NULLABLE_CALL}"


def marks_non_nullable(text: str) -> bool:
    """Whether a class's text ends in a ``mark_non_nullable`` call (and needs its import)."""
    return f"\n{NON_NULLABLE_CALL}(" in text


def analyse(source: str, schemas: Mapping[str, Any], *, describe: bool = True) -> ModelSource:
    """Take a generated models module apart; raises :class:`SyntaxError` if it does not parse.

    ``schemas`` (class name -> schema) says which fields are nullable or read-only.
    Optional fields whose schema does not allow ``null`` are named in a
    ``mark_non_nullable(Class, "field", ...)`` call after the class (outside its body, so
    the public class shows only its fields): pydantic types them ``X | None`` so they may
    be absent, and the runtime refuses an explicit ``None`` for them in requests. Without
    ``describe`` (a module analysed before) fields are neither described nor marked.
    """
    tree = ast.parse(source)
    lines = source.splitlines()
    first = tree.body[0].lineno if tree.body else len(lines) + 1
    header = tuple(lines[: first - 1])
    imports: list[str] = []
    imported: dict[str, tuple[str, str]] = {}
    classes: list[ClassSource] = []
    models: dict[str, ModelClass] = {}
    plain = True
    marks: list[tuple[int, str]] = []
    trailers: dict[str, list[str]] = {}
    previous: ast.stmt | None = None
    for node in tree.body:
        text = "\n".join(lines[node.lineno - 1 : node.end_lineno])
        follows_alias = previous is not None and _alias_target(previous) is not None
        previous = node
        if follows_alias and _is_string(node) and classes and classes[-1].kind == "alias":
            last = classes[-1]  # the alias's docstring (the schema's description): keep it
            classes[-1] = replace(last, text=f"{last.text}\n{text}")
        elif isinstance(node, ast.ImportFrom | ast.Import):
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                continue
            imports.append(text)
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    imported[alias.asname or alias.name] = (node.module, alias.name)
        elif isinstance(node, ast.ClassDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            text = "\n".join(lines[start - 1 : node.end_lineno])
            if describe:
                properties = property_schemas(schemas.get(node.name) or {}, schemas)
                model, not_null = _describe(node, properties, models)
            else:
                model, not_null = ModelClass(node.name, (), False), []
            models[node.name] = model
            if not_null:
                members = ", ".join(json.dumps(n) for n in not_null)
                marker = f"\n\n{NON_NULLABLE_CALL}({node.name}, {members})"
                text += "\n" + marker
                marks.append((node.end_lineno or node.lineno, marker))
            classes.append(ClassSource(node.name, text, _names(node), _eager(node), model))
        elif classes and _marks(node, classes[-1].name):  # analysed before: keep it with its class
            statement = "\n".join(lines[node.lineno - 1 : node.end_lineno])
            last = classes[-1]
            classes[-1] = replace(last, text=f"{last.text}\n\n\n{statement}")
        elif (alias_name := _alias_target(node)) is not None:
            names, eager = _alias_names(node)
            model = ModelClass(alias_name, (), False, ast.unparse(_alias_value(node)))
            classes.append(
                ClassSource(
                    alias_name,
                    text,
                    names - {alias_name},
                    eager - {alias_name},
                    model,
                    kind="alias",
                )
            )
        elif (called := _called_on(node)) is not None:
            trailers.setdefault(called, []).append(text)
        elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            plain = False
    if not trailers.keys() <= {c.name for c in classes}:
        plain = False  # a call on something the module does not define: keep it whole
    classes = [
        replace(c, after=tuple(trailers[c.name])) if c.name in trailers else c for c in classes
    ]
    return ModelSource(
        header, tuple(imports), imported, tuple(classes), _insert(source, marks), plain
    )


def _is_string(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _alias_target(node: ast.stmt) -> str | None:
    """The name a type alias statement defines (``X = TypeAliasType(...)``, ``X: TypeAlias = Y``).

    A dunder (``__all__: list[str] = []``) is module machinery, no alias.
    """
    target: ast.expr | None = None
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        target = node.target
    if not isinstance(target, ast.Name):
        return None
    if target.id.startswith("__") and target.id.endswith("__"):
        return None
    return target.id


def _alias_value(node: ast.stmt) -> ast.expr:
    """The type an alias statement names: ``TypeAliasType``'s second argument, else the value."""
    value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
    assert value is not None  # only called on what _alias_target accepted
    if (
        isinstance(value, ast.Call)
        and ast.unparse(value.func).rpartition(".")[2] == "TypeAliasType"
        and len(value.args) >= 2
    ):
        return value.args[1]
    return value


def _called_on(node: ast.stmt) -> str | None:
    """``X`` for a statement ``X.method(...)`` (``X.model_rebuild()``), else ``None``."""
    if (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Attribute)
        and isinstance(node.value.func.value, ast.Name)
    ):
        return node.value.func.value.id
    return None


def _strip_annotated(node: ast.expr) -> ast.expr:
    """``node`` with every ``Annotated[T, ...]`` in it replaced by ``T``."""

    class Strip(ast.NodeTransformer):
        def visit_Subscript(self, sub: ast.Subscript) -> ast.AST:
            if ast.unparse(sub.value) == "Annotated":
                inner = sub.slice.elts[0] if isinstance(sub.slice, ast.Tuple) else sub.slice
                stripped: ast.AST = self.visit(inner)
                return stripped
            self.generic_visit(sub)
            return sub

    result = Strip().visit(ast.parse(ast.unparse(node), mode="eval").body)
    assert isinstance(result, ast.expr)
    return result


def expand_aliases(module: ModelSource) -> ModelSource:
    """``module`` with each type alias in its classes' field annotations spelled out.

    Done once the module is whole (after the parts of a big spec are joined and
    renamed): the records then name only what the module defines.
    """
    return replace(module, classes=tuple(_expand_aliases(list(module.classes))))


def _expand_aliases(classes: list[ClassSource]) -> list[ClassSource]:
    """The classes with each type alias in their fields' annotations spelled out.

    A field typed ``dict[str, MetadataAdditionalProperty]``, the alias being
    ``Annotated[str, Field(max_length=512)]``, is described as ``dict[str, str]``: a
    keyword argument of the client then takes the plain type (the model still checks
    the constraint) and needs no alias imported. An alias that refers to itself
    (a recursive JSON type) keeps its name.
    """
    values = {
        c.name: _strip_annotated(ast.parse(c.model.root_annotation, mode="eval").body)
        for c in classes
        if c.kind == "alias" and c.model.root_annotation
    }
    # an alias holding a quoted forward reference (a recursive type) keeps its name
    values = {name: value for name, value in values.items() if not _forward_references(value)}
    if not values:
        return classes

    done: dict[str, str] = {}  # many fields share an annotation (``str | None``)

    def expand(annotation: str) -> str:
        if annotation not in done:
            done[annotation] = _expanded(annotation)
        return done[annotation]

    def _expanded(annotation: str) -> str:
        if not annotation:
            return annotation
        tree: ast.expr = ast.parse(annotation, mode="eval").body
        for _ in range(32):  # alias chains are short; a cycle through several stops here
            used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} & values.keys()
            if not used:
                break
            tree = _Substitute(values, used).visit(tree)
        return ast.unparse(tree)

    expanded = []
    for c in classes:
        if c.kind == "class":
            model = replace(
                c.model,
                fields=tuple(replace(f, annotation=expand(f.annotation)) for f in c.model.fields),
                root_annotation=expand(c.model.root_annotation),
            )
            c = replace(c, model=model)
        expanded.append(c)
    return expanded


def _forward_references(node: ast.expr) -> bool:
    """Whether a type expression holds a quoted name (``"Json"``); ``Literal`` values are none."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "Literal":
        return False
    return any(
        _forward_references(child)
        for child in ast.iter_child_nodes(node)
        if isinstance(child, ast.expr)
    )


class _Substitute(ast.NodeTransformer):
    """Replaces the names in ``names`` by (a copy of) their value in ``values``."""

    def __init__(self, values: Mapping[str, ast.expr], names: set[str]) -> None:
        self.values, self.names = values, names

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.names:
            return ast.parse(ast.unparse(self.values[node.id]), mode="eval").body
        return node


def _marks(node: ast.stmt, class_name: str) -> bool:
    """Whether ``node`` is the ``mark_non_nullable(<class_name>, ...)`` call of that class."""
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == NON_NULLABLE_CALL
        and bool(node.value.args)
        and isinstance(node.value.args[0], ast.Name)
        and node.value.args[0].id == class_name
    )


def _insert(source: str, marks: list[tuple[int, str]]) -> str:
    """``source`` with each marker after its class's last line, and its function imported."""
    if not marks:
        return source
    lines = (source if source.endswith("\n") else source + "\n").splitlines(keepends=True)
    for end_line, marker in sorted(marks, reverse=True):
        lines.insert(end_line, marker + "\n")
    return "".join(lines).replace(
        "from __future__ import annotations\n",
        f"from __future__ import annotations\n\n{NON_NULLABLE_IMPORT}\n",
        1,
    )


def assemble(module: ModelSource) -> str:
    """The module as one source text: header, imports, then the classes in order."""
    lines = [*module.header, "from __future__ import annotations", ""]
    if any(marks_non_nullable(c.text) for c in module.classes):
        lines += [NON_NULLABLE_IMPORT]
    lines += [*module.imports, ""]
    for cls in module.classes:
        lines += ["", cls.text, ""]
    after = [statement for cls in module.classes for statement in cls.after]
    if after:
        lines += ["", *after]
    return "\n".join(lines).rstrip("\n") + "\n"


def rename_names(text: str, mapping: Mapping[str, str]) -> str:
    """``text`` with every name token in ``mapping`` replaced; attributes and strings untouched."""
    if not mapping:
        return text
    edits: list[tuple[int, int, int, str]] = []
    previous = ""
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.NAME and token.string in mapping and previous != ".":
            edits.append((token.start[0], token.start[1], token.end[1], mapping[token.string]))
        if token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
            previous = token.string
    lines = text.split("\n")
    for row, begin, end, new in reversed(edits):
        line = lines[row - 1]
        lines[row - 1] = line[:begin] + new + line[end:]
    return "\n".join(lines)


def rename_class(cls: ClassSource, mapping: Mapping[str, str]) -> ClassSource:
    """``cls`` with the classes in ``mapping`` renamed: in its text, its names and its fields."""
    if not (cls.names | {cls.name}) & mapping.keys():
        return cls
    model = cls.model
    model = replace(
        model,
        name=mapping.get(model.name, model.name),
        fields=tuple(
            replace(f, annotation=rename_names(f.annotation, mapping)) for f in model.fields
        ),
        root_annotation=rename_names(model.root_annotation, mapping),
    )
    text = rename_names(cls.text, mapping)
    if cls.kind == "alias":
        text = _rename_alias_strings(text, mapping)
    return ClassSource(
        name=mapping.get(cls.name, cls.name),
        text=text,
        names=frozenset(mapping.get(n, n) for n in cls.names),
        eager=frozenset(mapping.get(n, n) for n in cls.eager),
        model=model,
        kind=cls.kind,
        after=tuple(rename_names(statement, mapping) for statement in cls.after),
    )


def _rename_alias_strings(text: str, mapping: Mapping[str, str]) -> str:
    """An alias statement with the strings of its ``TypeAliasType(...)`` call renamed too.

    The first argument is the alias's own name (``TypeAliasType("Temperature", ...)``),
    the second may be a quoted forward reference; :func:`rename_names` leaves strings
    alone, so they are found with :mod:`ast` and rewritten where they stand.
    """
    node = ast.parse(text).body[0]
    value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
    if not (
        isinstance(value, ast.Call)
        and ast.unparse(value.func).rpartition(".")[2] == "TypeAliasType"
    ):
        return text
    lines = text.split("\n")
    for arg in reversed(value.args[:2]):
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            continue
        if arg.lineno != arg.end_lineno or arg.end_col_offset is None:
            continue  # an implicitly joined string: left as it is
        renamed = rename_names(arg.value, mapping) if _is_expression(arg.value) else arg.value
        if renamed != arg.value:
            line = lines[arg.lineno - 1].encode()
            new = line[: arg.col_offset] + json.dumps(renamed).encode() + line[arg.end_col_offset :]
            lines[arg.lineno - 1] = new.decode()
    return "\n".join(lines)


def _is_expression(text: str) -> bool:
    try:
        ast.parse(text, mode="eval")
    except SyntaxError:
        return False
    return True


def _alias_names(node: ast.stmt) -> tuple[frozenset[str], frozenset[str]]:
    """The names a type alias statement uses, and those of them evaluated when it runs.

    Names in quoted forward references count as used, not evaluated; ``Field(...)``
    arguments (descriptions, patterns) and ``TypeAliasType``'s own name are no names.
    """
    used: set[str] = set()
    eager: set[str] = set()

    def walk(expr: ast.AST, quoted: bool) -> None:
        if isinstance(expr, ast.Name):
            used.add(expr.id)
            if not quoted:
                eager.add(expr.id)
        elif isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            try:
                reference = ast.parse(expr.value, mode="eval").body
            except SyntaxError:
                return  # prose, not a forward reference
            walk(reference, True)
        elif isinstance(expr, ast.Call):
            called = ast.unparse(expr.func).rpartition(".")[2]
            walk(expr.func, quoted)
            if called == "Field":
                return
            for arg in expr.args[1:] if called == "TypeAliasType" else expr.args:
                walk(arg, quoted)
            for keyword in expr.keywords:
                walk(keyword.value, quoted)
        else:
            for child in ast.iter_child_nodes(expr):
                walk(child, quoted)

    if isinstance(node, ast.AnnAssign):
        walk(node.annotation, False)
    if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
        walk(node.value, False)
    return frozenset(used), frozenset(eager)


def _names(node: ast.ClassDef) -> frozenset[str]:
    """Every plain name a class statement uses, names in quoted annotations too.

    Quoted annotations are those of fields and those a class assigns to
    ``__annotations__`` (``{"__pydantic_extra__": Dict[str, "Value"]}``, how
    datamodel-code-generator types the extra fields of ``additionalProperties``).
    """
    found: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            found.add(child.id)
    for statement in node.body:
        annotation: ast.expr | None = None
        if isinstance(statement, ast.AnnAssign):
            annotation = statement.annotation
        elif isinstance(statement, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__annotations__" for t in statement.targets
        ):
            annotation = statement.value
        if annotation is not None:
            for child in ast.walk(annotation):
                if isinstance(child, ast.Constant) and isinstance(child.value, str):
                    try:
                        quoted = ast.parse(child.value, mode="eval")
                    except SyntaxError:
                        continue
                    found |= {n.id for n in ast.walk(quoted) if isinstance(n, ast.Name)}
    found.discard(node.name)
    return frozenset(found)


def _eager(node: ast.ClassDef) -> frozenset[str]:
    """Names evaluated when the class statement runs: bases, keywords, decorators, values."""
    found: set[str] = set()
    for expr in [*node.bases, *(k.value for k in node.keywords), *node.decorator_list]:
        found |= {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)}
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign | ast.Assign) and statement.value is not None:
            found |= {n.id for n in ast.walk(statement.value) if isinstance(n, ast.Name)}
    found.discard(node.name)
    return frozenset(found)


def _describe(
    node: ast.ClassDef, properties: Mapping[str, Any], described: Mapping[str, ModelClass]
) -> tuple[ModelClass, list[str]]:
    """The fields of one class, and its optional fields that may not be ``null``.

    ``properties`` (wire name -> schema, ``allOf`` members' included) says which
    fields are nullable or read-only (:func:`generator.nullability.property_schemas`).

    A ``RootModel[...]`` class has no fields, only its root annotation. Otherwise the
    fields of base classes described earlier (``described``) come first, as pydantic
    orders them, and a field the class redeclares takes its base's place.
    """
    bases = [ast.unparse(b) for b in node.bases]
    root = next((b for b in bases if b.startswith("RootModel[")), None)
    if root is not None:
        return ModelClass(node.name, (), True, root[len("RootModel[") : -1]), []
    fields = _own_fields(node, properties)
    own = {f.name: f for f in fields}
    not_null = sorted(f.name for f in fields if not f.required and not f.nullable)
    inherited = _inherited_fields(bases, described)
    merged = [own.pop(f.name, f) for f in inherited.values()] + list(own.values())
    return ModelClass(node.name, tuple(merged), False), not_null


def _inherited_fields(
    bases: list[str], described: Mapping[str, ModelClass]
) -> dict[str, ModelField]:
    """Field name -> field of the bases defined in this module, in pydantic's order.

    Bases from elsewhere (``BaseModel``) and root models contribute nothing; a later
    base's field replaces an earlier one's of the same name in place.
    """
    inherited: dict[str, ModelField] = {}
    for base in bases:
        if base in described and not described[base].is_root:
            inherited.update({f.name: f for f in described[base].fields})
    return inherited


def _own_fields(node: ast.ClassDef, properties: Mapping[str, Any]) -> list[ModelField]:
    """The fields the class statement declares itself, in order (``model_config`` is none).

    ``properties`` (wire name -> property schema) says which are nullable or read-only.
    """
    fields: list[ModelField] = []
    body = node.body
    for index, statement in enumerate(body):
        if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
            continue
        if statement.target.id == "model_config":
            continue
        following = body[index + 1] if index + 1 < len(body) else None
        fields.append(_field(statement, statement.target.id, following, properties))
    return fields


def _field(
    statement: ast.AnnAssign,
    name: str,
    following: ast.stmt | None,
    properties: Mapping[str, Any],
) -> ModelField:
    """One field from its annotated assignment, described by the string statement after it.

    The wire name is the ``alias`` in the annotation's ``Field(...)``, else the one in
    the assigned ``Field(...)``, else the Python name.
    """
    annotation, wire_name = _split_annotation(statement.annotation)
    required, value_alias = _default_of(statement.value)
    alias = wire_name or value_alias or name
    description = ""
    if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant):
        description = str(following.value.value).strip()
    prop_schema = properties.get(alias)
    return ModelField(
        name=name,
        alias=alias,
        annotation=annotation,
        required=required,
        nullable=is_nullable(prop_schema),
        read_only=isinstance(prop_schema, dict) and prop_schema.get("readOnly") is True,
        description=description,
    )


def _split_annotation(node: ast.expr) -> tuple[str, str]:
    """``Annotated[str | None, Field(alias="userId")]`` -> ``("str | None", "userId")``."""
    if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "Annotated":
        elements = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        alias = ""
        for extra in elements[1:]:
            if isinstance(extra, ast.Call):
                for kw in extra.keywords:
                    if kw.arg == "alias" and isinstance(kw.value, ast.Constant):
                        alias = str(kw.value.value)
        return ast.unparse(elements[0]), alias
    return ast.unparse(node), ""


def _default_of(value: ast.expr | None) -> tuple[bool, str]:
    """Whether a field with this right-hand side is required, and the alias it names.

    ``x: int`` and ``x: int = Field(..., alias="X")`` are required;
    ``x: int = 3`` and ``x: int = Field(3, alias="X")`` are not.
    """
    if value is None:
        return True, ""
    if isinstance(value, ast.Call) and ast.unparse(value.func) == "Field":
        alias = next(
            (
                str(kw.value.value)
                for kw in value.keywords
                if kw.arg == "alias" and isinstance(kw.value, ast.Constant)
            ),
            "",
        )
        if value.args:
            first = value.args[0]
            return isinstance(first, ast.Constant) and first.value is Ellipsis, alias
        return not any(kw.arg in {"default", "default_factory"} for kw in value.keywords), alias
    return False, ""


def flatten_conflicting_overrides(module: ModelSource) -> ModelSource:
    """``module`` with each class that redeclares a field against its base written flat.

    An ``allOf`` that narrows a property differently from its base schema (OpenAI's
    ``ComputerToolCallOutputResource`` gives ``status`` the values ``completed``,
    ``incomplete``, ``failed`` where its base allows ``in_progress``, ``completed``,
    ``incomplete``) becomes a subclass whose field type is no subtype of the base's:
    pydantic takes the override, type checkers refuse it (and rightly: such an object
    is no instance of the base). Such a class instead takes its base's bases and
    copies the base's statements, its own coming after them: the same fields in the
    same order, without the false inheritance. Only a conflict type checkers can see
    for certain is flattened: ``Literal`` values (and ``None``) the base does not admit.
    """
    if not module.plain:
        return module  # kept whole, as generated
    by_name = {c.name: c for c in module.classes}
    flat: dict[str, ClassSource] = {}
    for cls in module.classes:
        base = _single_module_base(cls, {**by_name, **flat})
        if base is not None and _conflicts(cls, base):
            flat[cls.name] = _flattened(cls, base)
    if not flat:
        return module
    flattened = replace(module, classes=tuple(flat.get(c.name, c) for c in module.classes))
    return replace(flattened, source=assemble(flattened))


def _single_module_base(cls: ClassSource, classes: Mapping[str, ClassSource]) -> ClassSource | None:
    """The one base class of ``cls`` that this module defines, if it has exactly that."""
    if cls.kind != "class":
        return None
    node = ast.parse(cls.text).body[0]
    if not isinstance(node, ast.ClassDef) or len(node.bases) != 1 or node.keywords:
        return None
    base = node.bases[0]
    if not isinstance(base, ast.Name) or base.id not in classes:
        return None
    found = classes[base.id]
    return found if found.kind == "class" else None


def _literal_values(annotation: str) -> set[object] | None:
    """The values a ``Literal[...]`` (``| None``) annotation admits; ``None`` for other types."""
    members: list[ast.expr] = []

    def walk(node: ast.expr) -> None:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            walk(node.left)
            walk(node.right)
        else:
            members.append(node)

    walk(ast.parse(annotation, mode="eval").body)
    values: set[object] = set()
    for member in members:
        if isinstance(member, ast.Constant) and member.value is None:
            values.add(None)
        elif isinstance(member, ast.Subscript) and ast.unparse(member.value) == "Literal":
            items = member.slice.elts if isinstance(member.slice, ast.Tuple) else [member.slice]
            if not all(isinstance(i, ast.Constant) for i in items):
                return None
            values |= {i.value for i in items if isinstance(i, ast.Constant)}
        else:
            return None
    return values


def _own_field_names(cls: ClassSource) -> list[str]:
    node = ast.parse(cls.text).body[0]
    assert isinstance(node, ast.ClassDef)
    return [
        s.target.id
        for s in node.body
        if isinstance(s, ast.AnnAssign)
        and isinstance(s.target, ast.Name)
        and s.target.id not in {"model_config", "__non_nullable__"}
    ]


def _conflicts(cls: ClassSource, base: ClassSource) -> bool:
    """Whether ``cls`` redeclares a field of ``base`` with ``Literal`` values it lacks."""
    base_fields = {f.name: f.annotation for f in base.model.fields}
    own_fields = {f.name: f.annotation for f in cls.model.fields}
    for name in _own_field_names(cls):
        if name not in base_fields or name not in own_fields:
            continue
        wider, narrower = _literal_values(base_fields[name]), _literal_values(own_fields[name])
        if wider is not None and narrower is not None and not narrower <= wider:
            return True
    return False


def _marked(text: str) -> set[str]:
    """The field names a class's ``mark_non_nullable`` call (after the class) names."""
    statements = ast.parse(text).body
    cls = statements[0]
    assert isinstance(cls, ast.ClassDef)
    for statement in statements[1:]:
        if _marks(statement, cls.name):
            assert isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
            return {
                a.value
                for a in statement.value.args[1:]
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            }
    return set()


def _body_statements(node: ast.ClassDef, lines: list[str], skip: set[str]) -> list[str]:
    """The class's statements as text: no docstring, no marker, no field in ``skip``
    (with the field's own docstring after it)."""
    kept: list[str] = []
    skipping = False
    for index, statement in enumerate(node.body):
        is_string = isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
        if is_string and (index == 0 or skipping):
            skipping = False
            continue
        skipping = False
        target = statement.target if isinstance(statement, ast.AnnAssign) else None
        if isinstance(target, ast.Name) and (target.id == "__non_nullable__" or target.id in skip):
            skipping = target.id != "__non_nullable__"
            continue
        kept.append("\n".join(lines[statement.lineno - 1 : statement.end_lineno]))
    return kept


def _flattened(cls: ClassSource, base: ClassSource) -> ClassSource:
    """``cls`` holding ``base``'s statements itself, on ``base``'s bases."""
    own_lines, base_lines = cls.text.split("\n"), base.text.split("\n")
    own = ast.parse(cls.text).body[0]
    inherited = ast.parse(base.text).body[0]
    assert isinstance(own, ast.ClassDef) and isinstance(inherited, ast.ClassDef)
    own_names = set(_own_field_names(cls))
    bases = ", ".join(ast.unparse(b) for b in inherited.bases)
    parts = [f"class {cls.name}({bases}):"]
    first = own.body[0] if own.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        parts.append("\n".join(own_lines[first.lineno - 1 : first.end_lineno]))
    parts += _body_statements(inherited, base_lines, own_names)
    parts += _body_statements(own, own_lines, set())
    text = "\n".join(parts)
    node = ast.parse(text).body[0]
    assert isinstance(node, ast.ClassDef)
    not_null = sorted((_marked(base.text) - own_names) | _marked(cls.text))
    if not_null:
        members = ", ".join(json.dumps(n) for n in not_null)
        text += f"\n\n\n{NON_NULLABLE_CALL}({cls.name}, {members})"
    return replace(cls, text=text, names=_names(node), eager=_eager(node))
