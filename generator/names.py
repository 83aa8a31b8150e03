"""The naming pass: every Python name of the generated package, decided once.

The API's own names (tags, operationIds, parameter and property wire names, security
scheme names, server variables) are rarely Python identifiers, and the package puts
many of them in one namespace: a client has its own attributes besides one per
resource, a resource class its own besides one method per operation, a method's body
uses names no keyword argument may shadow. :func:`name_package` hands out every one of
these names from one place, fed by every list of names already taken
(:data:`CLIENT_RESERVED`, :data:`RESOURCE_RESERVED`, :data:`METHOD_RESERVED`, the
model classes), and returns them as a :class:`Names` record that render only reads.

It runs after the models stage because a request body spread into keyword arguments
takes its fields from the generated model (:class:`~generator.model_source.ModelClass`).
The model classes themselves are named where the schemas are reshaped for the models
generator (:mod:`generator.reshape`), since that generator needs them; the identifier
rules all live in :mod:`generator.naming`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from generator import naming
from generator.ir import Api, BodyFile, Operation, Parameter, Resource
from generator.model_source import ModelClass, ModelField

__all__ = [
    "CLIENT_RESERVED",
    "METHOD_RESERVED",
    "PACKAGE_EXPORTS",
    "RESOURCE_RESERVED",
    "Credential",
    "Keyword",
    "KeywordLocation",
    "MethodNames",
    "Names",
    "ResourceNames",
    "name_package",
]

#: attributes of the generated client (and names its ``__init__`` uses) that no resource
#: or credential keyword may take
CLIENT_RESERVED = frozenset(
    {
        "close",
        "request",
        "with_options",
        "copy",
        "timeout",
        "max_retries",
        "base_url",
        "server_variables",
        "default_headers",
        "http_client",
        "self",
        "is_closed",
        # names the client's ``__init__`` body and annotations use
        "super",
        "httpx",
        "str",
        "int",
        "float",
        "bool",
        "object",
        "type",
    }
)
#: attributes of a generated resource class that no method may take: its own
#: attributes, and names the annotations of later methods use (evaluated in the class body)
RESOURCE_RESERVED = frozenset(
    {
        "with_raw_response",
        "self",
        "str",
        "int",
        "float",
        "bool",
        "bytes",
        "object",
        "type",
        "date",
        "datetime",
        "time",
        "timedelta",
        "list",
        "dict",
        "tuple",
        "set",
        "frozenset",
    }
)
#: names the body of a generated method uses, which no keyword argument may take
METHOD_RESERVED = frozenset(
    {
        "self",
        "isinstance",
        "build_request_model",
        "validate_value",
        "cast",
        "builtins",
        # the per-call options every method takes
        "extra_headers",
        "extra_query",
        "extra_body",
        "timeout",
        # what the raw and streaming wrappers call
        "call_raw",
        "call_async_raw",
        "call_streamed",
        "call_async_streamed",
    }
)

KeywordLocation = Literal["path", "query", "header", "cookie", "body", "file"]


@dataclass(frozen=True, slots=True)
class Keyword:
    """One keyword argument of a generated method: its name and what it carries.

    Exactly one of ``parameter`` (a parameter), ``field`` (a field of the request body's
    model, the body spread into one argument per field), ``file`` (a file part of a
    multipart body) or none (the whole body) is set; ``wire_name`` is the parameter's,
    field's or part's name on the wire ("" for a whole body).
    """

    name: str
    location: KeywordLocation
    wire_name: str
    required: bool
    description: str
    parameter: Parameter | None = None
    field: ModelField | None = None
    file: BodyFile | None = None


@dataclass(frozen=True, slots=True)
class MethodNames:
    """The method that calls one operation: its name, its constant, its keywords in order."""

    name: str
    #: the module constant holding the operation's description (``_ADD_PARTICIPANT``)
    constant: str
    #: required keywords first, then optional ones, each group in spec order
    keywords: tuple[Keyword, ...]
    #: the body is spread into one keyword per field of this model ("" when it is not)
    spread_model: str = ""


@dataclass(frozen=True, slots=True)
class ResourceNames:
    """One resource: its client attribute, its module and its four classes."""

    attribute: str
    module: str
    class_name: str

    @property
    def async_class_name(self) -> str:
        return "Async" + self.class_name

    @property
    def classes(self) -> tuple[str, ...]:
        """The four classes the resource module defines."""
        return (
            self.class_name,
            self.async_class_name,
            f"{self.class_name}WithRawResponse",
            f"{self.async_class_name}WithRawResponse",
        )


@dataclass(frozen=True, slots=True)
class Credential:
    """A security scheme as the client takes it: a constructor keyword and an environment variable."""

    keyword: str
    env_var: str


@dataclass(frozen=True, slots=True)
class Names:
    """Every name of the generated package that comes from the spec."""

    client_class: str
    #: the environment variables' prefix: ``CHAT_CLIENT_``
    env_prefix: str
    #: by tag
    resources: Mapping[str, ResourceNames]
    #: by the operation's JSON pointer (:attr:`~generator.ir.Operation.pointer`)
    methods: Mapping[str, MethodNames]
    #: by security scheme name
    credentials: Mapping[str, Credential]
    #: server variable name -> the environment variable of its value (placeholders only)
    variable_env_vars: Mapping[str, str]
    #: error model -> the exception class raised with a body of it (``MudbaseErrorStatusError``)
    error_classes: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @property
    def async_client_class(self) -> str:
        return "Async" + self.client_class

    def resource(self, resource: Resource) -> ResourceNames:
        return self.resources[resource.tag]

    def method(self, operation: Operation) -> MethodNames:
        return self.methods[operation.pointer]


def name_package(api: Api, classes: Mapping[str, ModelClass], package: str) -> Names:
    """Name everything in ``api`` for the package ``package`` whose models are ``classes``.

    The order is fixed and so are the results: credentials, then the client's own
    environment variables, then server variables; resources in tag order, their
    classes never a model's; methods and their keywords in spec order.
    """
    credentials = _credentials(api, package)
    taken_env = {c.env_var for c in credentials.values()}
    taken_env |= {naming.env_var_name(package, n) for n in ("base url", "log")}
    resources = _resources(api, set(classes))
    methods: dict[str, MethodNames] = {}
    for resource in api.resources:
        taken = set(RESOURCE_RESERVED)
        for operation in resource.operations:
            method = _method(operation, classes, taken)
            taken.add(method.name)
            methods[operation.pointer] = method
    return Names(
        client_class=_client_class_name(package),
        env_prefix=naming.snake_case(package).upper() + "_",
        resources=resources,
        methods=methods,
        credentials=credentials,
        variable_env_vars=_variable_env_vars(api, package, taken_env),
        error_classes=_error_classes(api, classes, _client_class_name(package)),
    )


def _client_class_name(package: str) -> str:
    name = naming.class_name(package)
    return name if name.endswith("Client") else name + "Client"


#: what a generated package exports besides its client and error classes (the runtime's)
PACKAGE_EXPORTS = frozenset(
    {
        "APIConnectionError",
        "APIError",
        "APIResponseValidationError",
        "APIStatusError",
        "APITimeoutError",
        "AsyncAPIResponse",
        "APIResponse",
        "AuthenticationError",
        "BadRequestError",
        "ConflictError",
        "InternalServerError",
        "InvalidCredentialError",
        "MissingCredentialError",
        "MissingServerError",
        "MissingServerVariableError",
        "ModelStatusError",
        "NOT_GIVEN",
        "NotFoundError",
        "NotGiven",
        "PermissionDeniedError",
        "RateLimitError",
        "RequestValidationError",
        "Timeout",
        "UnprocessableEntityError",
    }
)


def _error_classes(
    api: Api, classes: Mapping[str, ModelClass], client_class: str
) -> dict[str, str]:
    """One exception class per error model some operation declares, never a name the
    package already exports."""
    models = sorted({r.class_name for op in api.operations for r in op.errors if r.class_name})
    taken = set(PACKAGE_EXPORTS) | {client_class, "Async" + client_class}
    result: dict[str, str] = {}
    for model in models:
        if model not in classes:
            continue
        name = naming.class_name(f"{model} status error", reserved=taken)
        taken.add(name)
        result[model] = name
    return result


def _credentials(api: Api, package: str) -> dict[str, Credential]:
    """One keyword (never a client attribute) and environment variable per scheme."""
    keywords = set(CLIENT_RESERVED)
    result: dict[str, Credential] = {}
    for scheme in api.security_schemes:
        keyword = naming.identifier(scheme.name, reserved=keywords)
        keywords.add(keyword)
        result[scheme.name] = Credential(keyword, naming.env_var_name(package, keyword))
    return result


def _variable_env_vars(api: Api, package: str, taken: set[str]) -> dict[str, str]:
    """``CHAT_CLIENT_TENANT`` for a placeholder variable ``tenant``: one per variable name,
    never one the client already reads (a credential's, ``..._BASE_URL``, ``..._LOG``)."""
    result: dict[str, str] = {}
    for server in api.servers:
        for variable in server.variables:
            if not variable.placeholder or variable.name in result:
                continue
            name = variable.name
            candidate = naming.env_var_name(
                package, name if naming.snake_case(name) else "server variable"
            )
            counter = 2
            while candidate in taken:
                candidate = naming.env_var_name(package, f"server {name} {counter}")
                counter += 1
            taken.add(candidate)
            result[name] = candidate
    return result


def _resources(api: Api, classes: set[str]) -> dict[str, ResourceNames]:
    """One attribute (never the client's own) and four classes (never a model's) per tag.

    ``classes`` starts as the model classes, which a resource module may import.
    """
    attributes = set(CLIENT_RESERVED)
    result: dict[str, ResourceNames] = {}
    for resource in api.resources:
        attribute = naming.identifier(resource.tag, reserved=attributes)
        attributes.add(attribute)
        names = _resource_names(resource.tag, attribute, classes)
        classes.update(names.classes)
        result[resource.tag] = names
    return result


def _resource_names(tag: str, attribute: str, taken: set[str]) -> ResourceNames:
    """``PetsResource`` for ``pets``: the first name none of whose four classes is taken."""
    module = naming.identifier(attribute)
    names = ResourceNames(attribute, module, naming.class_name(tag + " resource", reserved=taken))
    counter = 2
    while set(names.classes) & taken:
        class_name = naming.class_name(f"{tag} resource {counter}", reserved=taken)
        names = ResourceNames(attribute, module, class_name)
        counter += 1
    return names


def _method(
    operation: Operation, classes: Mapping[str, ModelClass], taken: set[str]
) -> MethodNames:
    """The method for ``operation``: a name not in ``taken``, its keywords named uniquely."""
    used = set(METHOD_RESERVED)
    keywords: list[Keyword] = []
    for parameter in operation.parameters:
        name = naming.identifier(parameter.name, reserved=used)
        used.add(name)
        keywords.append(
            Keyword(
                name,
                parameter.location,
                parameter.name,
                parameter.required,
                parameter.description,
                parameter=parameter,
            )
        )
    spread_model = ""
    body = operation.body
    if body is not None:
        model = classes.get(body.class_name)
        if body.spread and model is not None and not model.is_root and model.fields:
            spread_model = model.name
            keywords += _field_keywords(model, used)
        elif body.class_name or not body.files:  # a multipart body may be all files
            name = naming.identifier("body", reserved=used)
            used.add(name)
            keywords.append(Keyword(name, "body", "", body.required, body.description))
        keywords += _file_keywords(body.files, used)
    keywords.sort(key=lambda k: not k.required)
    return MethodNames(
        name=naming.identifier(operation.operation_id, reserved=taken),
        constant=naming.constant_name(operation.operation_id),
        keywords=tuple(keywords),
        spread_model=spread_model,
    )


def _field_keywords(model: ModelClass, used: set[str]) -> list[Keyword]:
    """One keyword per field of a spread body's model; read-only optional fields are the
    server's to send, and a request leaves them out."""
    keywords = []
    for field in model.fields:
        if field.read_only and not field.required:
            continue
        name = naming.identifier(field.name, reserved=used)
        used.add(name)
        keywords.append(
            Keyword(name, "body", field.alias, field.required, field.description, field=field)
        )
    return keywords


def _file_keywords(files: tuple[BodyFile, ...], used: set[str]) -> list[Keyword]:
    """One keyword per file part of a multipart body."""
    keywords = []
    for file in files:
        name = naming.identifier(file.name, reserved=used)
        used.add(name)
        keywords.append(
            Keyword(name, "file", file.name, file.required, file.description, file=file)
        )
    return keywords
