"""Every rule that turns a name from a spec into a Python identifier.

Nothing else in the generator invents identifiers: resources, methods, keyword
arguments, classes, constants and environment variables all come from here, so
that the rules (keywords, digits, collisions, reserved names) hold everywhere.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Container, Iterable

__all__ = [
    "MODEL_MODULE_RESERVED",
    "class_name",
    "constant_name",
    "env_var_name",
    "identifier",
    "is_identifier",
    "looks_like_placeholder",
    "pascal_case",
    "snake_case",
    "unique_names",
]

#: Names that the generated ``models`` module or a resource module (which imports the
#: models) imports or defines; a schema may not take them.
MODEL_MODULE_RESERVED = frozenset(
    {
        # models.py
        "Annotated",
        "Any",
        "AwareDatetime",
        "NaiveDatetime",
        "BaseModel",
        "ConfigDict",
        "Enum",
        "Field",
        "Literal",
        "RootModel",
        "StrEnum",
        "IntEnum",
        "Union",
        "Optional",
        "List",
        "Dict",
        "UUID",
        "AnyUrl",
        "AnyHttpUrl",
        "HttpUrl",
        "EmailStr",
        "NameEmail",
        "Json",
        "SecretStr",
        "IPv4Address",
        "IPv6Address",
        "IPv4Network",
        "IPv6Network",
        "IPvAnyAddress",
        "Path",
        "date",
        "datetime",
        "time",
        "timedelta",
        "Decimal",
        "Self",
        "ClassVar",
        "TypeAlias",
        # resource modules
        "Mapping",
        "Sequence",
        "NoneType",
        "NotGiven",
        "Operation",
        "SyncAPIClient",
        "AsyncAPIClient",
        "TYPE_CHECKING",
    }
)

_SOFT_KEYWORDS = frozenset(keyword.softkwlist)
_WORD_BOUNDARY = re.compile(
    r"""
    [A-Z]+[0-9]*(?=[A-Z][a-z])  # an acronym before a capitalised word: HTTPServer -> HTTP|Server
    | [A-Z]?[a-z]+[0-9]*        # a (capitalised) lowercase word, digits stay with it: v2
    | [A-Z]+[0-9]*              # an acronym at the end
    | [0-9]+[a-z]*              # a number, and a word glued to it: 2fast
    """,
    re.VERBOSE,
)


def _ascii_words(name: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _WORD_BOUNDARY.findall(folded)


def snake_case(name: str) -> str:
    """``addChatroomParticipant`` -> ``add_chatroom_participant``; ``iw-erp`` -> ``iw_erp``."""
    return "_".join(word.lower() for word in _ascii_words(name))


def pascal_case(name: str) -> str:
    """``iw-erp`` -> ``IwErp``; ``add_participant`` -> ``AddParticipant``."""
    return "".join(word[:1].upper() + word[1:] for word in _ascii_words(name))


def is_identifier(name: str) -> bool:
    """A plain, usable Python identifier: no keyword, no soft keyword."""
    return name.isidentifier() and not keyword.iskeyword(name) and name not in _SOFT_KEYWORDS


def identifier(name: str, *, digit_prefix: str = "field_", reserved: Iterable[str] = ()) -> str:
    """A snake_case identifier for ``name`` that is valid and not in ``reserved``.

    Empty results become ``value``; leading digits get ``digit_prefix``; keywords and
    reserved names get a trailing underscore. Never starts with an underscore, so it
    can never shadow the private names generated code uses.
    """
    result = snake_case(name) or "value"
    if result[0].isdigit():
        result = digit_prefix + result
    taken = set(reserved)
    while not is_identifier(result) or result in taken:
        result += "_"
    return result


def class_name(name: str, *, reserved: Container[str] = ()) -> str:
    """A PascalCase class name for ``name``; never a keyword or a reserved name.

    ``reserved`` is only asked ``in``: a set or a dict's keys keep this cheap when
    thousands of names are handed out one by one.
    """
    result = pascal_case(name) or "Model"
    if result[0].isdigit():
        result = "Model" + result
    while not is_identifier(result) or result in reserved or result in MODEL_MODULE_RESERVED:
        result += "Model"
    return result


def constant_name(name: str) -> str:
    """``addParticipant`` -> ``_ADD_PARTICIPANT`` (module-private constant)."""
    return "_" + (snake_case(name).upper() or "VALUE")


def env_var_name(prefix: str, name: str) -> str:
    """``env_var_name("chat_client", "mudbaseJwt")`` -> ``CHAT_CLIENT_MUDBASE_JWT``."""
    return f"{snake_case(prefix).upper()}_{snake_case(name).upper()}"


def unique_names(names: Iterable[str], *, suffix: str = "_") -> list[str]:
    """Make each name unique by appending ``suffix`` (then a counter) to later duplicates."""
    seen: set[str] = set()
    result: list[str] = []
    for name in names:
        candidate = name
        counter = 2
        while candidate in seen:
            candidate = f"{name}{suffix}{counter}" if suffix else f"{name}{counter}"
            counter += 1
        seen.add(candidate)
        result.append(candidate)
    return result


#: words that only a stand-in value contains: ``replace-with-own-host``, ``your-tenant``,
#: ``changeme``, ``api.example.com``, ``xxx``; a word is a run of letters and digits
_PLACEHOLDER_WORDS = frozenset(
    {"your", "changeme", "replaceme", "placeholder", "example", "todo", "tbd", "fixme"}
)
_PLACEHOLDER_PHRASES = re.compile(r"replace[-_ .]?(with|me)|change[-_ .]?me", re.I)
_PLACEHOLDER_WORD_RE = re.compile(r"[A-Za-z0-9]+")


def looks_like_placeholder(value: str) -> bool:
    """Whether a server variable's default is a stand-in for the user's own value.

    Conservative: ``replace-with-own-host``, ``<tenant>``, ``your-tenant``, ``YOUR_HOST``,
    ``changeme``, ``example``/``api.example.com``, ``xxx``, ``placeholder``, ``TODO`` are;
    ``acme``, ``demo``, ``sandbox``, ``us-east-1``, ``v1``, ``443`` or ``yourcompany`` are not.
    """
    text = value.strip()
    if not text:
        return False
    if "<" in text or ">" in text or _PLACEHOLDER_PHRASES.search(text):
        return True
    words = [w.lower() for w in _PLACEHOLDER_WORD_RE.findall(text)]
    return any(w in _PLACEHOLDER_WORDS or (len(w) >= 3 and set(w) == {"x"}) for w in words)
