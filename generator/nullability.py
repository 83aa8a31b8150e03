"""Which properties a schema declares, through ``allOf`` too, and whether each admits ``null``.

A model's fields come from its own ``properties`` and from those of its ``allOf``
members (inline, or ``$ref``'d schemas). Whether ``null`` is allowed is read from
the property's declarations: 3.1 ``type: [string, 'null']``, 3.0 ``nullable: true``,
a ``null`` member of ``oneOf``/``anyOf``, a ``$ref`` to a schema that admits it. Several declarations of one property (a
base and an ``allOf`` member both naming ``note``) must all admit ``null`` for the
property to: ``allOf`` means every part holds.

Pure functions over plain schema dicts; :mod:`generator.model_source` asks them when
it describes each generated class, so that a nullable field inside an ``allOf`` is
neither refused in requests nor typed without ``None`` in the client's arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["is_nullable", "property_schemas"]

_SCHEMA_REF = "#/components/schemas/"


def is_nullable(schema: Any, schemas: Mapping[str, Any] | None = None, *, limit: int = 16) -> bool:
    """Whether one property schema admits ``null`` (through ``allOf`` parts too).

    With ``schemas`` (name -> schema) a ``$ref`` to ``#/components/schemas/...`` is
    followed: a property that refers to a nullable schema is nullable.
    """
    if not isinstance(schema, dict) or limit <= 0:
        return False
    if schema.get("nullable") is True:
        return True
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    ref = schema.get("$ref")
    target = (
        schemas.get(ref[len(_SCHEMA_REF) :])
        if schemas is not None and isinstance(ref, str) and ref.startswith(_SCHEMA_REF)
        else None
    )
    if target is not None and is_nullable(target, schemas, limit=limit - 1):
        return True
    for key in ("oneOf", "anyOf"):
        if any(is_nullable(s, schemas, limit=limit - 1) for s in schema.get(key) or []):
            return True
    parts = [p for p in schema.get("allOf") or [] if isinstance(p, dict) and p]
    return (
        bool(parts)
        and "type" not in schema
        and all(is_nullable(p, schemas, limit=limit - 1) for p in parts)
    )


def property_schemas(
    schema: Any, schemas: Mapping[str, Any], *, limit: int = 32
) -> dict[str, dict[str, Any]]:
    """Property name -> one schema standing for all its declarations in ``schema``.

    ``schema``'s own ``properties`` and those of its ``allOf`` members (``$ref``s to
    ``#/components/schemas/...`` followed through ``schemas``) are gathered. A
    property declared more than once is nullable only if every declaration is, and
    read-only if any is; the result then carries those two facts
    (``nullable: true`` or not, ``readOnly``) beside the first declaration. A single
    declaration that refers (``$ref``) to a nullable schema comes back marked
    ``nullable: true``.
    """
    found: dict[str, list[dict[str, Any]]] = {}
    _collect(schema, schemas, found, set(), limit)
    result: dict[str, dict[str, Any]] = {}
    for name, declarations in found.items():
        if len(declarations) == 1:
            only = declarations[0]
            through_ref = not is_nullable(only) and is_nullable(only, schemas)
            result[name] = {**only, "nullable": True} if through_ref else only
            continue
        merged = {k: v for k, v in declarations[0].items() if k not in {"nullable", "type"}}
        if all(is_nullable(d, schemas) for d in declarations):
            merged["nullable"] = True
        if any(d.get("readOnly") is True for d in declarations):
            merged["readOnly"] = True
        result[name] = merged
    return result


def _collect(
    schema: Any,
    schemas: Mapping[str, Any],
    found: dict[str, list[dict[str, Any]]],
    seen: set[str],
    limit: int,
) -> None:
    if not isinstance(schema, dict) or limit <= 0:
        return
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(_SCHEMA_REF):
        name = ref[len(_SCHEMA_REF) :]
        if name not in seen:
            seen.add(name)
            _collect(schemas.get(name), schemas, found, seen, limit - 1)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for name, declaration in properties.items():
            if isinstance(declaration, dict):
                found.setdefault(name, []).append(declaration)
    for part in schema.get("allOf") or []:
        _collect(part, schemas, found, seen, limit - 1)
