"""Request ``TypedDict``s: a model a request carries may also be given as a typed dict literal.

A keyword argument typed ``Chatroom | Mapping[str, Any]`` lets a misspelt key go over the wire
unnoticed (the runtime keeps unknown fields: ``extra="allow"``). So, as openai-python does, each
plain model reachable from a request body gets a ``<Model>Param`` ``TypedDict`` generated from
the same fields: wire names as keys, ``Required[...]`` / ``NotRequired[...]`` as the schema says,
values typed like the method's keyword arguments (nested models as model or ``TypedDict``,
enums as their literals, dates also as text). Type checkers then reject unknown or misspelt keys
and wrong value types in dict literals; the runtime still validates the dict with the model
before anything is sent.

The classes are added to the models module's records (:class:`~generator.model_source.ModelSource`)
after the models stage, so they are laid out, exported and lazily imported like the models, and
resource modules import them for annotations only. Left out (they keep ``Mapping[str, Any]``):
models with a key that is not a Python identifier (the class syntax cannot spell it), and models
of a module the models generator wrote with statements other than imports and classes.
"""

from __future__ import annotations

import ast
import keyword
from collections.abc import Iterable, Mapping
from dataclasses import replace

from generator.annotations import argument_annotation
from generator.ir import Api
from generator.model_source import ClassSource, ModelClass, ModelSource, assemble
from generator.models import ModelsModule

__all__ = ["PARAM_SUFFIX", "param_class_text", "request_models", "with_request_params"]

PARAM_SUFFIX = "Param"
_IMPORTS = (
    "from collections.abc import Mapping, Sequence",
    "from typing import Any, Literal, NotRequired, Required, TypedDict",
)
_IMPORTED = {
    "Mapping": ("collections.abc", "Mapping"),
    "Sequence": ("collections.abc", "Sequence"),
    "Any": ("typing", "Any"),
    "Literal": ("typing", "Literal"),
    "NotRequired": ("typing", "NotRequired"),
    "Required": ("typing", "Required"),
    "TypedDict": ("typing", "TypedDict"),
}


def _names(source: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(source, mode="eval")) if isinstance(n, ast.Name)}


def request_models(api: Api, classes: Mapping[str, ModelClass]) -> list[str]:
    """The plain models a request may carry as a dict, in a stable order.

    A spread body's own model is not one (its fields are keyword arguments), but the
    models its fields refer to are; a whole body's model is. Root models are looked
    through (a list of models, a union).
    """
    todo: list[str] = []
    for op in api.operations:
        body = op.body
        model = classes.get(body.class_name) if body is not None else None
        if model is None:
            continue
        if body is not None and body.spread and not model.is_root and model.fields:
            todo += sorted({n for f in model.fields for n in _names(f.annotation)} & classes.keys())
        else:
            todo.append(model.name)
    found: list[str] = []
    seen: set[str] = set()
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        seen.add(name)
        model = classes[name]
        sources = [model.root_annotation] if model.is_root else [f.annotation for f in model.fields]
        for source in sources:
            todo += sorted(_names(source) & classes.keys())
        if not model.is_root and model.fields and all(_spellable(f.alias) for f in model.fields):
            found.append(name)
    return found


def _spellable(key: str) -> bool:
    return key.isidentifier() and not keyword.iskeyword(key)


def param_class_text(
    model: ModelClass,
    name: str,
    *,
    kinds: Mapping[str, str | None],
    params: Mapping[str, str],
) -> str:
    """The ``class <name>(TypedDict)`` statement for ``model``."""
    lines = [
        f"class {name}(TypedDict):",
        f'    """:class:`{model.name}` as a dict literal: its wire names as keys."""',
        "",
    ]
    for field in model.fields:
        value = argument_annotation(
            field.annotation,
            models=kinds,
            nullable=field.nullable,
            optional=False,
            params=params,
            wire_scalars=True,
        ).text
        marker = "Required" if field.required else "NotRequired"
        lines.append(f"    {field.alias}: {marker}[{value}]")
    return "\n".join(lines)


def _unique(name: str, taken: Iterable[str]) -> str:
    used = set(taken)
    candidate, number = name, 2
    while candidate in used:
        candidate, number = f"{name}{number}", number + 1
    return candidate


def with_request_params(api: Api, models: ModelsModule) -> ModelsModule:
    """``models`` plus a ``<Model>Param`` ``TypedDict`` per model a request may carry."""
    module = models.parts
    if module is None or not module.plain:
        return models
    names = request_models(api, models.classes)
    if not names:
        return models
    taken = set(models.types) | set(module.imported)  # classes and type aliases
    params: dict[str, str] = {}
    for name in names:
        params[name] = _unique(name + PARAM_SUFFIX, taken)
        taken.add(params[name])
    kinds = {n: (cls.root_annotation if cls.is_root else None) for n, cls in models.types.items()}
    added: list[ClassSource] = []
    for name in names:
        model = models.classes[name]
        text = param_class_text(model, params[name], kinds=kinds, params=params)
        tree = ast.parse(text)
        used = frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name))
        added.append(
            ClassSource(
                params[name],
                text,
                used,
                frozenset({"TypedDict"}),
                ModelClass(params[name], (), False),
            )
        )
    parts: ModelSource = replace(
        module,
        imports=(*module.imports, *_IMPORTS),
        imported={**module.imported, **_IMPORTED},
        classes=(*module.classes, *added),
    )
    parts = replace(parts, source=assemble(parts))
    return replace(
        models,
        source=parts.source,
        classes={**models.classes, **{c.name: c.model for c in added}},
        imports=dict(parts.imported),
        parts=parts,
        params=params,
    )
