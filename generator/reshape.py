"""Reshape a spec's schemas for the models generator: one named schema per class.

datamodel-code-generator names an inline object after wherever it finds it, which
changes when the spec around it changes. Here every schema that becomes a class gets
its name first, from where it is used (``AddParticipantRequest``, ``PetOwner``,
``PetTagsItem``): components keep theirs (as class names), and inline objects, union
alternatives and schemas referenced from outside ``components/schemas`` are hoisted
into schemas of their own. The result is a :class:`~generator.ir.ModelsDocument` in
which every ``$ref`` points at a class by name; identical hoisted schemas share one.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Callable
from typing import Any

from generator import naming
from generator.ir import ModelsDocument
from generator.load import deref, parse_pointer

__all__ = ["ModelSchemas"]
_SCHEMA_PREFIX = "#/components/schemas/"
_SCHEMA_REF = re.compile(r"^#/components/schemas/([^/]+)$")
#: keywords whose values are data, never schemas to rewrite
_DATA_KEYWORDS = frozenset(
    {"example", "examples", "default", "enum", "const", "xml", "externalDocs"}
)


class ModelSchemas:
    """The schemas the models will define, each under its class name, as they are asked for.

    Created on a spec's document, it holds the components' schemas; the operations
    :meth:`register` their inline request and response schemas; :meth:`document`
    hoists and names everything else.
    """

    def __init__(self, document: dict[str, Any]) -> None:
        self._document = document
        #: class name -> schema (as the spec has it; rewritten by :meth:`document`)
        self.schemas: dict[str, Any] = {}
        #: component name -> class name
        self.renamed: dict[str, str] = {}
        components = document.get("components") or {}
        taken: set[str] = set()
        for name in components.get("schemas") or {}:
            python = naming.class_name(name, reserved=taken)
            taken.add(python)
            self.renamed[name] = python
        for name, schema in (components.get("schemas") or {}).items():
            self.schemas[self.renamed[name]] = schema

    def deref(self, node: Any) -> Any:
        return deref(self._document, node, missing={})

    def free_class_name(self, wanted: str) -> str:
        return naming.class_name(wanted, reserved=self.schemas)

    def register(self, wanted: str, schema: dict[str, Any]) -> str:
        """Give an inline schema a class name (or reuse the component it references)."""
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if isinstance(ref, str):
            match = _SCHEMA_REF.match(ref)
            if match:
                name = parse_pointer("/" + match.group(1))[0]
                if name in self.renamed:
                    return self.renamed[name]
        name = self.free_class_name(wanted)
        self.schemas[name] = schema
        return name

    def document(self) -> ModelsDocument:
        """The schemas to generate, inline objects hoisted, every ``$ref`` renamed."""
        result: dict[str, Any] = {}
        queue = deque(self.schemas.items())
        hoisted_names: list[str] = []
        while queue:
            name, schema = queue.popleft()
            hoisted: list[tuple[str, Any]] = []
            result[name] = self.rewrite(schema, name, hoisted)
            queue.extend(hoisted)
            hoisted_names.extend(new for new, _ in hoisted)
        return ModelsDocument(
            openapi_version=str(self._document.get("openapi", "3.1.0")),
            schemas=_merge_identical(result, hoisted_names),
        )

    def rewrite(self, node: Any, owner: str, hoisted: list[tuple[str, Any]]) -> Any:
        """``node`` (a value anywhere inside the schema of class ``owner``) as models see it.

        A ``$ref`` to a component names the component's class; inline objects and
        schemas referenced from elsewhere in the document become classes named after
        ``owner`` (appended to ``hoisted``, for the caller to rewrite in turn); values
        that are data, not schemas, are left as they are.
        """
        if isinstance(node, list):
            return [self.rewrite(v, owner, hoisted) for v in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            return self.rewrite_ref(node, ref, owner, hoisted)
        return {
            key: self.rewrite_keyword(node, key, value, owner, hoisted)
            for key, value in node.items()
        }

    def rewrite_ref(
        self, node: dict[str, Any], ref: str, owner: str, hoisted: list[tuple[str, Any]]
    ) -> dict[str, Any]:
        """A local ``$ref``, pointing at the class the models document will have for it.

        A component keeps its own (renamed) class; a schema written anywhere else
        (``#/paths/...``) is taken along as a class of its own, named after ``owner``.
        """
        match = _SCHEMA_REF.match(ref)
        if match:
            name = parse_pointer("/" + match.group(1))[0]
            return {**node, "$ref": _SCHEMA_PREFIX + self.renamed.get(name, name)}
        target = self.deref(node)
        wanted = owner + naming.pascal_case(parse_pointer(ref[1:])[-1])
        new = self.free_class_name(wanted)
        self.schemas[new] = target
        hoisted.append((new, target))
        return {"$ref": _SCHEMA_PREFIX + new}

    def rewrite_keyword(
        self,
        node: dict[str, Any],
        key: str,
        value: Any,
        owner: str,
        hoisted: list[tuple[str, Any]],
    ) -> Any:
        """The value of ``node[key]`` rewritten as the keyword says: a child schema whose
        inline object becomes a class (``OwnerProp``, ``OwnerItem``, ``OwnerValue``, a union
        alternative), data kept verbatim, anything else rewritten under the same owner."""
        if key == "properties" and isinstance(value, dict):
            return {
                prop: self.hoist(child, owner + naming.pascal_case(prop), hoisted)
                for prop, child in value.items()
            }
        if key == "items" and isinstance(value, dict):
            return self.hoist(value, owner + "Item", hoisted)
        if key == "additionalProperties" and isinstance(value, dict):
            return self.hoist(value, owner + "Value", hoisted)
        if key in ("oneOf", "anyOf") and isinstance(value, list) and _is_plain_union(node):
            # in a plain union each inline object alternative is a class of its own
            # either way; named here it is named after its owner (stable when other
            # schemas change) and identical ones merge. Alternatives that refine
            # the owner's own properties are left for the models stage to merge.
            return [
                self.hoist(option, owner + _option_name(option, index), hoisted)
                for index, option in enumerate(value)
            ]
        if key in _DATA_KEYWORDS or key.startswith("x-"):
            return value  # data, not schemas (vendor extensions may say "properties")
        return self.rewrite(value, owner, hoisted)

    def hoist(self, schema: Any, wanted: str, hoisted: list[tuple[str, Any]]) -> Any:
        """Inline objects with properties become named classes; everything else stays put."""
        if (
            isinstance(schema, dict)
            and "$ref" not in schema
            and isinstance(schema.get("properties"), dict)
        ):
            name = self.free_class_name(wanted)
            self.schemas[name] = schema
            hoisted.append((name, schema))
            return {"$ref": _SCHEMA_PREFIX + name}
        if (
            isinstance(schema, dict)
            and schema.get("type") == "array"
            and isinstance(schema.get("items"), dict)
        ):
            items = self.hoist(schema["items"], wanted + "Item", hoisted)
            rest = self.rewrite({k: v for k, v in schema.items() if k != "items"}, wanted, hoisted)
            return {**rest, "items": items}
        return self.rewrite(schema, wanted, hoisted)


def _option_name(option: Any, index: int) -> str:
    """The name part of a ``oneOf``/``anyOf`` alternative: its title, else its position."""
    title = option.get("title") if isinstance(option, dict) else None
    if isinstance(title, str) and naming.pascal_case(title):
        return naming.pascal_case(title)
    return f"Option{index + 1}"


def _is_plain_union(schema: dict[str, Any]) -> bool:
    """Whether the ``oneOf``/``anyOf`` of ``schema`` stands alone: no properties of
    its own that the alternatives could refine."""
    return not any(k in schema for k in ("properties", "allOf", "required"))


def _merge_identical(schemas: dict[str, Any], hoisted: list[str]) -> dict[str, Any]:
    """Give identical hoisted schemas one class: the first of them, in document order.

    Specs repeat inline objects verbatim (GitHub's webhook payloads each carry the same
    ``repository`` object); one class per copy would make thousands of identical classes
    that ``isinstance`` cannot tell apart and that cost time to generate and to import.
    Only schemas this module hoisted (and so named) are merged; a component keeps its own
    class. A hoisted schema is referenced by its parent alone and its own hoisted children
    come after it, so walking them backwards settles every child before its parent: two
    parents are identical when their children are, whatever the children are called.
    """
    group_of: dict[str, int] = {}  # hoisted name -> its group of identical schemas
    groups: dict[str, int] = {}  # canonical text -> group
    for name in reversed(hoisted):
        canonical = _with_refs(schemas[name], group_of.get)  # children by group, not name
        text = json.dumps(canonical, sort_keys=False, default=str)
        group_of[name] = groups.setdefault(text, len(groups))
    if len(groups) == len(group_of):
        return schemas
    keeper: dict[int, str] = {}
    for name in schemas:  # document order: the first of each group keeps its name
        if name in group_of:
            keeper.setdefault(group_of[name], name)
    replaced = {name: keeper[group] for name, group in group_of.items() if keeper[group] != name}

    def renamed(name: str) -> str | None:
        return _SCHEMA_PREFIX + replaced[name] if name in replaced else None

    return {
        name: _with_refs(schema, renamed)
        for name, schema in schemas.items()
        if name not in replaced
    }


def _with_refs(node: Any, new_ref: Callable[[str], object | None]) -> Any:
    """``node`` with each ``$ref`` to schema ``X`` set to ``new_ref(X)`` (``None``: left alone)."""
    if isinstance(node, list):
        return [_with_refs(v, new_ref) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_SCHEMA_PREFIX):
        value = new_ref(ref[len(_SCHEMA_PREFIX) :])
        if value is not None:
            return {**node, "$ref": value}
    return {key: _with_refs(value, new_ref) for key, value in node.items()}
