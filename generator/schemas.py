"""Where the schema objects of an OpenAPI document are.

Validation (examples, defaults) and the intermediate model (hoisting inline
schemas) both need to visit every schema object with its JSON pointer; this
module is the one place that knows which keywords hold schemas. It also holds the
two small readings of a document that several stages share: which media types are
JSON, and which ``{name}`` variables a path or server URL template uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from generator.diagnostics import join_pointer

__all__ = [
    "HTTP_METHODS",
    "SCHEMA_LISTS",
    "SCHEMA_MAPS",
    "SCHEMA_SINGLE",
    "TEMPLATE_VARIABLE",
    "is_json_media",
    "iter_media_types",
    "iter_operations",
    "iter_schemas",
    "subschemas",
]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

#: a ``{name}`` in a path or server URL template, read as the runtime reads it (the
#: runtime, copied into generated packages without the generator, keeps its own copy)
TEMPLATE_VARIABLE = re.compile(r"\{([^{}]+)\}")


def is_json_media(media_type: str) -> bool:
    """Whether a body of ``media_type`` is JSON to the client (``*/*`` included).

    The intermediate model picks the JSON media type of a body or response by it, and
    the renderer decides by it that a schemaless success response is a parsed value.
    """
    base = media_type.split(";")[0].strip().lower()
    return base == "application/json" or base.endswith("+json") or base == "*/*"


#: the keywords whose value maps names to schemas, holds a list of schemas, or is one
SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
SCHEMA_LISTS = ("allOf", "oneOf", "anyOf", "prefixItems")
SCHEMA_SINGLE = (
    "items",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
)


def subschemas(schema: dict[str, Any], pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The direct child schemas of ``schema`` with their pointers."""
    for key in SCHEMA_MAPS:
        children = schema.get(key)
        if isinstance(children, dict):
            for name, child in children.items():
                if isinstance(child, dict):
                    yield join_pointer(pointer, key, name), child
    for key in SCHEMA_LISTS:
        children = schema.get(key)
        if isinstance(children, list):
            for index, child in enumerate(children):
                if isinstance(child, dict):
                    yield join_pointer(pointer, key, index), child
    for key in SCHEMA_SINGLE:
        child = schema.get(key)
        if isinstance(child, dict):
            yield join_pointer(pointer, key), child
        elif key == "items" and isinstance(child, list):  # draft 4 tuple form
            for index, item in enumerate(child):
                if isinstance(item, dict):
                    yield join_pointer(pointer, key, index), item


def iter_operations(
    document: dict[str, Any],
) -> Iterator[tuple[str, str, str, dict[str, Any], dict[str, Any]]]:
    """``(pointer, path, method, path_item, operation)`` for every operation, in spec order."""
    paths = document.get("paths")
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield join_pointer("/paths", path, method), path, method, item, operation


def iter_media_types(
    container: dict[str, Any], pointer: str
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(pointer, media type, media object)`` under a ``content`` map."""
    content = container.get("content")
    if isinstance(content, dict):
        for media, obj in content.items():
            if isinstance(obj, dict):
                yield join_pointer(pointer, "content", media), media, obj


def _roots(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The schemas not inside another schema: the components' first, then the operations'.

    The order is the document's, so :func:`iter_schemas` reports a schema written
    once but reachable twice (a path item's parameters) at its first pointer.
    """
    components = document.get("components")
    if isinstance(components, dict):
        yield from _component_roots(components)
    for pointer, _path, _method, item, operation in iter_operations(document):
        yield from _operation_roots(pointer, item, operation)


def _component_roots(components: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The schemas under ``/components``: named schemas, then those of parameters, headers,
    request bodies and responses."""
    for name, schema in _objects(components, "schemas"):
        yield join_pointer("/components/schemas", name), schema
    for kind in ("parameters", "headers"):
        for name, obj in _objects(components, kind):
            yield from _parameter_schemas(obj, join_pointer("/components", kind, name))
    for kind in ("requestBodies", "responses"):
        for name, obj in _objects(components, kind):
            yield from _content_schemas(obj, join_pointer("/components", kind, name))


def _operation_roots(
    pointer: str, item: dict[str, Any], operation: dict[str, Any]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The schemas of one operation at ``pointer``: its path item's parameters (shared by
    the path's operations), its own parameters, its request body and its responses."""
    item_pointer = pointer.rsplit("/", 1)[0]
    yield from _parameter_list_schemas(item.get("parameters"), item_pointer)
    yield from _parameter_list_schemas(operation.get("parameters"), pointer)
    body = operation.get("requestBody")
    if isinstance(body, dict):
        yield from _content_schemas(body, join_pointer(pointer, "requestBody"))
    for status, response in _objects(operation, "responses"):
        yield from _content_schemas(response, join_pointer(pointer, "responses", status))


def _parameter_list_schemas(
    parameters: Any, owner_pointer: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The schemas of a ``parameters`` list (of a path item or an operation at ``owner_pointer``)."""
    for index, parameter in enumerate(parameters or []):
        if isinstance(parameter, dict):
            yield from _parameter_schemas(
                parameter, join_pointer(owner_pointer, "parameters", index)
            )


def _objects(container: dict[str, Any], key: str) -> Iterator[tuple[Any, dict[str, Any]]]:
    """``(name, object)`` for the object entries of the map ``container[key]``.

    A missing or malformed map, and entries that are not objects, are skipped here:
    validation reports them; this module only finds schemas.
    """
    section = container.get(key)
    if isinstance(section, dict):
        for name, obj in section.items():
            if isinstance(obj, dict):
                yield name, obj


def _parameter_schemas(
    parameter: dict[str, Any], pointer: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    schema = parameter.get("schema")
    if isinstance(schema, dict):
        yield join_pointer(pointer, "schema"), schema
    yield from _content_schemas(parameter, pointer)


def _content_schemas(
    container: dict[str, Any], pointer: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    for media_pointer, _media, obj in iter_media_types(container, pointer):
        schema = obj.get("schema")
        if isinstance(schema, dict):
            yield join_pointer(media_pointer, "schema"), schema
    headers = container.get("headers")
    if isinstance(headers, dict):
        for name, header in headers.items():
            if isinstance(header, dict):
                yield from _parameter_schemas(header, join_pointer(pointer, "headers", name))


def iter_schemas(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object written in the document (not following ``$ref``), once each."""
    seen: set[int] = set()
    stack = list(_roots(document))
    stack.reverse()
    while stack:
        pointer, schema = stack.pop()
        if id(schema) in seen:
            continue
        seen.add(id(schema))
        yield pointer, schema
        children = list(subschemas(schema, pointer))
        children.reverse()
        stack.extend(children)
