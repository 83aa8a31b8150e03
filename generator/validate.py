"""Check a loaded spec: openapi-spec-validator first, then clientgen's own lint rules.

Each rule has a stable id (the ``rule`` of its diagnostics); the lint rules catch a
mistake the structural validator lets through, or one that would make the generated
client wrong. Every rule, with its level and what it catches, is listed once, in
:mod:`generator.rules` (and the README's table).
"""

from __future__ import annotations

import contextvars
import difflib
import functools
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from generator import naming
from generator.check_units import CheckUnits, Raw, forget, raw, unit_of
from generator.diagnostics import Diagnostics, Level, join_pointer
from generator.load import LoadedSpec, deref, parse_pointer, resolve_pointer
from generator.rules import RULES as ALL_RULES
from generator.schemas import TEMPLATE_VARIABLE, iter_operations, iter_schemas

if TYPE_CHECKING:
    from generator.cache import Memo

__all__ = ["RULES", "check_structure", "lint_spec", "validate_spec"]

#: the ids of the rules this stage reports (all of them are in :data:`generator.rules.RULES`)
RULES = tuple(rule.id for rule in ALL_RULES.values() if rule.stage == "validate")

#: the document being checked, for the keyword validators to find written locations
_DOCUMENT: contextvars.ContextVar[Any] = contextvars.ContextVar("clientgen_document", default=None)
#: the keyword checks recurse once or twice per level of nested (and $ref'd) schemas
_RECURSION_LIMIT = 6000
_SPEC_URI = "urn:clientgen:spec"


def validate_spec(spec: LoadedSpec, diagnostics: Diagnostics, memo: Memo | None = None) -> None:
    """Add every problem of ``spec`` to ``diagnostics``: structure, then lint rules.

    ``memo`` holds the findings of earlier runs per unit of the spec
    (:mod:`generator.check_units`): the units whose text is unchanged are not checked again.
    """
    check_structure(spec, diagnostics, memo)
    lint_spec(spec, diagnostics, memo)
    forget()  # the digests kept for the two checks: their memory is the models' to use


def lint_spec(spec: LoadedSpec, diagnostics: Diagnostics, memo: Memo | None = None) -> None:
    """clientgen's own lint rules (the table in this module's docstring)."""
    _Linter(spec, diagnostics, memo).run()


def check_structure(spec: LoadedSpec, diagnostics: Diagnostics, memo: Memo | None = None) -> None:
    """openapi-spec-validator's checks, located; independent of the lint rules.

    With ``memo``, the keyword checks of a unit the memo has findings for (the same text,
    referencing the same text) are not run again.
    """
    _structural(spec, diagnostics, memo)


def _structural(spec: LoadedSpec, diagnostics: Diagnostics, memo: Memo | None) -> None:
    """Run openapi-spec-validator and report its findings where they were written.

    The validator works in two phases: the OpenAPI meta-schema (its errors carry
    the path of the node) and keyword checks that walk paths and components (their
    errors carry no location; :func:`_located_keywords` attaches one). Each phase is
    run on its own, so that one crash does not hide the other's findings.
    """
    validator = _spec_validator(spec)
    _DOCUMENT.set(spec.document)
    before = diagnostics.error_count
    try:
        for error in validator.schema_validator.iter_errors(spec.document):
            for leaf in _explain(error):
                _report_schema_error(spec, diagnostics, leaf, "")
    except Exception as exc:  # the validator gives up on some broken documents
        diagnostics.add(
            spec.diagnostic(
                Level.ERROR,
                "spec-invalid",
                f"the OpenAPI validator could not check the document: {_shorten(str(exc))}",
                "",
            )
        )
    broken = diagnostics.error_count > before or any(d.rule.startswith("ref-") for d in diagnostics)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, _RECURSION_LIMIT))
    try:
        _keyword_phase(spec, diagnostics, validator, broken, memo)
    finally:
        sys.setrecursionlimit(limit)


def _keyword_phase(
    spec: LoadedSpec, diagnostics: Diagnostics, validator: Any, broken: bool, memo: Memo | None
) -> None:
    """openapi-spec-validator's keyword checks, one unit (:mod:`generator.check_units`) at a time.

    Each path item and each component schema is checked on its own; a path item's check
    stops at the component schemas it references (they are units of their own), so every
    schema is checked once, and the findings of a unit depend only on what its key covers.
    Findings an earlier run made for a unit as it is now come from ``memo``.
    """
    reported = {d.pointer for d in diagnostics if d.rule == "spec-invalid"}
    units = CheckUnits(spec.document, memo, "keywords", str(spec.document.get("openapi", "")))
    schemas = (spec.document.get("components") or {}).get("schemas") or {}
    blocked = frozenset(id(v) for v in schemas.values() if isinstance(v, dict))
    nodes: dict[str, tuple[str, Any, int | None]] | None = None  # see _keyword_units
    for unit in units.units():
        found = units.recall(unit)
        if found is None:
            nodes = _keyword_units(validator, schemas) if nodes is None else nodes
            try:
                found = list(_keyword_findings(validator, blocked, unit, nodes))
            except RecursionError:
                diagnostics.add(
                    spec.diagnostic(
                        Level.WARNING,
                        "spec-unchecked",
                        "schemas nest (through $refs) too deeply for the OpenAPI validator; "
                        "its checks of schemas were cut short",
                        unit,
                        "the lint rules still ran; split very long chains of nested schemas",
                    )
                )
                continue
            units.keep(unit, found)
        for level, rule, message, pointer, hint, about in found:
            if about == "crash":
                if broken:  # a consequence of a problem already reported
                    continue
            elif spec.source_of(about)[1] in reported:  # the meta-schema said it already
                continue
            diagnostics.add(spec.diagnostic(Level(level), rule, message, pointer, hint))
    units.save()


def _keyword_units(
    validator: Any, schemas: dict[str, Any]
) -> dict[str, tuple[str, Any, int | None]]:
    """The units the keyword checks check on their own: each path item and component schema,
    as ``(its name, its validator path, the id of a schema's written value)``, taken as the
    validator walks them (a key holding ``/`` or ``#`` must stay one step)."""
    root = validator.schema_path
    found: dict[str, tuple[str, Any, int | None]] = {}
    if "paths" in root:
        for url, item in (root / "paths").items():
            found[join_pointer("", "paths", url)] = (url, item, None)
    if "components" in root and "schemas" in root / "components":
        for name, schema in (root / "components" / "schemas").items():
            pointer = join_pointer("", "components", "schemas", name)
            found[pointer] = (name, schema, id(schemas.get(name)))
    return found


def _keyword_findings(
    validator: Any,
    blocked: frozenset[int],
    unit: str,
    nodes: dict[str, tuple[str, Any, int | None]],
) -> Iterator[Raw]:
    """The keyword checks' findings in one unit, unlocated (see :data:`~generator.check_units.Raw`).

    ``blocked`` holds the ids of the component schemas, which are units of their own;
    ``nodes`` the units' validator paths (:func:`_keyword_units`).
    """
    from openapi_spec_validator.validation.exceptions import (
        DuplicateOperationIDError,
        UnresolvableParameterError,
    )

    root = validator.schema_path
    registry = validator.keyword_validators_registry
    checker = registry["schema"]
    is_schema = unit.startswith("/components/schemas/") and unit in nodes
    own = nodes[unit][2] if is_schema else None
    checker.visited_schema_ids = _Blocked(blocked, own)
    checker.meta_checked_schema_ids = _Blocked(blocked, own)
    if unit == "":
        if "tags" in root and "tags" in registry.keyword_validators:
            errors = registry["tags"](root / "tags")
        else:
            return
    elif unit.startswith("/paths/") and unit in nodes:
        errors = registry["path"](*nodes[unit][:2])
    elif is_schema:
        errors = checker(nodes[unit][1])
    else:
        return  # the validator checks other components only where they are used
    for error in errors:
        if isinstance(error, DuplicateOperationIDError | UnresolvableParameterError):
            continue  # operation-id-duplicate and path-param-* say the same, with a location
        at = getattr(error, "clientgen_at", None)
        base = _written_pointer(at) if at is not None else ""
        keyword = getattr(error, "clientgen_keyword", "")
        if keyword == "default":
            continue  # default-invalid says the same, with a location
        if keyword == "crash":
            message = f"the OpenAPI validator could not check this part: {error.message}"
            yield raw(
                Level.ERROR,
                "spec-invalid",
                message,
                base,
                "fix the problems reported above",
                "crash",
            )
            continue
        if type(error).__name__ == "ExtraParametersError":
            base = join_pointer(base, "required")
        for leaf in _explain(error):
            pointer = join_pointer(base, *[str(p) for p in leaf.absolute_path])
            for message, at_pointer, hint in _schema_error_findings(leaf, pointer):
                yield raw(Level.ERROR, "spec-invalid", message, at_pointer, hint, pointer)


def _report_schema_error(spec: LoadedSpec, diagnostics: Diagnostics, error: Any, base: str) -> None:
    """One diagnostic per problem in ``error``, located at ``base`` + the error's path."""
    pointer = join_pointer(base, *[str(p) for p in error.absolute_path])
    for message, at, hint in _schema_error_findings(error, pointer):
        diagnostics.add(spec.diagnostic(Level.ERROR, "spec-invalid", message, at, hint))


#: what a ``spec-invalid`` diagnostic says: (message, pointer, hint)
_Finding = tuple[str, str, str]


def _schema_error_findings(error: Any, pointer: str) -> Iterator[_Finding]:
    """What ``error`` (found at ``pointer``) means, in words a spec author can act on.

    Unknown fields get one finding each, with a suggestion; a missing required field
    and an empty list or mapping are said plainly; anything else keeps the
    validator's own (shortened) message.
    """
    validator = getattr(error, "validator", None)
    instance = getattr(error, "instance", None)
    if validator in ("additionalProperties", "unevaluatedProperties") and isinstance(
        instance, dict
    ):
        yield from _unknown_field_findings(error, instance, pointer)
        return
    if validator == "required" and isinstance(instance, dict):
        missing = [str(k) for k in error.validator_value if k not in instance]
        if missing:
            yield _missing_field_finding(error, instance, missing, pointer)
            return
    if (validator == "minProperties" and instance == {}) or (
        validator == "minItems" and instance == []
    ):
        field_name = parse_pointer(pointer)[-1] if pointer else "the document"
        yield f"{field_name!r} must not be empty", pointer, "add at least one entry"
        return
    yield _shorten(str(getattr(error, "message", error))), pointer, ""


_STATUS_KEY = re.compile(r"^(default|[1-5](?:[0-9]{2}|XX))$")


def _missing_field_finding(
    error: Any, instance: dict[str, Any], missing: list[str], pointer: str
) -> _Finding:
    """A missing required field, said plainly; when only a condition of the meta-schema
    (an ``if``/``then``) requires it, what that condition is about comes first."""
    names = ", ".join(repr(m) for m in missing)
    if "then" not in list(getattr(error, "schema_path", ())):
        return f"required field {names} is missing", pointer, "add it"
    if missing == ["default"] and not any(_STATUS_KEY.match(str(k)) for k in instance):
        keys = ", ".join(repr(str(k)) for k in instance if not str(k).startswith("x-"))
        return (
            f"no response has a status code as its key ({keys or 'none given'})",
            pointer,
            "key each response by a status code (100-599, 1XX-5XX) or by 'default'",
        )
    if missing == ["required"] and instance.get("in") == "path":
        return (
            "a path parameter must be required",
            pointer,
            "add `required: true` (a URL cannot leave out a path segment)",
        )
    return (
        f"required field {names} is missing (required here because of the object's other fields)",
        pointer,
        "add it, or change the fields that make it required",
    )


def _unknown_field_findings(
    error: Any, instance: dict[str, Any], pointer: str
) -> Iterator[_Finding]:
    """One finding per key of ``instance`` that its schema does not allow."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    known = [str(k) for k in schema.get("properties") or {}]
    for key in _unexpected_keys(error.message, instance) or _extra_keys(schema, instance):
        yield (
            f"unknown field {key!r}",
            join_pointer(pointer, key),
            _unknown_field_hint(key, schema, known),
        )


def _unknown_field_hint(key: str, schema: dict[str, Any], known: list[str]) -> str:
    """What to do about the unknown field ``key``: the field it is a typo of, if one is
    close; else the fields allowed (when they are few enough to list)."""
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    if len(known) > 16:
        return "check the spelling; your own fields must start with x-"
    patterns = [p for p in schema.get("patternProperties") or {} if p != "^x-"]
    allowed = known + [f"keys matching {p}" for p in patterns]
    return "allowed here: " + ", ".join(allowed) + (" and " if allowed else "") + "x- extensions"


def _spec_validator(spec: LoadedSpec) -> Any:
    version = str(spec.document.get("openapi", ""))
    validator_class = _validator_class(version.startswith("3.1"))
    return validator_class(spec.document, base_uri=spec.root.path.resolve().as_uri())


class _HasItemAccess(type):
    """``isinstance`` by the three methods of pathable's ``Subscriptable`` protocol."""

    members = ("__contains__", "__getitem__", "__len__")

    def __instancecheck__(cls, instance: Any) -> bool:
        kind = type(instance)
        return all(getattr(kind, name, None) is not None for name in cls.members)


class _Subscriptable(metaclass=_HasItemAccess):
    """Stands in for ``pathable.protocols.Subscriptable`` where pathable tests instances."""


def _quicker_protocol_checks() -> None:
    """Make pathable's per-node ``isinstance(node, Subscriptable)`` cheap.

    openapi-spec-validator reads the document through pathable, which tests every node
    it steps into against a runtime-checkable ``Protocol``; on Python 3.11 each such
    test recomputes the protocol's members, a quarter of the validator's time on a big
    spec. The stand-in answers the same question (are the three methods there?) at
    the cost of three attribute lookups. Applied only to the exact protocol it mirrors.
    """
    try:
        from pathable import accessors, protocols
    except ImportError:
        return
    protocol = getattr(protocols, "Subscriptable", None)
    if getattr(accessors, "Subscriptable", None) is not protocol or protocol is None:
        return
    members = {name for name in vars(protocol) if name in _HasItemAccess.members}
    if members == set(_HasItemAccess.members):
        setattr(accessors, "Subscriptable", _Subscriptable)  # noqa: B010 (a module global)


@functools.cache
def _validator_class(is_31: bool) -> type[Any]:
    """openapi-spec-validator's validator, with located, crash-proof and linear keyword checks."""
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    _quicker_protocol_checks()

    base: type[Any] = OpenAPIV31SpecValidator if is_31 else OpenAPIV30SpecValidator
    keywords = {name: _located_keyword(name, cls) for name, cls in base.keyword_validators.items()}
    namespace = {
        "keyword_validators": keywords,
        "schema_validator": _meta_validator(base.schema_validator),
    }
    return type("ClientgenSpecValidator" + base.__name__, (base,), namespace)


def _meta_validator(default: Any) -> Any:
    """The meta-schema validator over a registry crawled once.

    The 3.1 meta-schemas use ``$dynamicRef``; with an uncrawled registry every such
    lookup crawls all meta-schemas again, which makes validation many times slower.
    """
    try:
        from openapi_spec_validator.schemas import get_validator_backend

        precise = _crawled_validator(default.schema, None)
        if get_validator_backend() == "jsonschema":
            return precise
        return _FastThenPrecise(default, precise)
    except Exception:  # another backend or version: use the library's own
        return default


class _FastThenPrecise:
    """jsonschema-rs says quickly whether a document is valid; only when it is not
    does the (much slower) Python jsonschema run, for its precise, located errors."""

    def __init__(self, fast: Any, precise: Any) -> None:
        self.fast, self.precise = fast, precise
        self.schema = precise.schema

    def iter_errors(self, instance: Any) -> Iterator[Any]:
        if self.fast.is_valid(instance):
            return iter(())
        return iter(self.precise.iter_errors(instance))


def _crawled_validator(schema: Any, format_checker: Any) -> Any:
    from jsonschema.validators import validator_for
    from jsonschema_specifications import REGISTRY  # type: ignore[import-untyped]
    from referencing import Resource
    from referencing.jsonschema import DRAFT202012

    validator_class = validator_for(schema)
    resource = Resource.from_contents(schema, default_specification=DRAFT202012)
    uri = resource.id() or ""
    registry = REGISTRY.with_resource(uri, resource).crawl()
    if format_checker is None:
        format_checker = validator_class.FORMAT_CHECKER
    return validator_class(
        schema, _resolver=registry.resolver(base_uri=uri), format_checker=format_checker
    )


_SCHEMA_CHECKERS: dict[tuple[int, int, int], Any] = {}


def _schema_checker(validator_class: Any, format_checker: Any, registry: Any = None) -> Any:
    """``check_schema`` of ``validator_class``, with one meta-schema validator reused.

    With a ``registry`` (openapi-schema-validator's ``check_openapi_schema`` resolves
    the OpenAPI dialects from its own) the meta-schema's references are looked up there,
    as that function does; otherwise in a registry of the JSON Schema meta-schemas
    crawled once. jsonschema-rs answers first; the Python validator only explains a
    failure.
    """
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for

    key = (id(validator_class), id(format_checker), id(registry))
    if key not in _SCHEMA_CHECKERS:
        meta_schema = validator_class.META_SCHEMA
        if registry is None:
            precise = _crawled_validator(meta_schema, format_checker)
        else:
            meta_class = validator_for(meta_schema, default=validator_class)
            precise = meta_class(
                meta_schema, format_checker=format_checker, registry=registry.crawl()
            )
        _SCHEMA_CHECKERS[key] = (precise, _rust_validator(meta_schema, registry))
    meta, fast = _SCHEMA_CHECKERS[key]

    def check(schema: Any) -> None:
        if fast is not None and fast.is_valid(schema):
            return  # the Python validator below is only needed to explain a failure
        # the first error jsonschema yields depends on set order (and so on the hash
        # seed): the first by place, then by text, is the same in every run
        first = min(meta.iter_errors(schema), key=_error_order, default=None)
        if first is not None:
            raise SchemaError.create_from(first)

    return check


def _rust_validator(schema: Any, registry: Any = None) -> Any:
    """A jsonschema-rs validator for ``schema`` (for yes/no answers), if it can be had.

    References it cannot resolve itself are read from ``registry`` (a ``referencing``
    registry), never fetched: without one, a schema that needs one gets no fast path.
    """
    try:
        import jsonschema_rs

        def retrieve(uri: str) -> Any:
            if registry is None:
                raise LookupError(uri)
            return registry.contents(uri.rstrip("#"))

        return jsonschema_rs.validator_for(schema, validate_formats=True, retriever=retrieve)
    except Exception:  # not installed, or a dialect it does not know
        return None


class _IdList(set[Any]):
    """A set that the keyword validators can use like their list (``append``, ``in``): O(1)."""

    def append(self, item: Any) -> None:
        self.add(item)


class _Blocked(_IdList):
    """The visited-schema ids of one unit's keyword check: the component schemas of other
    units count as visited (their own units check them)."""

    def __init__(self, blocked: frozenset[int], own: int | None) -> None:
        super().__init__()
        self.blocked, self.own = blocked, own

    def __contains__(self, item: object) -> bool:
        return super().__contains__(item) or (item in self.blocked and item != self.own)


def _located_keyword(name: str, keyword_class: type[Any]) -> type[Any]:
    """A keyword validator whose errors say at which node they were found.

    The node's pointer is that of the written node: the validator's paths walk
    through ``$ref``s, so each step is resolved in the (bundled) document.
    """

    def __init__(self: Any, registry: Any) -> None:
        keyword_class.__init__(self, registry)
        for attribute in (
            "visited_schema_ids",
            "meta_checked_schema_ids",
            "operation_ids_registry",
        ):
            if isinstance(getattr(self, attribute, None), list):
                setattr(self, attribute, _IdList())

    def __call__(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        from jsonschema.exceptions import ValidationError

        at = next((a for a in args if hasattr(a, "parts") and hasattr(a, "read_value")), None)
        try:
            for error in keyword_class.__call__(self, *args, **kwargs):
                if not hasattr(error, "clientgen_at"):
                    error.clientgen_at = at
                    error.clientgen_keyword = name
                yield error
        except RecursionError:
            raise  # reported once, by _structural
        except Exception as exc:  # a malformed node the validator does not expect
            error = ValidationError(_shorten(f"{type(exc).__name__}: {exc}", 160))
            error.clientgen_at = at
            error.clientgen_keyword = "crash"
            yield error

    namespace: dict[str, Any] = {"__init__": __init__, "__call__": __call__}
    if hasattr(keyword_class, "_get_schema_checker"):
        original = keyword_class._get_schema_checker

        def _get_schema_checker(self: Any, schema: Any, schema_value: Any) -> Any:
            checker = original(self, schema, schema_value)
            # a bound check_schema (jsonschema's, or openapi-schema-validator's
            # check_openapi_schema), maybe in a partial that sets the format checker
            func, keywords = getattr(checker, "func", checker), getattr(checker, "keywords", {})
            owner = getattr(func, "__self__", None)
            name = getattr(func, "__name__", "")
            if owner is None or name not in {"check_schema", "check_openapi_schema"}:
                return checker
            try:
                registry = None
                if name == "check_openapi_schema":
                    from openapi_schema_validator import validators

                    registry = getattr(validators, "OPENAPI_SPECIFICATIONS", None)
                    if registry is None:  # not the function this was written against
                        return checker
                return _schema_checker(
                    owner, keywords.get("format_checker", owner.FORMAT_CHECKER), registry
                )
            except Exception:
                return checker

        namespace["_get_schema_checker"] = _get_schema_checker
    return type("Located" + keyword_class.__name__, (keyword_class,), namespace)


def _written_pointer(path: Any) -> str:
    """The pointer of the node a validator path names, following ``$ref``s on the way."""
    node: Any = _DOCUMENT.get()
    pointer = ""
    for part in (*path.parts, None):
        for _ in range(32):  # a chain of local $refs, as the validator follows them
            ref = node.get("$ref") if isinstance(node, dict) else None
            if not (isinstance(ref, str) and ref.startswith("#")):
                break
            try:
                node, pointer = resolve_pointer(_DOCUMENT.get(), ref[1:]), ref[1:]
            except LookupError:
                return pointer
        if part is None:
            break
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        else:
            return join_pointer(pointer, part)
        pointer = join_pointer(pointer, part)
    return pointer


_UNEXPECTED = re.compile(r"\((.*) (?:was|were) unexpected\)")
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


def _unexpected_keys(message: str, instance: dict[str, Any]) -> list[str]:
    """The offending keys named in an additional/unevaluated properties message."""
    match = _UNEXPECTED.search(message)
    text = match.group(1) if match else message.split(" do", 1)[0]
    return [k for k in _QUOTED.findall(text) if k in instance]


def _extra_keys(schema: dict[str, Any], instance: dict[str, Any]) -> list[str]:
    """Keys of ``instance`` that neither ``properties`` nor ``patternProperties`` allow."""
    known = schema.get("properties") or {}
    patterns = list((schema.get("patternProperties") or {}).keys())
    return [
        k
        for k in instance
        if k not in known and not any(re.search(p, k) for p in patterns) and not k.startswith("x-")
    ]


def _explain(error: Any) -> list[Any]:
    """The errors that say what is wrong, for an error of ``oneOf``/``anyOf``.

    The meta-schema says "X or a Reference Object" everywhere; when the node is no
    ``$ref``, the Reference branch is dropped and the remaining branch's own errors
    are reported instead of "is not valid under any of the given schemas". With
    several branches left, their errors are merged into one (:func:`_merged`) or the
    best of them is taken.
    """
    if getattr(error, "validator", None) not in ("oneOf", "anyOf") or not error.context:
        return [error]
    branches = _branches(error)
    if len(branches) == 1:
        return _explain_all(next(iter(branches.values())))
    from jsonschema.exceptions import best_match

    leaves = sorted(  # jsonschema may yield them in set order: choose the same one every run
        _discriminating_leaves([_explain_all(subs) for subs in branches.values()]),
        key=_error_order,
    )
    merged = _merged(leaves)
    if merged is not None:
        return [merged]
    best = best_match(leaves) if leaves else error
    return [best]


def _error_order(error: Any) -> tuple[list[str], str]:
    """A key that orders errors the same way in every run: by where, then by what."""
    return [str(p) for p in error.absolute_path], str(error.message)


def _explain_all(errors: list[Any]) -> list[Any]:
    """:func:`_explain` of each of ``errors``, in order, flattened."""
    return [leaf for error in errors for leaf in _explain(error)]


def _branches(error: Any) -> dict[Any, list[Any]]:
    """The sub-errors of a ``oneOf``/``anyOf`` error, grouped by the branch that failed.

    When the node is a mapping without ``$ref``, the branches that demand a ``$ref``
    (the Reference Object's) are dropped, unless that would drop them all.
    """
    branches: dict[Any, list[Any]] = defaultdict(list)
    for sub in error.context:
        branches[sub.relative_schema_path[0] if sub.relative_schema_path else 0].append(sub)
    instance = error.instance
    if isinstance(instance, dict) and "$ref" not in instance:
        return {k: v for k, v in branches.items() if not any(_wants_ref(e) for e in v)} or branches
    return branches


def _wants_ref(error: Any) -> bool:
    """Whether ``error`` says a ``$ref`` is required (the Reference Object's branch)."""
    return bool(error.validator == "required" and "$ref" in error.validator_value)


def _discriminating_leaves(per_branch: list[list[Any]]) -> list[Any]:
    """All branches' errors, or only the ``enum`` errors of a field every branch rejects.

    When a discriminating field (``in``, ``type``) fits no branch, that field is what
    to report: the first such field (by path), with what each branch allows there.
    """
    leaves = [leaf for branch in per_branch for leaf in branch]
    enum_paths = [{tuple(e.path) for e in branch if e.validator == "enum"} for branch in per_branch]
    shared = set.intersection(*enum_paths) if enum_paths else set()
    if not shared:
        return leaves
    where = min(shared)
    return [e for e in leaves if e.validator == "enum" and tuple(e.path) == where]


def _merged(leaves: list[Any]) -> Any:
    """One error for ``leaves`` that all say the same kind of thing at one place, or None.

    Several ``enum`` errors become "X is not one of [all allowed values]"; several
    ``required`` errors become "needs 'a' or 'b'" (validator ``needs-one-of``). The
    first leaf is reused (and changed) as the merged error.
    """
    if not leaves:
        return None
    first = leaves[0]
    if all(e.validator == "enum" and e.path == first.path for e in leaves):
        allowed = sorted({str(v) for e in leaves for v in e.validator_value})
        first.message = f"{first.instance!r} is not one of {allowed}"
        return first
    if all(e.validator == "required" and e.path == first.path for e in leaves):
        names = " or ".join(repr(str(v)) for e in leaves for v in e.validator_value)
        first.validator = "needs-one-of"
        first.message = f"needs {names}"
        return first
    return None


def _shorten(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass
class _Linter:
    spec: LoadedSpec
    diagnostics: Diagnostics
    memo: Memo | None = None

    @property
    def document(self) -> dict[str, Any]:
        return self.spec.document

    def report(self, level: Level, rule: str, message: str, pointer: str, hint: str = "") -> None:
        self.diagnostics.add(self.spec.diagnostic(level, rule, message, pointer, hint))

    def run(self) -> None:
        self.operation_ids()
        self.name_collisions()
        self.security()
        self.path_parameters()
        self.examples()
        self.server_security()
        self.servers_missing()
        self.server_variable_placeholders()

    # -- operations ----------------------------------------------------------------
    def operation_ids(self) -> None:
        seen: dict[str, str] = {}
        for pointer, path, method, _item, operation in iter_operations(self.document):
            operation_id = operation.get("operationId")
            if not isinstance(operation_id, str) or not operation_id:
                self.report(
                    Level.WARNING,
                    "operation-id-missing",
                    f"{method.upper()} {path} has no operationId; its method will be named "
                    f"{naming.identifier(method + ' ' + path)!r}",
                    pointer,
                    "add an operationId so the method name is stable",
                )
                continue
            if operation_id in seen:
                self.report(
                    Level.ERROR,
                    "operation-id-duplicate",
                    f"operationId {operation_id!r} of {method.upper()} {path} is already used at "
                    f"#{seen[operation_id]}",
                    join_pointer(pointer, "operationId"),
                    "operationIds must be unique",
                )
            else:
                seen[operation_id] = pointer

    def name_collisions(self) -> None:
        """Distinct names in the spec that would become one Python name in the client.

        Methods, resources and model classes are checked in that order, each in the
        namespace the generator puts them in.
        """
        self._method_name_collisions()
        self._resource_name_collisions()
        self._class_name_collisions()

    def _method_name_collisions(self) -> None:
        """Operations whose names become one method: one namespace per resource (the
        operation's first tag), as ir.py builds them."""
        by_resource: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
        for pointer, path, method, _item, operation in iter_operations(self.document):
            operation_id = operation.get("operationId")
            explicit = isinstance(operation_id, str) and bool(operation_id)
            name = operation_id if explicit else naming.snake_case(f"{method} {path}") or method
            tags = operation.get("tags") or ["default"]
            resource = naming.identifier(str(tags[0]))
            method_name = naming.identifier(str(name))
            previous = by_resource[resource].get(method_name)
            if not previous:
                by_resource[resource][method_name] = (str(name), pointer)
            elif previous[0] != name:
                what = (
                    f"operationId {name!r}"
                    if explicit
                    else f"the name made up for {method.upper()} {path}"
                )
                self.report(
                    Level.ERROR,
                    "name-collision",
                    f"{what} and operationId {previous[0]!r} both become the method "
                    f"{method_name!r} of resource {resource!r}; the other one is at #{previous[1]}",
                    join_pointer(pointer, "operationId") if explicit else pointer,
                    "rename one of them",
                )

    def _resource_name_collisions(self) -> None:
        """Spellings of a tag that become one resource; the first spelling seen wins."""
        tag_names: dict[str, tuple[str, str]] = {}
        for name, pointer in self._resource_tags():
            python = naming.identifier(name)
            if python in tag_names and tag_names[python][0] != name:
                self.report(
                    Level.ERROR,
                    "name-collision",
                    f"tags {name!r} and {tag_names[python][0]!r} both become the resource {python!r}; "
                    f"the other one is at #{tag_names[python][1]}",
                    pointer,
                    "use one spelling of the tag everywhere",
                )
            tag_names.setdefault(python, (name, pointer))

    def _resource_tags(self) -> list[tuple[str, str]]:
        """Every tag that names a resource, with where it is written: the declared tags,
        then the first tag of every operation."""
        candidates: list[tuple[str, str]] = []
        for index, tag_object in enumerate(self.document.get("tags") or []):
            name = tag_object.get("name") if isinstance(tag_object, dict) else None
            if isinstance(name, str):
                candidates.append((name, join_pointer("/tags", index, "name")))
        for pointer, _path, _method, _item, operation in iter_operations(self.document):
            tags = operation.get("tags")
            if isinstance(tags, list) and tags and isinstance(tags[0], str):
                candidates.append((tags[0], join_pointer(pointer, "tags", 0)))
        return candidates

    def _class_name_collisions(self) -> None:
        """Schemas under ``components/schemas`` whose names become one model class."""
        schemas = (self.document.get("components") or {}).get("schemas") or {}
        if not isinstance(schemas, dict):
            return
        class_names: dict[str, str] = {}
        for name in schemas:
            python = naming.class_name(name)
            if python in class_names:
                self.report(
                    Level.ERROR,
                    "name-collision",
                    f"schemas {name!r} and {class_names[python]!r} both become the class {python!r}",
                    join_pointer("/components/schemas", name),
                    "rename one of the schemas",
                )
            else:
                class_names[python] = name

    # -- security ------------------------------------------------------------------
    def security(self) -> None:
        schemes = (self.document.get("components") or {}).get("securitySchemes") or {}
        defined = set(schemes) if isinstance(schemes, dict) else set()
        for pointer, requirements in self._security_requirements():
            for index, requirement in enumerate(requirements):
                if not isinstance(requirement, dict):
                    continue
                for name in requirement:
                    if name not in defined:
                        known = ", ".join(sorted(defined)) or "none"
                        self.report(
                            Level.ERROR,
                            "security-undefined",
                            f"security requirement names {name!r}, which is not defined in "
                            f"components.securitySchemes (defined: {known})",
                            join_pointer(pointer, index, name),
                            "define the scheme or fix the name",
                        )

    def _security_requirements(self) -> Iterator[tuple[str, list[Any]]]:
        top = self.document.get("security")
        if isinstance(top, list):
            yield "/security", top
        for pointer, _path, _method, _item, operation in iter_operations(self.document):
            requirements = operation.get("security")
            if isinstance(requirements, list):
                yield join_pointer(pointer, "security"), requirements

    # -- path parameters -----------------------------------------------------------
    def path_parameters(self) -> None:
        for pointer, path, method, item, operation in iter_operations(self.document):
            variables = TEMPLATE_VARIABLE.findall(path)
            declared: dict[str, str] = {}
            item_pointer = pointer.rsplit("/", 1)[0]
            for base, owner in ((item_pointer, item), (pointer, operation)):
                for index, parameter in enumerate(owner.get("parameters") or []):
                    parameter = self._deref(parameter)
                    if isinstance(parameter, dict) and parameter.get("in") == "path":
                        declared[str(parameter.get("name"))] = join_pointer(
                            base, "parameters", index
                        )
            for variable in variables:
                if variable not in declared:
                    self.report(
                        Level.ERROR,
                        "path-param-undeclared",
                        f"{method.upper()} {path}: path variable {{{variable}}} has no path parameter",
                        pointer,
                        f"add a parameter with name: {variable}, in: path, required: true",
                    )
            for name, parameter_pointer in declared.items():
                if name not in variables:
                    self.report(
                        Level.ERROR,
                        "path-param-unused",
                        f"{method.upper()} {path}: path parameter {name!r} does not appear in the path",
                        parameter_pointer,
                        "remove it or add {" + name + "} to the path",
                    )

    def _deref(self, node: Any) -> Any:
        return deref(self.document, node, limit=32)

    # -- examples and defaults -----------------------------------------------------
    def examples(self) -> None:
        """Examples and defaults against their schemas, one unit of the spec at a time.

        The unit of a value is where it is written (:func:`generator.check_units.unit_of`);
        its findings depend on the unit's text and what its ``$ref``s reach, so a unit
        ``memo`` has findings for is not checked again.
        """
        work: dict[str, list[tuple[str, str, Any, str]]] = defaultdict(list)
        for pointer, schema in iter_schemas(self.document):
            unit = unit_of(pointer)
            if "default" in schema and "$ref" not in schema:
                work[unit].append(("default", pointer, schema["default"], ""))
            if "example" in schema:
                work[unit].append(
                    ("example", pointer, schema["example"], join_pointer(pointer, "example"))
                )
            examples = schema.get("examples")
            if isinstance(examples, list):
                for index, value in enumerate(examples):
                    at = join_pointer(pointer, "examples", index)
                    work[unit].append(("example", pointer, value, at))
        for owner_pointer, owner in self._example_owners():
            schema_pointer = join_pointer(owner_pointer, "schema")
            if not isinstance(owner.get("schema"), dict):
                continue
            unit = unit_of(owner_pointer)
            if "example" in owner:
                at = join_pointer(owner_pointer, "example")
                work[unit].append(("example", schema_pointer, owner["example"], at))
            examples = owner.get("examples")
            if isinstance(examples, dict):
                for name, example in examples.items():
                    example_pointer = join_pointer(owner_pointer, "examples", name)
                    example = self._deref(example)
                    if isinstance(example, dict) and "value" in example:
                        at = join_pointer(example_pointer, "value")
                        work[unit].append(("example", schema_pointer, example["value"], at))
        units = CheckUnits(self.document, self.memo, "examples")
        checker: _SchemaChecker | None = None
        for unit, items in work.items():
            found = units.recall(unit)
            if found is None:
                checker = checker or _SchemaChecker(self.document)
                found = [f for item in items if (f := self._value_finding(checker, *item))]
                units.keep(unit, found)
            for level, rule, message, pointer, hint, _about in found:
                self.report(Level(level), rule, message, pointer, hint)
        units.save()

    def _value_finding(
        self, checker: _SchemaChecker, kind: str, schema_pointer: str, value: Any, pointer: str
    ) -> Raw | None:
        """The finding about one default or example (``kind``), if it does not match."""
        problems = checker.problems(schema_pointer, value)
        if not problems:
            return None
        if kind == "default":
            return raw(
                Level.ERROR,
                "default-invalid",
                f"default {_preview(value)} does not match its schema: " + "; ".join(problems),
                join_pointer(schema_pointer, "default"),
                "fix the default or the schema",
            )
        return raw(
            Level.ERROR,
            "example-invalid",
            f"example {_preview(value)} does not match its schema: " + "; ".join(problems),
            pointer,
            "fix the example or the schema",
        )

    def _example_owners(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Media type objects and parameter objects, the two that carry ``example(s)``.

        Schemas and example values are not walked into: neither can hold one, and a
        big spec is mostly those. Pointers are only spelled out for what is yielded.
        """
        Link = tuple[Any, str | int] | None  # (parent's link, key), None for the document
        stack: list[tuple[Link, Any]] = [(None, self.document)]
        while stack:
            link, node = stack.pop()
            if isinstance(node, dict):
                if link is not None:
                    parent = link[0]
                    is_media = parent is not None and parent[1] == "content"
                    is_parameter = "in" in node and "name" in node and "schema" in node
                    if is_media or is_parameter:
                        yield _pointer_of(link), node
                stack.extend(
                    ((link, k), v)
                    for k, v in node.items()
                    if k not in _NO_OWNERS_INSIDE and isinstance(v, dict | list)
                )
            elif isinstance(node, list):
                stack.extend(
                    ((link, i), v) for i, v in enumerate(node) if isinstance(v, dict | list)
                )

    # -- servers and security ------------------------------------------------------
    def server_security(self) -> None:
        top_servers = self.document.get("servers")
        top_security = self.document.get("security")
        uses: dict[str, list[tuple[str, set[str]]]] = defaultdict(list)
        for pointer, _path, _method, item, operation in iter_operations(self.document):
            servers = operation.get("servers") or item.get("servers") or top_servers or []
            domains = {d for d in (_vendor_domain(s) for s in servers if isinstance(s, dict)) if d}
            security = operation.get("security", top_security) or []
            security_pointer = (
                join_pointer(pointer, "security") if "security" in operation else "/security"
            )
            for requirement in security:
                if isinstance(requirement, dict):
                    for name in requirement:
                        uses[name].append((security_pointer, domains))
        for name, places in uses.items():
            domains = set().union(*(d for _p, d in places))
            if len(domains) > 1:
                listed = ", ".join(sorted(domains))
                for pointer in sorted({p for p, _d in places}):
                    self.report(
                        Level.WARNING,
                        "server-security-mismatch",
                        f"security scheme {name!r} is used on hosts of different vendors ({listed}); "
                        "its credential would be sent to all of them",
                        pointer,
                        "use one scheme per vendor",
                    )

    def servers_missing(self) -> None:
        """Operations that no server serves: one warning each, or one for the document."""
        top = _has_server(self.document.get("servers"))
        lacking: list[tuple[str, str, str]] = []
        total = 0
        for pointer, path, method, item, operation in iter_operations(self.document):
            total += 1
            if not (
                top or _has_server(operation.get("servers")) or _has_server(item.get("servers"))
            ):
                lacking.append((pointer, path, method))
        hint = (
            "add `servers` at document, path or operation level, or pass base_url=... to the client"
        )
        if lacking and len(lacking) == total:
            pointer, path, method = lacking[0]
            self.report(
                Level.WARNING,
                "server-missing",
                f"no operation has a server (none at document, path or operation level; "
                f"the first of {total} is {method.upper()} {path}): the client cannot be "
                "created without base_url",
                pointer,
                hint,
            )
            return
        for pointer, path, method in lacking:
            self.report(
                Level.WARNING,
                "server-missing",
                f"{method.upper()} {path} has no server (none at operation, path or document "
                "level); calling it needs base_url",
                pointer,
                hint,
            )

    def server_variable_placeholders(self) -> None:
        """Defaults that look like stand-ins (``replace-with-own-host``) but are not marked."""
        for pointer, servers in self._server_lists():
            for index, server in enumerate(servers):
                variables = server.get("variables") if isinstance(server, dict) else None
                if not isinstance(variables, dict):
                    continue
                for name, variable in variables.items():
                    if not isinstance(variable, dict) or "x-placeholder" in variable:
                        continue
                    default = variable.get("default")
                    if variable.get("enum") or not isinstance(default, str):
                        continue
                    if naming.looks_like_placeholder(default):
                        self.report(
                            Level.WARNING,
                            "server-variable-placeholder",
                            f"server variable {name!r} of {server.get('url')!r} has the default "
                            f"{default!r}, which looks like a placeholder: the client will not "
                            "dial it and requires a value (server_variables= or an environment "
                            "variable)",
                            join_pointer(pointer, index, "variables", name, "default"),
                            "mark it `x-placeholder: true` (or `x-placeholder: false` if it is "
                            "a real value)",
                        )

    def _server_lists(self) -> Iterator[tuple[str, list[Any]]]:
        """Every ``servers`` list: the document's, each path item's, each operation's."""
        top = self.document.get("servers")
        if isinstance(top, list):
            yield "/servers", top
        paths = self.document.get("paths")
        for path, item in paths.items() if isinstance(paths, dict) else ():
            if isinstance(item, dict) and isinstance(item.get("servers"), list):
                yield join_pointer("/paths", path, "servers"), item["servers"]
        for pointer, _path, _method, _item, operation in iter_operations(self.document):
            if isinstance(operation.get("servers"), list):
                yield join_pointer(pointer, "servers"), operation["servers"]


def _has_server(servers: Any) -> bool:
    """Whether ``servers`` lists at least one server with a URL."""
    return isinstance(servers, list) and any(
        isinstance(s, dict) and isinstance(s.get("url"), str) for s in servers
    )


#: keys whose values are schemas or example data: no media type or parameter inside
_NO_OWNERS_INSIDE = frozenset({"schema", "schemas", "example", "examples"})


def _pointer_of(link: Any) -> str:
    parts: list[str | int] = []
    while link is not None:
        link, key = link
        parts.append(key)
    return join_pointer("", *reversed(parts))


def _vendor_domain(server: dict[str, Any]) -> str:
    """The registrable part of a server's host (``https://{t}.iw-erp.de`` -> ``iw-erp.de``)."""
    url = str(server.get("url", ""))
    host = urlsplit(url).hostname if "//" in url else None
    if not host or host in {"localhost", "127.0.0.1", "::1"} or "{" in host.rsplit(".", 2)[-1]:
        return ""
    labels = [label for label in host.split(".") if label and "{" not in label]
    return ".".join(labels[-2:])


def _preview(value: Any, limit: int = 60) -> str:
    """``value`` as it would be written in JSON (``null``, ``true``), shortened."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except ValueError:  # a circular value
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _SchemaChecker:
    """Validates values against schemas of the document, resolving local ``$ref``s."""

    def __init__(self, document: dict[str, Any]) -> None:
        from openapi_schema_validator import OAS30Validator, OAS31Validator
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT4, DRAFT202012

        is_31 = str(document.get("openapi", "")).startswith("3.1")
        self._validator_class = OAS31Validator if is_31 else OAS30Validator
        specification = DRAFT202012 if is_31 else DRAFT4
        resource = Resource.from_contents(document, default_specification=specification)
        self._registry = Registry().with_resource(_SPEC_URI, resource)
        self._format_checker = self._validator_class.FORMAT_CHECKER

    def problems(self, schema_pointer: str, value: Any) -> list[str]:
        schema = {"$ref": f"{_SPEC_URI}#{schema_pointer}"}
        validator = self._validator_class(
            schema, registry=self._registry, format_checker=self._format_checker
        )
        from referencing.exceptions import Unresolvable

        try:
            errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        except Unresolvable:  # a $ref that goes nowhere: ref-unresolved says so, once
            return []
        except Exception as exc:  # a broken schema: spec-invalid says where
            first = str(exc).split(" within ", 1)[0]  # never the document it looked in
            return [f"cannot check: {type(exc).__name__}: {_shorten(first, 160)}"]
        result = []
        for error in errors[:3]:
            where = "/".join(str(p) for p in error.absolute_path)
            result.append(f"{where + ': ' if where else ''}{_shorten(error.message, 160)}")
        return result
