"""What changed between two versions of a spec, in the terms a user of the generated client sees.

:func:`diff_specs` compares the spec of the last release (or any other base) with the current
one and returns one :class:`Change` per difference: a rule id, a level (``breaking``,
``warning``, ``info``, as oasdiff has them), the kind of release it asks for (``breaking``,
``feature``, ``fix``) and a message naming the Python method, argument, model or field, located
in the new spec (file, line, column) wherever the changed node still exists there.

The comparison is direction-aware: what a client *sends* (parameters, request bodies) breaks
when it is narrowed (a new required argument, a removed enum value, a tighter ``maxLength``);
what it *receives* (responses) breaks when it is widened (a field that may now be missing or
``None``, a type that may now be something else). Descriptions and examples are fixes.

Each change is a :class:`~generator.changes.Change` of a rule in
:data:`~generator.changes.CHANGE_RULES`. The Python names come from the render views (:func:`python_names`, the one place that reads
them), so a message says ``mudbase.add_participant: argument 'role'`` and not
``#/paths/~1api~1.../requestBody``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from generator.changes import CHANGE_RULES, Change
from generator.diagnostics import join_pointer
from generator.load import LoadedSpec, deref
from generator.schemas import iter_operations

if TYPE_CHECKING:
    from generator.ir import Api
    from generator.models import ModelsModule

__all__ = ["Names", "PyArgument", "PyMethod", "diff_specs", "python_names"]


# --------------------------------------------------------------------------- Python names


@dataclass(frozen=True, slots=True)
class PyArgument:
    name: str
    wire_name: str
    location: str
    required: bool


@dataclass(frozen=True, slots=True)
class PyMethod:
    resource: str
    name: str
    arguments: tuple[PyArgument, ...]
    returns: str

    @property
    def path(self) -> str:
        return f"{self.resource}.{self.name}"

    def argument(self, location: str, wire_name: str) -> PyArgument | None:
        return next(
            (a for a in self.arguments if a.location == location and a.wire_name == wire_name),
            None,
        )


@dataclass(frozen=True, slots=True)
class Names:
    """The Python names a spec's client uses: methods by operationId, models and their fields."""

    methods: dict[str, PyMethod] = field(default_factory=dict)
    #: schema name in ``components/schemas`` -> class name in ``<package>.models``
    models: dict[str, str] = field(default_factory=dict)
    #: class name -> {wire name: field name}
    fields: dict[str, dict[str, str]] = field(default_factory=dict)
    #: security scheme name -> constructor keyword
    credentials: dict[str, str] = field(default_factory=dict)

    def field_name(self, class_name: str | None, wire: str) -> str:
        if class_name and wire in self.fields.get(class_name, {}):
            return self.fields[class_name][wire]
        for fields in self.fields.values():
            if wire in fields:
                return fields[wire]
        return wire


def python_names(api: Api, models: ModelsModule, package: str) -> Names:
    """The Python names of ``api``'s client, read from the render views (the only place)."""
    from generator import render
    from generator.names import name_package

    view = render.build_view(api, models, name_package(api, models.classes, package), package)
    methods: dict[str, PyMethod] = {}
    for resource_view, resource in zip(view.client.resources, api.resources, strict=True):
        for method, op in zip(resource_view.methods, resource.operations, strict=True):
            arguments = tuple(
                PyArgument(a.name, a.wire_name, a.location, not a.default) for a in method.arguments
            )
            methods[op.operation_id] = PyMethod(
                resource_view.attribute, method.name, arguments, method.return_annotation
            )
    schema_classes = {name: name for name in api.models.class_names if name in models.classes}
    fields = {name: {f.alias: f.name for f in c.fields} for name, c in models.classes.items()}
    credentials = {c.scheme_name: c.keyword for c in view.client.credentials}
    return Names(methods, schema_classes, fields, credentials)


# --------------------------------------------------------------------------- the comparison


@dataclass
class _Side:
    spec: LoadedSpec
    names: Names

    @property
    def document(self) -> dict[str, Any]:
        return self.spec.document


_CONSTRAINTS_MAX = ("maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum")
_CONSTRAINTS_MIN = ("minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum")


@dataclass
class _Differ:
    old: _Side
    new: _Side
    changes: list[Change] = field(default_factory=list)
    _seen: set[tuple[str, str, str]] = field(default_factory=set)

    # -- reporting

    def note(self, rule: str, message: str, pointer: str) -> None:
        assert rule in CHANGE_RULES, rule
        file, line, column = self.new.spec.locate(pointer)
        _, source_pointer = self.new.spec.source_of(pointer)
        change = Change(rule, message, file, line, column, source_pointer)
        if change not in self.changes:
            self.changes.append(change)

    # -- operations

    def operations(self) -> None:
        old_ops = _operations(self.old.document)
        new_ops = _operations(self.new.document)
        by_route = {(o.method, o.path): key for key, o in new_ops.items()}
        for key, old in old_ops.items():
            new = new_ops.get(key)
            old_method = self.old.names.methods.get(key)
            shown = old_method.path if old_method else key
            if new is None:
                renamed = by_route.get((old.method, old.path))
                if renamed is not None and renamed not in old_ops:
                    new = new_ops[renamed]  # same route, new operationId: see operation()
                else:
                    where = (
                        join_pointer("/paths", old.path)
                        if old.path in _paths(self.new)
                        else "/paths"
                    )
                    self.note(
                        "operation-removed",
                        f"{shown}: removed ({old.method.upper()} {old.path}, operationId {key!r})",
                        where,
                    )
                    continue
            self.operation(key, new.key, old, new)
        for key, new in new_ops.items():
            if key in old_ops or any(
                by_route.get((o.method, o.path)) == key
                for o in old_ops.values()
                if o.key not in new_ops
            ):
                continue
            method = self.new.names.methods.get(key)
            self.note(
                "operation-added",
                f"{method.path if method else key}: new method ({new.method.upper()} {new.path})",
                new.pointer,
            )

    def operation(self, key: str, new_key: str, old: _Op, new: _Op) -> None:
        old_m, new_m = self.old.names.methods.get(key), self.new.names.methods.get(new_key)
        subject = new_m.path if new_m else new_key
        if old_m and new_m and old_m.path != new_m.path and old_m.resource != new_m.resource:
            self.note(
                "method-moved",
                f"{old_m.path}: moved to {new_m.path}",
                join_pointer(new.pointer, "tags"),
            )
        elif old_m and new_m and old_m.name != new_m.name:
            became = f" (operationId {key!r} became {new_key!r})" if key != new_key else ""
            self.note(
                "method-renamed",
                f"{old_m.path}: is now {new_m.path}{became}",
                join_pointer(new.pointer, "operationId"),
            )
        if old.path != new.path:
            self.note(
                "operation-path-changed",
                f"{subject}: now sends to {new.path} (was {old.path})",
                join_pointer("/paths", new.path),
            )
        if old.method != new.method:
            self.note(
                "operation-method-changed",
                f"{subject}: now sends {new.method.upper()} (was {old.method.upper()})",
                new.pointer,
            )
        if not old.raw.get("deprecated") and new.raw.get("deprecated"):
            self.note(
                "operation-deprecated",
                f"{subject}: deprecated",
                join_pointer(new.pointer, "deprecated"),
            )
        for text_key in ("summary", "description"):
            if _text(old.raw.get(text_key)) != _text(new.raw.get(text_key)):
                self.note(
                    "description-changed",
                    f"{subject}: {text_key} changed",
                    join_pointer(new.pointer, text_key) if text_key in new.raw else new.pointer,
                )
        self.servers(subject, old, new)
        self.security(subject, old, new)
        self.parameters(subject, old, new, old_m, new_m)
        self.body(subject, old, new, old_m, new_m)
        self.responses(subject, old, new, new_m)

    def servers(self, subject: str, old: _Op, new: _Op) -> None:
        old_urls = [s.get("url") for s in _servers(self.old.document, old)]
        new_urls = [s.get("url") for s in _servers(self.new.document, new)]
        where = new.servers_pointer or new.pointer
        for url in old_urls:
            if url not in new_urls:
                self.note("server-removed", f"{subject}: server {url} removed", where)
        for url in new_urls:
            if url not in old_urls:
                self.note("server-added", f"{subject}: may now be sent to {url}", where)

    def security(self, subject: str, old: _Op, new: _Op) -> None:
        old_req = _security(self.old.document, old.raw)
        new_req = _security(self.new.document, new.raw)
        where = join_pointer(new.pointer, "security") if "security" in new.raw else "/security"
        if new_req == old_req:
            return
        had = frozenset(n for alt in old_req for n in alt)
        added = {n for alt in new_req for n in alt} - had
        shown = ", ".join(sorted(self.new.names.credentials.get(n, n) for n in added)) or "another"
        # breaking when no alternative of the new requirement is met by credentials used before
        if new_req and not any(alt <= had for alt in new_req):
            self.note(
                "security-changed",
                f"{subject}: now needs the credential {shown} (the spec's security requirement changed)",
                where,
            )

    def security_schemes(self) -> None:
        old_s = _mapping(self.old.document, "components", "securitySchemes")
        new_s = _mapping(self.new.document, "components", "securitySchemes")
        for name, old in old_s.items():
            keyword = self.old.names.credentials.get(name, name)
            new = new_s.get(name)
            if new is None:
                self.note(
                    "security-changed",
                    f"credential {keyword!r} (security scheme {name!r}) removed",
                    "/components/securitySchemes",
                )
                continue
            pointer = join_pointer("/components/securitySchemes", name)
            new_keyword = self.new.names.credentials.get(name, name)
            if keyword != new_keyword:
                self.note(
                    "security-changed", f"credential {keyword!r} is now {new_keyword!r}", pointer
                )
            old_d, new_d = deref(self.old.document, old), deref(self.new.document, new)
            for key in ("type", "in", "name", "scheme"):
                if (
                    isinstance(old_d, dict)
                    and isinstance(new_d, dict)
                    and old_d.get(key) != new_d.get(key)
                ):
                    self.note(
                        "security-changed",
                        f"credential {new_keyword!r}: {key} is now {new_d.get(key)!r} (was {old_d.get(key)!r})",
                        join_pointer(pointer, key) if key in new_d else pointer,
                    )
        for name in new_s:
            if name not in old_s:
                keyword = self.new.names.credentials.get(name, name)
                self.note(
                    "security-added",
                    f"new credential {keyword!r} (security scheme {name!r})",
                    join_pointer("/components/securitySchemes", name),
                )

    # -- parameters

    def parameters(
        self, subject: str, old: _Op, new: _Op, old_m: PyMethod | None, new_m: PyMethod | None
    ) -> None:
        old_p = _parameters(self.old.document, old)
        new_p = _parameters(self.new.document, new)

        def arg(method: PyMethod | None, location: str, name: str) -> str:
            found = method.argument(location, name) if method else None
            return found.name if found else name

        for key, (_, op) in old_p.items():
            location, name = key
            shown = arg(old_m, location, name)
            if key not in new_p:
                where = (
                    join_pointer(new.pointer, "parameters")
                    if "parameters" in new.raw
                    else new.pointer
                )
                self.note(
                    "request-parameter-removed",
                    f"{subject}: argument {shown!r} removed ({location} parameter {name!r})",
                    where,
                )
                continue
            pointer, np = new_p[key]
            shown = arg(new_m, location, name)
            if not op.get("required") and np.get("required"):
                self.note(
                    "request-parameter-required",
                    f"{subject}: argument {shown!r} is now required",
                    join_pointer(pointer, "required"),
                )
            elif op.get("required") and not np.get("required") and location != "path":
                self.note(
                    "request-parameter-optional",
                    f"{subject}: argument {shown!r} is now optional",
                    pointer,
                )
            if _text(op.get("description")) != _text(np.get("description")):
                self.note(
                    "description-changed",
                    f"{subject}: argument {shown!r} description changed",
                    pointer,
                )
            self.schema(
                op.get("schema"),
                np.get("schema"),
                join_pointer(pointer, "schema"),
                "request",
                f"{subject}: argument {shown!r}",
                None,
            )
        for key, (pointer, np) in new_p.items():
            if key in old_p:
                continue
            location, name = key
            shown = arg(new_m, location, name)
            if np.get("required"):
                self.note(
                    "request-parameter-required",
                    f"{subject}: new required argument {shown!r} ({location} parameter {name!r})",
                    pointer,
                )
            else:
                self.note(
                    "request-parameter-added",
                    f"{subject}: new optional argument {shown!r} ({location} parameter {name!r})",
                    pointer,
                )

    # -- request body

    def body(
        self, subject: str, old: _Op, new: _Op, old_m: PyMethod | None, new_m: PyMethod | None
    ) -> None:
        old_b = deref(self.old.document, old.raw.get("requestBody"))
        new_b = deref(self.new.document, new.raw.get("requestBody"))
        pointer = _body_pointer(self.new.document, new)
        if not isinstance(old_b, dict) and not isinstance(new_b, dict):
            return
        if not isinstance(new_b, dict):
            self.note(
                "request-body-removed", f"{subject}: the request body was removed", new.pointer
            )
            return
        if not isinstance(old_b, dict):
            rule = "request-body-required" if new_b.get("required") else "request-body-added"
            what = "required" if new_b.get("required") else "optional"
            self.note(rule, f"{subject}: new {what} request body", pointer)
            return
        if not old_b.get("required") and new_b.get("required"):
            self.note(
                "request-body-required",
                f"{subject}: the request body is now required",
                join_pointer(pointer, "required"),
            )
        old_s, new_s = _json_schema(old_b), _json_schema(new_b)
        media = _json_media(new_b)
        schema_pointer = join_pointer(pointer, "content", media, "schema") if media else pointer
        self.schema(
            old_s,
            new_s,
            schema_pointer,
            "request",
            f"{subject}:",
            None,
            top=True,
            method=(old_m, new_m),
        )

    # -- responses

    def responses(self, subject: str, old: _Op, new: _Op, new_m: PyMethod | None) -> None:
        old_r = _mapping(old.raw, "responses")
        new_r = _mapping(new.raw, "responses")
        base = join_pointer(new.pointer, "responses")
        returns = new_m.returns if new_m else ""
        for status, old_resp in old_r.items():
            if status not in new_r:
                self.note("response-status-removed", f"{subject}: response {status} removed", base)
                continue
            pointer = join_pointer(base, status)
            new_resp = new_r[status]
            od, nd = deref(self.old.document, old_resp), deref(self.new.document, new_resp)
            if not (isinstance(od, dict) and isinstance(nd, dict)):
                continue
            if _text(od.get("description")) != _text(nd.get("description")):
                self.note(
                    "description-changed",
                    f"{subject}: response {status} description changed",
                    pointer,
                )
            media = _json_media(nd)
            schema_pointer = join_pointer(pointer, "content", media, "schema") if media else pointer
            success = str(status).startswith("2")
            label = (
                f"{subject}() -> {returns}"
                if success and returns
                else f"{subject}: response {status}"
            )
            self.schema(
                _json_schema(od),
                _json_schema(nd),
                schema_pointer,
                "response",
                label,
                _class_of(self.new, nd),
                top=True,
            )
        for status in new_r:
            if status not in old_r:
                self.note(
                    "response-status-added",
                    f"{subject}: new response {status}",
                    join_pointer(base, status),
                )

    # -- schemas

    def schema(
        self,
        old: Any,
        new: Any,
        pointer: str,
        direction: Literal["request", "response"],
        subject: str,
        class_name: str | None,
        *,
        top: bool = False,
        method: tuple[PyMethod | None, PyMethod | None] | None = None,
        depth: int = 0,
    ) -> None:
        if old is None or new is None or depth > 24:
            return
        old_ref, new_ref = _ref(old), _ref(new)
        if new_ref is not None and new_ref.startswith("#/"):
            pointer = new_ref[1:]
            class_name = self.new.names.models.get(new_ref.rsplit("/", 1)[-1], class_name)
        seen = (old_ref or json.dumps(old, sort_keys=True, default=str)[:200], pointer, direction)
        if seen in self._seen:
            return
        self._seen.add(seen)
        o = _flatten(self.old.document, old)
        n = _flatten(self.new.document, new)
        if not isinstance(o, dict) or not isinstance(n, dict):
            return
        request = direction == "request"
        what = subject
        self.types(o, n, pointer, request, what)
        self.nullability(o, n, pointer, request, what)
        self.enums(o, n, pointer, request, what)
        # constraints (a client's request is refused by the server or by the client's own checks)
        if request:
            self.constraints(o, n, pointer, what)
        # object properties
        self.properties(
            o, n, pointer, direction, subject, class_name, top=top, method=method, depth=depth
        )
        # arrays
        if isinstance(o.get("items"), dict) and isinstance(n.get("items"), dict):
            self.schema(
                o["items"],
                n["items"],
                join_pointer(pointer, "items"),
                direction,
                f"{subject}[]",
                class_name,
                depth=depth + 1,
            )
        self.docs(o, n, pointer, subject, top=top)

    def types(
        self, o: dict[str, Any], n: dict[str, Any], pointer: str, request: bool, what: str
    ) -> None:
        """A changed ``type``: breaking when a request accepts less or a response may
        return more, else a widening (request) or narrowing (response)."""
        ot, nt = _types(o), _types(n)
        if not ot or not nt or ot == nt:
            return
        at = join_pointer(pointer, "type") if "type" in n else pointer
        if request and not nt >= ot:
            self.note(
                "request-type-changed",
                f"{what} type is now {_show_types(nt)} (was {_show_types(ot)})",
                at,
            )
        elif request:
            self.note(
                "request-type-widened", f"{what} now also accepts {_show_types(nt - ot)}", pointer
            )
        elif not ot >= nt:
            self.note(
                "response-type-changed",
                f"{what} type is now {_show_types(nt)} (was {_show_types(ot)})",
                at,
            )
        else:
            self.note(
                "response-type-narrowed", f"{what} is no longer {_show_types(ot - nt)}", pointer
            )

    def nullability(
        self, o: dict[str, Any], n: dict[str, Any], pointer: str, request: bool, what: str
    ) -> None:
        """``null`` allowed or no longer allowed."""
        on, nn = _nullable(o), _nullable(n)
        if request and on and not nn:
            self.note("request-property-not-nullable", f"{what} may no longer be None", pointer)
        elif request and nn and not on:
            self.note("request-property-nullable", f"{what} may now be None", pointer)
        elif not request and nn and not on:
            self.note("response-property-nullable", f"{what} may now be None", pointer)

    def enums(
        self, o: dict[str, Any], n: dict[str, Any], pointer: str, request: bool, what: str
    ) -> None:
        """Enum values removed (breaking in requests) or added (a warning in responses)."""
        oe, ne = o.get("enum"), n.get("enum")
        enum_pointer = join_pointer(pointer, "enum")
        if isinstance(oe, list) and isinstance(ne, list):
            removed = [v for v in oe if v not in ne]
            added = [v for v in ne if v not in oe]
            if removed:
                rule = "request-enum-value-removed" if request else "response-enum-value-removed"
                verb = "accepts" if request else "returns"
                self.note(rule, f"{what} no longer {verb} {_values(removed)}", enum_pointer)
            if added:
                rule = "request-enum-value-added" if request else "response-enum-value-added"
                verb = "accepts" if request else "may return"
                self.note(rule, f"{what} now {verb} {_values(added)}", enum_pointer)
        elif isinstance(ne, list) and not isinstance(oe, list) and request:
            self.note(
                "request-enum-value-removed", f"{what} now accepts only {_values(ne)}", enum_pointer
            )

    def docs(
        self, o: dict[str, Any], n: dict[str, Any], pointer: str, subject: str, *, top: bool
    ) -> None:
        """Examples and descriptions changed: fixes."""
        for key in ("example", "examples"):
            if key in o and key in n and o[key] != n[key]:
                self.note(
                    "example-changed", f"{subject} example changed", join_pointer(pointer, key)
                )
        if not top and _text(o.get("description")) != _text(n.get("description")):
            self.note("description-changed", f"{subject} description changed", pointer)

    def constraints(self, o: dict[str, Any], n: dict[str, Any], pointer: str, what: str) -> None:
        for key in (*_CONSTRAINTS_MAX, *_CONSTRAINTS_MIN):
            ov, nv = _number(o.get(key)), _number(n.get(key))
            if ov == nv or (ov is None and nv is None):
                continue
            at = join_pointer(pointer, key) if key in n else pointer
            upper = key in _CONSTRAINTS_MAX
            if nv is not None and (ov is None or (nv < ov if upper else nv > ov)):
                self.note(
                    "request-constraint-tightened",
                    f"{what} {key} is now {nv:g}" + (f" (was {ov:g})" if ov is not None else ""),
                    at,
                )
            else:
                self.note(
                    "request-constraint-loosened",
                    f"{what} {key} "
                    + (
                        f"is now {nv:g} (was {ov:g})"
                        if nv is not None and ov is not None
                        else "removed"
                    ),
                    at,
                )
        op_, np_ = o.get("pattern"), n.get("pattern")
        if op_ != np_ and np_ is not None:
            at = join_pointer(pointer, "pattern")
            if op_ is None:
                self.note(
                    "request-constraint-tightened", f"{what} must now match pattern {np_!r}", at
                )
            else:
                self.note(
                    "request-pattern-changed",
                    f"{what} pattern is now {np_!r} (was {op_!r}); values valid before may be refused",
                    at,
                )
        elif op_ is not None and np_ is None:
            self.note("request-constraint-loosened", f"{what} pattern removed", pointer)

    def properties(
        self,
        o: dict[str, Any],
        n: dict[str, Any],
        pointer: str,
        direction: Literal["request", "response"],
        subject: str,
        class_name: str | None,
        *,
        top: bool,
        method: tuple[PyMethod | None, PyMethod | None] | None,
        depth: int,
    ) -> None:
        op, np = o.get("properties"), n.get("properties")
        if not isinstance(op, dict) or not isinstance(np, dict):
            return
        request = direction == "request"
        o_req, n_req = set(o.get("required") or ()), set(n.get("required") or ())
        props_pointer = join_pointer(pointer, "properties")
        spread = bool(top and request and method)

        def label(wire: str, names: Names, which: int) -> str:
            if spread and method is not None and method[which] is not None:
                found = method[which].argument("body", wire)  # type: ignore[union-attr]
                if found is not None:
                    return f"{subject} argument {found.name!r}"
            name = names.field_name(class_name, wire)
            return f"{subject} field {name!r}" if subject.endswith(":") else f"{subject}.{name}"

        for wire, old_prop in op.items():
            old_label = label(wire, self.old.names, 0)
            if wire not in np:
                rule = "request-property-removed" if request else "response-property-removed"
                self.note(rule, f"{old_label} removed", props_pointer)
                continue
            prop_pointer = join_pointer(props_pointer, wire)
            new_label = label(wire, self.new.names, 1)
            self.requiredness(
                (wire in o_req, wire in n_req),
                request,
                new_label,
                prop_pointer,
                _required_at(n, pointer, prop_pointer),
            )
            self.schema(
                old_prop, np[wire], prop_pointer, direction, new_label, None, depth=depth + 1
            )
        for wire in np:
            if wire not in op:
                self.added_property(
                    label(wire, self.new.names, 1),
                    request,
                    wire in n_req,
                    join_pointer(props_pointer, wire),
                )

    def requiredness(
        self,
        required: tuple[bool, bool],
        request: bool,
        label: str,
        pointer: str,
        required_at: str,
    ) -> None:
        """A property that was and is ``(required before, required now)``: a request
        property made required breaks callers, a response property made optional breaks
        readers."""
        was, now = required
        if request and not was and now:
            self.note("request-property-required", f"{label} is now required", required_at)
        elif request and was and not now:
            self.note("request-property-optional", f"{label} is now optional", pointer)
        elif not request and was and not now:
            self.note(
                "response-property-optional",
                f"{label} may now be missing (it is optional)",
                pointer,
            )
        elif not request and not was and now:
            self.note("response-property-required", f"{label} is now always present", pointer)

    def added_property(self, label: str, request: bool, required: bool, pointer: str) -> None:
        """A new property: a required request property breaks callers."""
        if request and required:
            self.note("request-property-required", f"{label} is new and required", pointer)
        elif request:
            self.note("request-property-added", f"{label} is new (optional)", pointer)
        else:
            self.note("response-property-added", f"{label} is new", pointer)

    # -- models

    def models(self) -> None:
        old_s = _mapping(self.old.document, "components", "schemas")
        new_s = _mapping(self.new.document, "components", "schemas")
        removed = [n for n in old_s if n not in new_s]
        added = [n for n in new_s if n not in old_s]
        matched: set[str] = set()
        for name in removed:
            old_class = self.old.names.models.get(name, name)
            twin = next(
                (a for a in added if a not in matched and _same(old_s[name], new_s[a])), None
            )
            if twin is not None:
                matched.add(twin)
                new_class = self.new.names.models.get(twin, twin)
                self.note(
                    "model-renamed",
                    f"models.{old_class} is now models.{new_class}",
                    join_pointer("/components/schemas", twin),
                )
            elif name in self.old.names.models:
                self.note("model-removed", f"models.{old_class} removed", "/components/schemas")
        for name in added:
            if name not in matched and name in self.new.names.models:
                self.note(
                    "model-added",
                    f"new model models.{self.new.names.models[name]}",
                    join_pointer("/components/schemas", name),
                )

    def run(self) -> list[Change]:
        self.operations()
        self.security_schemes()
        self.models()
        return self.changes


def diff_specs(
    old: LoadedSpec, old_names: Names, new: LoadedSpec, new_names: Names
) -> list[Change]:
    """Every change from ``old`` to ``new``, in the order found (operations, credentials, models)."""
    return _Differ(_Side(old, old_names), _Side(new, new_names)).run()


# --------------------------------------------------------------------------- spec helpers


@dataclass(frozen=True, slots=True)
class _Op:
    key: str
    method: str
    path: str
    pointer: str
    raw: dict[str, Any]
    item: dict[str, Any]
    servers_pointer: str


def _operations(document: dict[str, Any]) -> dict[str, _Op]:
    found: dict[str, _Op] = {}
    for pointer, path, method, item, operation in iter_operations(document):
        key = operation.get("operationId")
        key = key if isinstance(key, str) and key else f"{method.upper()} {path}"
        if "servers" in operation:
            servers = join_pointer(pointer, "servers")
        elif "servers" in item:
            servers = join_pointer("/paths", path, "servers")
        else:
            servers = "/servers" if "servers" in document else ""
        found.setdefault(key, _Op(key, method, path, pointer, operation, item, servers))
    return found


def _paths(side: _Side) -> dict[str, Any]:
    return _mapping(side.document, "paths")


def _mapping(node: Any, *keys: str) -> dict[str, Any]:
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def _servers(document: dict[str, Any], op: _Op) -> list[dict[str, Any]]:
    for holder in (op.raw, op.item, document):
        servers = holder.get("servers")
        if isinstance(servers, list):
            return [s for s in servers if isinstance(s, dict)]
    return []


def _security(document: dict[str, Any], operation: dict[str, Any]) -> list[frozenset[str]]:
    requirement = operation.get("security", document.get("security"))
    if not isinstance(requirement, list):
        return []
    return [frozenset(r) for r in requirement if isinstance(r, dict)]


def _parameters(
    document: dict[str, Any], op: _Op
) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    """``(in, name) -> (pointer in the new document, parameter)``: path-level, then operation-level."""
    found: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    path_pointer = op.pointer.rsplit("/", 1)[0]
    for holder, base in ((op.item, path_pointer), (op.raw, op.pointer)):
        parameters = holder.get("parameters")
        if not isinstance(parameters, list):
            continue
        for index, raw in enumerate(parameters):
            pointer = join_pointer(base, "parameters", index)
            ref = _ref(raw)
            if ref is not None and ref.startswith("#/"):
                pointer = ref[1:]
            parameter = deref(document, raw)
            if isinstance(parameter, dict) and isinstance(parameter.get("name"), str):
                location = str(parameter.get("in", ""))
                name = parameter["name"]
                if location == "header" and name.lower() in {
                    "accept",
                    "content-type",
                    "authorization",
                }:
                    continue
                found[(location, name)] = (pointer, parameter)
    return found


def _body_pointer(document: dict[str, Any], op: _Op) -> str:
    ref = _ref(op.raw.get("requestBody"))
    if ref is not None and ref.startswith("#/"):
        return ref[1:]
    return join_pointer(op.pointer, "requestBody")


def _json_media(container: dict[str, Any]) -> str:
    content = container.get("content")
    if not isinstance(content, dict):
        return ""
    for media in content:
        if media == "application/json" or media.endswith("+json"):
            return str(media)
    return str(next(iter(content), ""))


def _json_schema(container: dict[str, Any]) -> Any:
    media = _json_media(container)
    content = container.get("content")
    if not media or not isinstance(content, dict) or not isinstance(content.get(media), dict):
        return None
    return content[media].get("schema")


def _class_of(side: _Side, response: dict[str, Any]) -> str | None:
    ref = _ref(_json_schema(response))
    if ref is not None:
        return side.names.models.get(ref.rsplit("/", 1)[-1])
    return None


def _ref(node: Any) -> str | None:
    ref = node.get("$ref") if isinstance(node, dict) else None
    return ref if isinstance(ref, str) else None


def _flatten(document: dict[str, Any], schema: Any, depth: int = 0) -> Any:
    """``schema`` with ``$ref`` followed and ``allOf`` parts merged (properties, required)."""
    schema = deref(document, schema)
    if not isinstance(schema, dict) or "allOf" not in schema or depth > 16:
        return schema
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    properties = dict(merged.get("properties") or {})
    required = list(merged.get("required") or [])
    for part in schema.get("allOf") or []:
        part = _flatten(document, part, depth + 1)
        if not isinstance(part, dict):
            continue
        properties.update(part.get("properties") or {})
        required += [r for r in part.get("required") or [] if r not in required]
        for key, value in part.items():
            if key not in ("properties", "required"):
                merged.setdefault(key, value)
    if properties:
        merged["properties"] = properties
    if required:
        merged["required"] = required
    return merged


def _types(schema: dict[str, Any]) -> frozenset[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        types = {kind}
    elif isinstance(kind, list):
        types = {str(t) for t in kind}
    else:
        types = set()
    if "integer" in types and "number" in types:
        types.discard("integer")
    return frozenset(types - {"null"})


def _nullable(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    if schema.get("nullable") is True or kind == "null":
        return True
    if isinstance(kind, list) and "null" in kind:
        return True
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and any(
            isinstance(o, dict) and o.get("type") == "null" for o in options
        ):
            return True
    return False


def _show_types(types: frozenset[str]) -> str:
    return " | ".join(sorted(types))


def _values(values: list[Any]) -> str:
    return ", ".join(json.dumps(v) for v in values)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _required_at(schema: dict[str, Any], pointer: str, fallback: str) -> str:
    return join_pointer(pointer, "required") if "required" in schema else fallback


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)
