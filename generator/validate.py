"""Check a loaded spec: openapi-spec-validator first, then clientgen's own lint rules.

Each lint rule has a stable id (the ``rule`` of its diagnostics) and catches a
mistake the structural validator lets through, or one that would make the
generated client wrong:

=========================  =======  ====================================================
rule                       level    what it catches
=========================  =======  ====================================================
spec-invalid               error    the document breaks the OpenAPI schema
example-invalid            error    an example does not validate against its schema
default-invalid            error    a schema default does not validate against its schema
operation-id-missing       warning  an operation without operationId (a name is made up)
operation-id-duplicate     error    two operations share an operationId
name-collision             error    operationIds, tags or schema names that become the
                                    same Python name
security-undefined         error    a security requirement names an undefined scheme
path-param-undeclared      error    a ``{var}`` in a path has no path parameter
path-param-unused          error    a path parameter has no ``{var}`` in its path
server-security-mismatch   warning  one security scheme is used on hosts of different
                                    vendors, so its credential would travel to both
=========================  =======  ====================================================

(``ref-unresolved``, ``ref-remote`` and ``ref-cycle`` come from loading.)
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from generator import naming
from generator.diagnostics import Diagnostics, Level, join_pointer
from generator.load import LoadedSpec, parse_pointer, resolve_pointer
from generator.schemas import iter_media_types, iter_operations, iter_schemas

__all__ = ["RULES", "validate_spec"]

RULES = (
    "spec-invalid", "example-invalid", "default-invalid", "operation-id-missing",
    "operation-id-duplicate", "name-collision", "security-undefined",
    "path-param-undeclared", "path-param-unused", "server-security-mismatch",
)

_TEMPLATE_VARIABLE = re.compile(r"\{([^{}]+)\}")
_SPEC_URI = "urn:clientgen:spec"


def validate_spec(spec: LoadedSpec, diagnostics: Diagnostics) -> None:
    """Add every problem of ``spec`` to ``diagnostics``."""
    _structural(spec, diagnostics)
    _Linter(spec, diagnostics).run()


def _structural(spec: LoadedSpec, diagnostics: Diagnostics) -> None:
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
    from openapi_spec_validator.validation.exceptions import UnresolvableParameterError

    version = str(spec.document.get("openapi", ""))
    validator_class = OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    validator = validator_class(spec.document, base_uri=spec.root.path.resolve().as_uri())
    try:
        for error in validator.iter_errors():
            if isinstance(error, UnresolvableParameterError):
                continue  # path-param-undeclared says the same, with a location
            path = list(getattr(error, "absolute_path", None) or getattr(error, "path", []) or [])
            pointer = join_pointer("", *[str(p) for p in path])
            message = getattr(error, "message", str(error))
            diagnostics.add(spec.diagnostic(Level.ERROR, "spec-invalid", _shorten(message), pointer))
    except Exception as exc:  # the validator gives up on some broken documents
        if any(d.rule.startswith("ref-") for d in diagnostics):
            return  # a consequence of a broken $ref, already reported with its location
        diagnostics.add(
            spec.diagnostic(
                Level.ERROR, "spec-invalid",
                f"the OpenAPI validator could not check the document: {_shorten(str(exc))}", "",
            )
        )


def _shorten(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass
class _Linter:
    spec: LoadedSpec
    diagnostics: Diagnostics

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

    # -- operations ----------------------------------------------------------------
    def operation_ids(self) -> None:
        seen: dict[str, str] = {}
        for pointer, path, method, _item, operation in iter_operations(self.document):
            operation_id = operation.get("operationId")
            if not isinstance(operation_id, str) or not operation_id:
                self.report(
                    Level.WARNING, "operation-id-missing",
                    f"{method.upper()} {path} has no operationId; its method will be named "
                    f"{naming.identifier(method + ' ' + path)!r}",
                    pointer, "add an operationId so the method name is stable",
                )
                continue
            if operation_id in seen:
                self.report(
                    Level.ERROR, "operation-id-duplicate",
                    f"operationId {operation_id!r} of {method.upper()} {path} is already used at "
                    f"#{seen[operation_id]}",
                    join_pointer(pointer, "operationId"), "operationIds must be unique",
                )
            else:
                seen[operation_id] = pointer

    def name_collisions(self) -> None:
        by_resource: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
        for pointer, _path, _method, _item, operation in iter_operations(self.document):
            operation_id = operation.get("operationId")
            if not isinstance(operation_id, str) or not operation_id:
                continue
            tags = operation.get("tags") or ["default"]
            tag = naming.snake_case(str(tags[0]))
            method_name = naming.identifier(operation_id)
            previous = by_resource[tag].get(method_name)
            if previous and previous[0] != operation_id:
                self.report(
                    Level.ERROR, "name-collision",
                    f"operationId {operation_id!r} and {previous[0]!r} both become the method "
                    f"{method_name!r}; the other one is at #{previous[1]}",
                    join_pointer(pointer, "operationId"), "rename one of them",
                )
            else:
                by_resource[tag][method_name] = (operation_id, pointer)
        tag_names: dict[str, tuple[str, str]] = {}
        for index, tag_object in enumerate(self.document.get("tags") or []):
            name = tag_object.get("name") if isinstance(tag_object, dict) else None
            if not isinstance(name, str):
                continue
            python = naming.identifier(name)
            pointer = join_pointer("/tags", index, "name")
            if python in tag_names and tag_names[python][0] != name:
                self.report(
                    Level.ERROR, "name-collision",
                    f"tags {name!r} and {tag_names[python][0]!r} both become the resource {python!r}",
                    pointer, "rename one of the tags",
                )
            tag_names.setdefault(python, (name, pointer))
        schemas = (self.document.get("components") or {}).get("schemas") or {}
        class_names: dict[str, str] = {}
        if isinstance(schemas, dict):
            for name in schemas:
                python = naming.class_name(name)
                if python in class_names:
                    self.report(
                        Level.ERROR, "name-collision",
                        f"schemas {name!r} and {class_names[python]!r} both become the class {python!r}",
                        join_pointer("/components/schemas", name), "rename one of the schemas",
                    )
                else:
                    class_names[python] = name

    # -- security ------------------------------------------------------------------
    def security(self) -> None:
        schemes = ((self.document.get("components") or {}).get("securitySchemes") or {})
        defined = set(schemes) if isinstance(schemes, dict) else set()
        for pointer, requirements in self._security_requirements():
            for index, requirement in enumerate(requirements):
                if not isinstance(requirement, dict):
                    continue
                for name in requirement:
                    if name not in defined:
                        known = ", ".join(sorted(defined)) or "none"
                        self.report(
                            Level.ERROR, "security-undefined",
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
            variables = _TEMPLATE_VARIABLE.findall(path)
            declared: dict[str, str] = {}
            item_pointer = pointer.rsplit("/", 1)[0]
            for base, owner in ((item_pointer, item), (pointer, operation)):
                for index, parameter in enumerate(owner.get("parameters") or []):
                    parameter = self._deref(parameter)
                    if isinstance(parameter, dict) and parameter.get("in") == "path":
                        declared[str(parameter.get("name"))] = join_pointer(base, "parameters", index)
            for variable in variables:
                if variable not in declared:
                    self.report(
                        Level.ERROR, "path-param-undeclared",
                        f"{method.upper()} {path}: path variable {{{variable}}} has no path parameter",
                        pointer,
                        f"add a parameter with name: {variable}, in: path, required: true",
                    )
            for name, parameter_pointer in declared.items():
                if name not in variables:
                    self.report(
                        Level.ERROR, "path-param-unused",
                        f"{method.upper()} {path}: path parameter {name!r} does not appear in the path",
                        parameter_pointer, "remove it or add {" + name + "} to the path",
                    )

    def _deref(self, node: Any) -> Any:
        for _ in range(32):
            if isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
                try:
                    node = resolve_pointer(self.document, node["$ref"][1:])
                except LookupError:
                    return None
            else:
                break
        return node

    # -- examples and defaults -----------------------------------------------------
    def examples(self) -> None:
        checker = _SchemaChecker(self.document)
        for pointer, schema in iter_schemas(self.document):
            if "default" in schema and "$ref" not in schema:
                for problem in checker.problems(pointer, schema["default"]):
                    self.report(
                        Level.ERROR, "default-invalid",
                        f"default {_preview(schema['default'])} does not match its schema: {problem}",
                        join_pointer(pointer, "default"),
                    )
            if "example" in schema:
                self._example(checker, pointer, join_pointer(pointer, "example"), schema["example"])
            examples = schema.get("examples")
            if isinstance(examples, list):
                for index, value in enumerate(examples):
                    self._example(checker, pointer, join_pointer(pointer, "examples", index), value)
        for owner_pointer, owner in self._example_owners():
            schema_pointer = join_pointer(owner_pointer, "schema")
            if not isinstance(owner.get("schema"), dict):
                continue
            if "example" in owner:
                self._example(checker, schema_pointer, join_pointer(owner_pointer, "example"), owner["example"])
            examples = owner.get("examples")
            if isinstance(examples, dict):
                for name, example in examples.items():
                    example_pointer = join_pointer(owner_pointer, "examples", name)
                    example = self._deref(example)
                    if isinstance(example, dict) and "value" in example:
                        self._example(
                            checker, schema_pointer, join_pointer(example_pointer, "value"), example["value"]
                        )

    def _example_owners(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Media type objects and parameter objects, the two that carry ``example(s)``."""
        for pointer, schema_owner in _walk_objects(self.document):
            if pointer.endswith("/schema") or "/schema/" in pointer:
                continue
            last = parse_pointer(pointer)[-2:] if pointer else []
            is_media = len(last) == 2 and pointer.rsplit("/", 2)[-2] == "content"
            is_parameter = "in" in schema_owner and "name" in schema_owner and "schema" in schema_owner
            if is_media or is_parameter:
                yield pointer, schema_owner

    def _example(self, checker: _SchemaChecker, schema_pointer: str, pointer: str, value: Any) -> None:
        for problem in checker.problems(schema_pointer, value):
            self.report(
                Level.ERROR, "example-invalid",
                f"example {_preview(value)} does not match its schema: {problem}",
                pointer, "fix the example or the schema",
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
            security_pointer = join_pointer(pointer, "security") if "security" in operation else "/security"
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
                        Level.WARNING, "server-security-mismatch",
                        f"security scheme {name!r} is used on hosts of different vendors ({listed}); "
                        "its credential would be sent to all of them",
                        pointer, "use one scheme per vendor",
                    )


def _walk_objects(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, dict):
            yield pointer, node
            stack.extend((join_pointer(pointer, k), v) for k, v in node.items() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((join_pointer(pointer, i), v) for i, v in enumerate(node) if isinstance(v, dict | list))


def _vendor_domain(server: dict[str, Any]) -> str:
    """The registrable part of a server's host (``https://{t}.iw-erp.de`` -> ``iw-erp.de``)."""
    url = str(server.get("url", ""))
    host = urlsplit(url).hostname if "//" in url else None
    if not host or host in {"localhost", "127.0.0.1", "::1"} or "{" in host.rsplit(".", 2)[-1]:
        return ""
    labels = [label for label in host.split(".") if label and "{" not in label]
    return ".".join(labels[-2:])


def _preview(value: Any, limit: int = 60) -> str:
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
        self._registry = Registry().with_resource(_SPEC_URI, resource)  # type: ignore[call-arg]
        self._format_checker = self._validator_class.FORMAT_CHECKER

    def problems(self, schema_pointer: str, value: Any) -> list[str]:
        schema = {"$ref": f"{_SPEC_URI}#{schema_pointer}"}
        validator = self._validator_class(
            schema, registry=self._registry, format_checker=self._format_checker
        )
        try:
            errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        except Exception as exc:  # an unresolvable or broken schema: reported elsewhere
            return [] if "Unresolvable" in type(exc).__name__ else [f"cannot check: {_shorten(str(exc))}"]
        result = []
        for error in errors[:3]:
            where = "/".join(str(p) for p in error.absolute_path)
            result.append(f"{where + ': ' if where else ''}{_shorten(error.message, 160)}")
        return result
