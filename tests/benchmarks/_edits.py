"""Deterministic one-change edits of an OpenAPI document, for the incremental-regeneration measure.

``run.py --incremental`` regenerates a spec after a small edit, the team's daily loop (edit
the spec, regenerate, review, commit). The edits, each computed once from the original bytes:

* ``description``: the ``description`` of one schema in ``components/schemas`` gets
  ``" (edited)"`` appended. The schema: among those whose ``description`` is a non-empty
  string, the one whose name sorts in the middle (``names[len(names) // 2]``).
* ``add_operation``: a new path ``/clientgen-bench/added`` holding a copy of one existing
  operation with the ``operationId`` ``clientgenBenchAdded``. The source: the first path in
  document order with a ``get`` that has an ``operationId``, preferring paths without
  templated segments or path-level ``parameters`` (so the copy is valid as it stands); a
  templated source's parameters come along as extra segments (``.../added/{owner}``) and its
  path-level ``parameters`` are copied too. A spec without any GET (the chat spec) falls back
  to the first operation with an ``operationId`` of any method.

The file keeps its format, so that the edit is all that changes: JSON is re-serialised with
the indent and escaping that reproduce the original bytes exactly (checked; when no
combination does, the closest is used and ``format_preserved`` is false); YAML is edited as
text, through the positions libyaml reports for the nodes, so every other byte stays as it
was: the edited scalar becomes a one-line double-quoted scalar followed by as many blank
lines as it had lines more (every later line keeps its number, as after a hand edit), and
the added path item is a verbatim copy of the source's text, after the last path. Every edit is checked by parsing the result: it must be the
original document plus exactly the intended change, or :class:`EditError` is raised.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "ADDED_OPERATION_ID",
    "ADDED_PATH",
    "EDIT_SUFFIX",
    "Edit",
    "EditError",
    "pick_operation",
    "pick_schema",
    "prepare_edits",
]

EDIT_SUFFIX = " (edited)"
ADDED_PATH = "/clientgen-bench/added"
ADDED_OPERATION_ID = "clientgenBenchAdded"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_LOADER: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: characters a YAML double-quoted scalar must escape that ``json.dumps`` leaves as they are
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


class EditError(ValueError):
    """The document offers nothing to edit, or the edit did not come out as intended."""


@dataclass(frozen=True)
class Edit:
    """One edited version of a spec file."""

    #: ``description`` or ``add_operation``
    kind: str
    #: the whole edited file
    content: bytes
    #: what changed, e.g. ``components/schemas/Pet description``
    target: str
    #: every byte outside the edit is as in the original
    format_preserved: bool


# --------------------------------------------------------------------------- choices


def pick_schema(document: Any) -> str:
    """The name of the schema whose description is edited (see the module docstring)."""
    schemas = (document.get("components") or {}).get("schemas") or {}
    names = sorted(
        str(name)
        for name, schema in schemas.items()
        if isinstance(schema, dict)
        and isinstance(schema.get("description"), str)
        and schema["description"].strip()
    )
    if not names:
        raise EditError("no schema in components/schemas has a non-empty description")
    return names[len(names) // 2]


def pick_operation(document: Any) -> tuple[str, str]:
    """``(path, method)`` of the operation the added path copies (see the module docstring)."""
    candidates: list[tuple[bool, bool, int, str, str]] = []
    for index, (path, item) in enumerate((document.get("paths") or {}).items()):
        if not isinstance(item, dict) or "$ref" in item:
            continue
        templated = "{" in str(path) or "parameters" in item
        for method in _METHODS:
            operation = item.get(method)
            if isinstance(operation, dict) and isinstance(operation.get("operationId"), str):
                candidates.append((method != "get", templated, index, str(path), method))
    if not candidates:
        raise EditError("no operation in paths has an operationId")
    _, _, _, path, method = min(candidates)
    return path, method


def _added_path(source: str) -> str:
    return ADDED_PATH + "".join(f"/{{{name}}}" for name in re.findall(r"\{([^}]+)\}", source))


def _added_item(document: Any, path: str, method: str) -> dict[str, Any]:
    """The path item the edit adds, as the parsed edited document must hold it."""
    item = document["paths"][path]
    added: dict[str, Any] = {}
    if "parameters" in item:
        added["parameters"] = item["parameters"]
    added[method] = {**item[method], "operationId": ADDED_OPERATION_ID}
    return added


def _schema_key(schemas: dict[Any, Any], name: str) -> Any:
    return next(key for key in schemas if str(key) == name)


# --------------------------------------------------------------------------- checks


def _check_description(original: Any, edited: Any, name: str) -> None:
    schemas = edited["components"]["schemas"]
    key = _schema_key(schemas, name)
    old = original["components"]["schemas"][key]["description"]
    if schemas[key].get("description") != old + EDIT_SUFFIX:
        raise EditError(f"the description of {name} did not come out as intended")
    schemas[key]["description"] = old
    if edited != original:
        raise EditError("the description edit changed more than that description")


def _check_added(original: Any, edited: Any, path: str, method: str) -> None:
    new = _added_path(path)
    if (edited.get("paths") or {}).get(new) != _added_item(original, path, method):
        raise EditError(f"the added path {new} did not come out as intended")
    del edited["paths"][new]
    if edited != original:
        raise EditError("adding an operation changed more than that")


# --------------------------------------------------------------------------- JSON


def _json_dumper(text: str, document: Any) -> tuple[dict[str, Any], str, bool]:
    """``json.dumps`` options and trailing text that reproduce ``text`` (and whether they do)."""
    found = re.match(r"[\[{]\r?\n([ \t]+)\S", text)
    indent: str | None = found.group(1) if found else None
    tail = text[len(text.rstrip()) :]
    options: list[dict[str, Any]] = [
        {"indent": indent, "ensure_ascii": ascii_only, "separators": separators}
        for ascii_only in (False, True)
        for separators in ((",", ": "), (",", ":"), (", ", ": "))
    ]
    for kwargs in options:
        if json.dumps(document, **kwargs) + tail == text:
            return kwargs, tail, True
    return options[0], tail, False


def _json_edits(text: str) -> tuple[Edit, Edit]:
    document = json.loads(text)
    kwargs, tail, preserved = _json_dumper(text, document)

    def dump(value: Any) -> bytes:
        return (json.dumps(value, **kwargs) + tail).encode("utf-8")

    name = pick_schema(document)
    schemas = document["components"]["schemas"]
    schema = schemas[_schema_key(schemas, name)]
    old = schema["description"]
    schema["description"] = old + EDIT_SUFFIX
    described = dump(document)
    schema["description"] = old
    _check_description(document, json.loads(described), name)

    path, method = pick_operation(document)
    new = _added_path(path)
    document["paths"][new] = _added_item(document, path, method)
    added = dump(document)
    del document["paths"][new]
    _check_added(document, json.loads(added), path, method)
    return (
        Edit("description", described, f"components/schemas/{name} description", preserved),
        Edit("add_operation", added, f"paths {new} {method}: a copy of {path} {method}", preserved),
    )


# --------------------------------------------------------------------------- YAML


def _compose(text: str) -> tuple[yaml.Node, Any]:
    """The node tree of ``text`` (with positions) and the document built from it: one parse."""
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise EditError("the YAML file holds no document")
        return node, loader.construct_document(node)
    finally:
        loader.dispose()


def _load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)  # a safe loader (libyaml's where installed)


def _pair(mapping: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node]:
    if not isinstance(mapping, yaml.MappingNode):
        raise EditError(f"expected a mapping around {key!r}")
    for key_node, value_node in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return key_node, value_node
    raise EditError(f"no key {key!r}")


def _has(mapping: yaml.Node, key: str) -> bool:
    return any(isinstance(k, yaml.ScalarNode) and k.value == key for k, _ in mapping.value)


def _dq(value: str) -> str:
    """``value`` as a YAML double-quoted scalar (JSON's string syntax, minus YAML's line breaks)."""
    return _YAML_UNSAFE.sub(
        lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False)
    )


def _is_block(node: yaml.Node) -> bool:
    return isinstance(node, yaml.MappingNode | yaml.SequenceNode) and not node.flow_style


def _whole_lines(span: str) -> str:
    """A node's source text cut after its last line break (dropping the next token's indent)."""
    cut = span.rfind("\n")
    if cut >= 0 and not span[cut + 1 :].strip():
        return span[: cut + 1]
    return span + "\n"


def _yaml_description(text: str, root: yaml.Node, name: str) -> str:
    _, schemas = _pair(_pair(root, "components")[1], "schemas")
    _, schema = _pair(schemas, name)
    _, scalar = _pair(schema, "description")
    if not isinstance(scalar, yaml.ScalarNode):
        raise EditError(f"the description of {name} is not a scalar")
    start, end = scalar.start_mark.index, scalar.end_mark.index
    span = text[start:end]
    # a block scalar's span ends with its line break(s): they stay
    body = span.rstrip("\n") if scalar.style in ("|", ">") else span
    # the quoted scalar takes one line: blank lines after it keep every later line's number
    padding = "\n" * body.count("\n")
    return text[:start] + _dq(scalar.value + EDIT_SUFFIX) + padding + span[len(body) :] + text[end:]


def _yaml_added(text: str, root: yaml.Node, path: str, method: str) -> str:
    _, paths = _pair(root, "paths")
    if not _is_block(paths) or not paths.value:
        raise EditError("paths is not a block mapping")
    _, item = _pair(paths, path)
    if not _is_block(item):
        raise EditError(f"the path item {path} is not a block mapping")
    path_indent = paths.value[0][0].start_mark.column
    key_indent = item.value[0][0].start_mark.column
    lines = [" " * path_indent + _dq(_added_path(path)) + ":\n"]
    for key in ("parameters", method):
        if key == "parameters" and not _has(item, key):
            continue
        key_node, value = _pair(item, key)
        start, end = value.start_mark.index, value.end_mark.index
        span = text[start:end]
        if key == method:  # the copy gets its own operationId
            _, op_id = _pair(value, "operationId")
            a, b = op_id.start_mark.index - start, op_id.end_mark.index - start
            span = span[:a] + ADDED_OPERATION_ID + span[b:]
        head = " " * key_indent + text[key_node.start_mark.index : key_node.end_mark.index] + ":"
        if _is_block(value):
            lines.append(head + "\n" + " " * value.start_mark.column + _whole_lines(span))
        else:
            lines.append(head + " " + _whole_lines(span))
    insertion = "".join(lines)
    # after the last path item: at the start of the line of the token that ends the mapping
    pos, column = paths.end_mark.index, paths.end_mark.column
    if column and not text[pos - column : pos].strip():
        pos -= column
    elif column or (pos and text[pos - 1] != "\n"):
        insertion = "\n" + insertion  # the mapping ends the file, without a final line break
    return text[:pos] + insertion + text[pos:]


def _yaml_edits(text: str) -> tuple[Edit, Edit]:
    root, document = _compose(text)
    name = pick_schema(document)
    described = _yaml_description(text, root, name)
    _check_description(document, _load_yaml(described), name)

    path, method = pick_operation(document)
    added = _yaml_added(text, root, path, method)
    _check_added(document, _load_yaml(added), path, method)
    new = _added_path(path)
    return (
        Edit(
            "description",
            described.encode("utf-8"),
            f"components/schemas/{name} description",
            True,
        ),
        Edit(
            "add_operation",
            added.encode("utf-8"),
            f"paths {new} {method}: a copy of {path} {method}",
            True,
        ),
    )


# --------------------------------------------------------------------------- entry points


def _is_json(path: Path, text: str) -> bool:
    return path.suffix.lower() == ".json" or (
        path.suffix.lower() not in (".yaml", ".yml") and text.lstrip().startswith("{")
    )


def prepare_edits(path: Path, original: bytes | None = None) -> tuple[Edit, Edit]:
    """The ``description`` and ``add_operation`` edits of the spec at ``path``."""
    text = (path.read_bytes() if original is None else original).decode("utf-8")
    try:
        return _json_edits(text) if _is_json(path, text) else _yaml_edits(text)
    except (KeyError, TypeError, AttributeError, yaml.YAMLError, json.JSONDecodeError) as exc:
        raise EditError(f"cannot edit {path.name}: {type(exc).__name__}: {exc}") from exc
