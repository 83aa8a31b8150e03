"""Read a spec (YAML or JSON) and every file it references, keeping source positions.

The result is a :class:`LoadedSpec`: one self-contained document in which every
external ``$ref`` has been made local (component targets are hoisted into
``components``, anything else is inlined), plus a way back from any JSON pointer
of that document to the file, line and column it was written at.

Parsing is fast (``json`` or libyaml); the position index of a file is built only
when a diagnostic first asks for a position, so valid specs never pay for it.
"""

from __future__ import annotations

import bisect
import difflib
import json
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from generator.diagnostics import Diagnostic, Diagnostics, Level, escape_pointer, join_pointer

__all__ = [
    "LoadedSpec",
    "SourceFile",
    "deref",
    "load_spec",
    "parse_pointer",
    "parses_as_yaml",
    "ref_cycles",
    "resolve_pointer",
]

MAX_BYTES = 128 * 1024 * 1024
MAX_DEPTH = 256
MAX_NODES = 20_000_000

_COMPONENT_TARGET = re.compile(
    r"^/components/(schemas|parameters|responses|requestBodies|headers|examples|"
    r"securitySchemes|links|callbacks|pathItems)/([^/]+)$"
)
_YAML_LOADER: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_YAML_LOADER):  # type: ignore[misc]
    """Safe YAML loader with YAML 1.2 core-schema scalars that notices repeated keys.

    PyYAML resolves plain scalars by YAML 1.1 rules, which OpenAPI 3.1 (YAML 1.2)
    does not follow: ``NO``, ``yes`` and ``on`` become booleans, ``1e-08`` a string,
    ``017`` an octal and ``12:30`` a sexagesimal number, and timestamps become dates.
    The resolvers below are those of the YAML 1.2 core schema (see
    :data:`_CORE_RESOLVERS`); everything else stays a string. Parsing is still
    libyaml's where it is installed: only the (Python) resolver differs.

    YAML (like JSON) lets a later key silently replace an earlier one; in a spec that
    is always a mistake (two ``summary:`` lines, two ``200:`` responses). The loader
    only notes that it happened: :func:`_duplicate_key` then finds where.

    As it builds each mapping and sequence, it notes where the node's entries were
    written (:class:`Marks`): so a finding is located without composing the text again.
    """

    duplicates = False

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.marks = Marks()

    def construct_document(self, node: Any) -> Any:
        self.marks.root = _packed(node.start_mark)
        return super().construct_document(node)

    def construct_marked_map(self, node: Any) -> Iterator[dict[Any, Any]]:
        """PyYAML's ``construct_yaml_map``, noting where each key was written."""
        data: dict[Any, Any] = {}
        yield data
        data.update(self.construct_mapping(node))
        if isinstance(node, yaml.MappingNode):  # flattened: merged (``<<``) entries included
            pairs = node.value
            self.marks.note(
                data,
                tuple(str(k.value) for k, _ in pairs),
                array("Q", [_packed(k.start_mark) for k, _ in pairs]),
            )

    def construct_marked_seq(self, node: Any) -> Iterator[list[Any]]:
        """PyYAML's ``construct_yaml_seq``, noting where each item was written."""
        data: list[Any] = []
        yield data
        data.extend(self.construct_sequence(node))
        self.marks.note(data, None, array("Q", [_packed(item.start_mark) for item in node.value]))

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if not self.duplicates and isinstance(node, yaml.MappingNode):
            keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
            self.duplicates = len(set(keys)) != len(keys) and _repeats(keys)
        return super().construct_mapping(node, deep)

    def construct_core_int(self, node: Any) -> int:
        return _core_int(str(self.construct_scalar(node)))

    def construct_core_float(self, node: Any) -> float:
        return _core_float(str(self.construct_scalar(node)))


def _core_int(text: str) -> int:
    """A YAML 1.2 core-schema integer: decimal (leading zeros allowed), ``0o17`` or ``0x1F``."""
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)


def _core_float(text: str) -> float:
    """A YAML 1.2 core-schema float, ``.inf``/``-.Inf``/``.NaN`` included."""
    special = text.lower().lstrip("+-")
    if special in {".inf", ".nan"}:
        return float(text.replace(".", "", 1))
    return float(text)


#: YAML 1.2.2 core schema (section 10.3.2), tag -> the plain scalars it resolves
_CORE_PATTERNS = {
    "null": r"^(?:~|null|Null|NULL|)$",
    "bool": r"^(?:true|True|TRUE|false|False|FALSE)$",
    "int": r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$",
    "float": r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
}
#: the first characters a plain scalar of each tag can start with (libyaml's dispatch key)
_CORE_FIRST = {
    "null": "~nN",
    "bool": "tTfF",
    "int": "-+0123456789",
    "float": "-+.0123456789",
}


def _core_resolvers() -> dict[str | None, list[tuple[str, re.Pattern[str]]]]:
    """PyYAML's ``yaml_implicit_resolvers`` table for the YAML 1.2 core schema.

    Int comes before float, so ``10`` is an int and ``1e3`` (no int form) a float.
    The merge key ``<<`` keeps working, as before.
    """
    table: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}
    for name in ("null", "bool", "int", "float"):
        tag, regexp = f"tag:yaml.org,2002:{name}", re.compile(_CORE_PATTERNS[name])
        for first in [*_CORE_FIRST[name], *([""] if name == "null" else [])]:
            table.setdefault(first, []).append((tag, regexp))
    table["<"] = [("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"))]
    return table


_Loader.yaml_implicit_resolvers = _core_resolvers()
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_marked_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_marked_seq)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_core_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_core_float)

_TAG = "tag:yaml.org,2002:"
#: a resolved scalar tag -> how its text becomes a value (the :class:`_Loader`'s constructors)
_SCALARS: dict[str, Any] = {
    _TAG + "str": str,
    _TAG + "null": lambda text: None,
    _TAG + "bool": lambda text: text.lower() == "true",  # resolved: true or false, any case
    _TAG + "int": _core_int,
    _TAG + "float": _core_float,
}


class _Unusual(Exception):
    """Something the event builder leaves to :class:`_Loader` (PyYAML's constructor)."""


def _from_events(text: str) -> tuple[Any, Marks, bool] | None:
    """:class:`_Loader`'s result (data, marks, whether a mapping repeats a key), built
    straight from libyaml's events; ``None`` for a document it leaves to the loader.

    The loader composes a graph of nodes, with two mark objects each, before it builds
    the data: most of a load's time, and garbage the size of a few specs. Here each
    event is turned into data as it comes, with the same YAML 1.2 core-schema scalars,
    the same marks and the same repeated-key verdict. What this leaves to the loader,
    which then parses the text again: explicit tags other than ``!!str``, ``!!map`` and
    ``!!seq``, merge keys (``<<``), mappings or sequences as keys, anchors defined twice
    or used before they are defined, and several documents in one file (the loader
    reports the last three as errors).
    """
    parser = _YAML_LOADER(text)
    try:
        return _build(parser)
    except _Unusual:
        return None
    finally:
        parser.dispose()


def _build(parser: Any) -> tuple[Any, Marks, bool]:
    resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = _Loader.yaml_implicit_resolvers
    marks = Marks()
    #: anchor -> (the value, its text when a scalar, its packed start mark)
    anchors: dict[str, tuple[Any, str | None, int]] = {}
    #: open containers: [container, raw keys (None: a sequence), packed places, key, has key]
    stack: list[list[Any]] = []
    duplicates = False
    get = parser.get_event
    get()  # the stream's start
    event = get()
    if isinstance(event, yaml.StreamEndEvent):
        return None, marks, False
    if not isinstance(event, yaml.DocumentStartEvent):
        raise _Unusual
    event = get()
    data: Any = None
    done = False
    while not done:
        kind = type(event)
        raw: str | None = None
        if kind is yaml.ScalarEvent:
            tag, raw = event.tag, event.value
            if tag is None or tag == "!":
                tag = _TAG + "str"
                if event.implicit[0]:
                    for candidate, pattern in resolvers.get(raw[:1], ()):
                        if pattern.match(raw):
                            tag = candidate
                            break
            elif tag != _TAG + "str":
                raise _Unusual  # an explicit tag: PyYAML's constructors read it their way
            build = _SCALARS.get(tag)
            if build is None:
                raise _Unusual  # the merge key
            value = build(raw)
            place = _packed(event.start_mark)
            if event.anchor is not None:
                if event.anchor in anchors:
                    raise _Unusual
                anchors[event.anchor] = (value, raw, place)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            mapping = kind is yaml.MappingStartEvent
            if event.tag not in (None, "!", _TAG + ("map" if mapping else "seq")):
                raise _Unusual
            container: Any = {} if mapping else []
            place = _packed(event.start_mark)
            if event.anchor is not None:
                if event.anchor in anchors:
                    raise _Unusual
                anchors[event.anchor] = (container, None, place)
            stack.append([container, [] if mapping else None, array("Q"), None, False, place])
            event = get()
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            container, keys, places, _key, _has, place = stack.pop()
            marks.note(container, None if keys is None else tuple(keys), places)
            if keys is not None and not duplicates and len(set(keys)) != len(keys):
                duplicates = _repeats(keys)
            value = container
        elif kind is yaml.AliasEvent:
            found = anchors.get(event.anchor)
            if found is None:
                raise _Unusual  # undefined: the loader says so
            value, raw, place = found
        else:
            raise _Unusual  # another document, or what else libyaml might send
        if not stack:
            data, marks.root, done = value, place, True
        else:
            top = stack[-1]
            keys = top[1]
            if keys is None:
                top[0].append(value)
                top[2].append(place)
            elif not top[4]:
                if raw is None:
                    raise _Unusual  # a mapping or sequence as a key
                keys.append(raw)
                top[2].append(place)
                top[3], top[4] = value, True
            else:
                top[0][top[3]] = value
                top[4] = False
        event = get()
    if not isinstance(event, yaml.DocumentEndEvent) or not isinstance(get(), yaml.StreamEndEvent):
        raise _Unusual  # several documents: the loader refuses them
    return data, marks, duplicates


def _packed(mark: Any) -> int:
    """A YAML mark's 1-based ``(line, column)`` in one integer (see :meth:`Marks.position`)."""
    line: int = mark.line
    column: int = mark.column
    return (line + 1) << 32 | (column + 1)


@dataclass
class Marks:
    """Where the loader found each entry of each mapping and sequence of a YAML file.

    Kept per container (by identity: the loaded data holds them all alive) as the
    entries' tokens and packed positions, a few bytes per node, rather than a map from
    every node's pointer to its position, which would cost more than the data itself.
    A mapping entry is where its key was written, a sequence item where it starts: the
    places a finding points at.
    """

    root: int = (1 << 32) | 1
    #: ``id(container)`` -> (its keys as written, ``None`` for a sequence; their positions)
    entries: dict[int, tuple[tuple[str, ...] | None, array[int]]] = field(default_factory=dict)

    def note(self, container: object, keys: tuple[str, ...] | None, places: array[int]) -> None:
        self.entries[id(container)] = (keys, places)

    def position(self, data: Any, pointer: str) -> tuple[int, int]:
        """``(line, column)`` of the node at ``pointer`` of ``data`` or its nearest ancestor."""
        found, node = self.root, data
        for token in parse_pointer(pointer):
            entry = self.entries.get(id(node))
            if entry is None:
                break
            keys, places = entry
            if keys is None:
                if not (token.isdigit() and int(token) < len(places)) or type(node) is not list:
                    break
                index = int(token)
                node = node[index] if index < len(node) else None
            else:
                if token not in keys or type(node) is not dict:
                    break
                # the last entry of a key is the one whose value the mapping holds (a
                # merged ``<<`` entry comes before the mapping's own, which overrides it)
                index = len(keys) - 1 - keys[::-1].index(token)
                node = node.get(token)
            found = places[index]
        return found >> 32, found & 0xFFFFFFFF

    def in_order(self, data: Any) -> list[tuple[tuple[str, ...] | None, array[int]] | None]:
        """The entries of ``data``'s containers in :func:`_containers_in_order`'s order
        (``None`` for a container with none): how they travel, as identities do not."""
        return [self.entries.get(id(node)) for node in _containers_in_order(data)]

    @classmethod
    def from_order(
        cls,
        data: Any,
        root: int,
        ordered: list[tuple[tuple[str, ...] | None, array[int]] | None],
    ) -> Marks:
        """The marks :meth:`in_order` listed, for ``data`` as it arrived (a copy of the
        data they were listed for, shared nodes shared alike)."""
        marks = cls(root)
        for node, entry in zip(_containers_in_order(data), ordered, strict=True):
            if entry is not None:
                marks.entries[id(node)] = entry
        return marks


def _containers_in_order(data: Any) -> Iterator[Any]:
    """Every dict and list of ``data`` once, depth first, in document order."""
    seen: set[int] = set()
    stack = [data]
    while stack:
        node = stack.pop()
        if type(node) is not dict and type(node) is not list:
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        children = list(node.values()) if type(node) is dict else node
        stack.extend(reversed(children))


def _repeats(keys: list[str]) -> bool:
    """Whether ``keys`` repeats one, merge keys (``<<``, which may repeat) left out."""
    plain = [k for k in keys if k != "<<"]
    return len(set(plain)) != len(plain)


class _LoadError(Exception):
    def __init__(
        self,
        rule: str,
        message: str,
        line: int = 0,
        column: int = 0,
        hint: str = "",
        pointer: str = "",
    ) -> None:
        super().__init__(message)
        self.rule, self.message, self.line, self.column = rule, message, line, column
        self.hint, self.pointer = hint, pointer


def _duplicate_key(text: str) -> _LoadError:
    """The error for the first key (in document order) that repeats one of its mapping.

    Called only once a repeat is known to exist. JSON is read with YAML's composer
    here, which keeps every key with its position (JSON is YAML, near enough).
    """
    found: list[tuple[tuple[int, int], str, Any, Any]] = []
    for pointer, node, _where in _composed_nodes(text):
        if isinstance(node, yaml.MappingNode):
            first: dict[str, Any] = {}
            for key, _value in node.value:
                name = str(key.value)
                if name in first and name != "<<":
                    mark = key.start_mark
                    found.append(((mark.line, mark.column), pointer, key, first[name]))
                first.setdefault(name, key)
    hint = "a later key silently replaces the earlier one; keep one of them"
    if not found:
        return _LoadError("load-duplicate-key", "a key is given twice in one mapping", hint=hint)
    _, pointer, key, earlier = min(found, key=lambda f: f[0])
    return _LoadError(
        "load-duplicate-key",
        f"key {key.value!r} is given twice in this mapping (first at line "
        f"{earlier.start_mark.line + 1}, column {earlier.start_mark.column + 1})",
        key.start_mark.line + 1,
        key.start_mark.column + 1,
        hint=hint,
        pointer=join_pointer(pointer, str(key.value)),
    )


def _closest_hint(data: Any, pointer: str) -> str:
    """What to do about a pointer to nothing: the closest existing name, when there is one."""
    parent, _, last = pointer.rpartition("/")
    try:
        siblings = resolve_pointer(data, parent)
    except LookupError:
        siblings = None
    if isinstance(siblings, dict):
        names = [escape_pointer(k) for k in siblings]
        close = difflib.get_close_matches(last, names, n=1, cutoff=0.75)
        if close:
            return f"did you mean #{parent}/{close[0]}? Fix the reference or add the definition"
    return "fix the reference or add the missing definition"


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json``'s object hook: a dict, and a note when a key repeats."""
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _RepeatedKey
    return result


class _RepeatedKey(Exception):
    """Raised out of ``json.loads`` on the first repeated key; :func:`_duplicate_key` locates it."""


def _too_deep(line: int = 0, column: int = 0, *, aliases: bool = False) -> _LoadError:
    """The refusal of a document nested deeper than ``MAX_DEPTH``, where a position is known."""
    return _LoadError(
        "load-too-deep",
        f"document is nested more than {MAX_DEPTH} levels deep",
        line,
        column,
        hint="no sensible spec needs this; look for runaway nesting"
        + (" or YAML aliases" if aliases else ""),
    )


@dataclass
class SourceFile:
    """One file of a spec: its text, its parsed data and (lazily) node positions."""

    path: Path
    display: str
    text: str
    data: Any
    #: where a YAML file's nodes were written, noted as it was loaded
    marks: Marks | None = field(default=None, repr=False)
    #: whether YAML aliases make one node of ``data`` appear in several places
    shared: bool = False
    _positions: dict[str, tuple[int, int]] | None = field(default=None, repr=False)

    _json: _JsonLocator | None = field(default=None, repr=False)

    def position(self, pointer: str) -> tuple[int, int]:
        """``(line, column)``, 1-based, of the node at ``pointer`` or its nearest ancestor."""
        if self._positions is None and _looks_json(self.path, self.text):
            if self._json is None:
                self._json = _JsonLocator(self.text)
            found = self._json.position(pointer)
            if found is not None:
                return found
        if self.marks is not None:
            return self.marks.position(self.data, pointer)
        if self._positions is None:
            self._positions = _index_positions(self.text)
        probe = pointer
        while True:
            if probe in self._positions:
                return self._positions[probe]
            if not probe:
                return (1, 1)
            probe = probe.rsplit("/", 1)[0]

    def __getstate__(self) -> dict[str, Any]:
        """What a copy in another process needs: the marks keyed by order, not identity."""
        state = dict(self.__dict__)
        if self.marks is not None:
            state["marks"] = (self.marks.root, self.marks.in_order(self.data))
        state["_positions"] = state["_json"] = None  # made again when asked for
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state["marks"] is not None:
            root, ordered = state["marks"]
            state["marks"] = Marks.from_order(state["data"], root, ordered)
        self.__dict__.update(state)


@dataclass
class LoadedSpec:
    """A spec bundled into one document, and the way back to its sources."""

    root: SourceFile
    document: dict[str, Any]
    files: dict[Path, SourceFile]
    # (bundled pointer prefix, file, pointer prefix in that file), longest prefixes first
    origins: list[tuple[str, SourceFile, str]] = field(default_factory=list)

    @property
    def display(self) -> str:
        return self.root.display

    def source_of(self, pointer: str) -> tuple[SourceFile, str]:
        """The file that bundled ``pointer`` was written in, and its pointer in that file."""
        for prefix, source, source_prefix in self.origins:
            if pointer == prefix or pointer.startswith(prefix + "/"):
                return source, source_prefix + pointer[len(prefix) :]
        return self.root, pointer

    def locate(self, pointer: str) -> tuple[str, int, int]:
        """``(file, line, column)`` where the node at bundled ``pointer`` was written."""
        source, source_pointer = self.source_of(pointer)
        line, column = source.position(source_pointer)
        return source.display, line, column

    def diagnostic(
        self, level: Level, rule: str, message: str, pointer: str, hint: str = ""
    ) -> Diagnostic:
        """A diagnostic located at ``pointer`` of the bundled document.

        File, line, column and the pointer shown are those of the file the node was
        written in, so that they agree even for nodes brought in by an external ``$ref``.
        """
        source, source_pointer = self.source_of(pointer)
        line, column = source.position(source_pointer)
        return Diagnostic(source.display, line, column, level, rule, message, source_pointer, hint)


def parse_pointer(pointer: str) -> list[str]:
    """``"/paths/~1a"`` -> ``["paths", "/a"]``."""
    if not pointer:
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.lstrip("/").split("/")]


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The node at ``pointer``; raises ``LookupError`` when there is none."""
    node = document
    for token in parse_pointer(pointer):
        if isinstance(node, dict):
            if token not in node:
                raise LookupError(token)
            node = node[token]
        elif isinstance(node, list):
            if not token.isdigit() or int(token) >= len(node):
                raise LookupError(token)
            node = node[int(token)]
        else:
            raise LookupError(token)
    return node


def deref(document: Any, node: Any, *, missing: Any = None, limit: int = 64) -> Any:
    """Follow local ``$ref``s from ``node`` to what they name (``missing`` if nothing)."""
    for _ in range(limit):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not (isinstance(ref, str) and ref.startswith("#")):
            return node
        try:
            node = resolve_pointer(document, ref[1:])
        except LookupError:
            return missing
    return node


def _display(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it, else as given."""
    try:
        relative = path.resolve().relative_to(Path.cwd().resolve())
    except (ValueError, OSError, RuntimeError):
        return str(path)
    return str(relative) if relative.parts else str(path)


def _read_source(path: Path) -> SourceFile:
    display = _display(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _LoadError("load-too-large", f"file is {size} bytes; the limit is {MAX_BYTES}")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise _LoadError("load-not-found", "file not found", hint="check the path") from None
    except IsADirectoryError:
        raise _LoadError(
            "load-not-a-file",
            "is a directory, not a spec file",
            hint="name the YAML or JSON file itself",
        ) from None
    except OSError as exc:
        raise _LoadError(
            "load-unreadable",
            f"cannot read file: {exc.strerror}",
            hint="check that it is a readable file",
        ) from None
    if b"\x00" in raw:
        raise _LoadError(
            "load-not-text",
            "file contains NUL bytes, so it is binary, not YAML or JSON",
            hint="name the spec's YAML or JSON file",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _LoadError(
            "load-not-text",
            f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            line,
            column,
            hint="save the file as UTF-8",
        ) from None
    if not text.strip():
        raise _LoadError("load-empty", "file is empty", hint="write an OpenAPI document into it")
    data, marks = _parse_text(text, path)
    data, shared = _normalise(data)
    return SourceFile(path=path, display=display, text=text, data=data, marks=marks, shared=shared)


def parses_as_yaml(path: Path) -> bool:
    """Whether :func:`load_spec` reads the file at ``path`` as YAML (not as JSON), judged
    as it judges (:func:`_looks_json`) from the name and the start of the text."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return not _looks_json(path, head.decode("utf-8-sig", "replace"))


def _looks_json(path: Path, text: str) -> bool:
    return path.suffix.lower() == ".json" or (
        path.suffix.lower() not in {".yaml", ".yml"} and text.lstrip().startswith(("{", "["))
    )


class _JsonLocator:
    """Positions of nodes in JSON text, found on demand at C speed.

    Walking down a pointer, each object or array on the way is scanned once: its
    keys are read and its values skipped with ``json``'s own decoder, and the
    offsets are remembered. A 13 MB document costs a fraction of a second per
    distinct container instead of a full YAML compose of the whole text.
    """

    _SPACE = re.compile(r"[ \t\n\r]*")

    def __init__(self, text: str) -> None:
        self.text = text
        self.decoder = json.JSONDecoder()
        self.offsets: dict[str, int] = {}  # where each value starts
        self.reported: dict[str, int] = {}  # where a diagnostic points: the key, as for YAML
        self.scanned: set[str] = set()
        self.line_starts: list[int] | None = None

    def _skip(self, index: int) -> int:
        match = self._SPACE.match(self.text, index)
        return match.end() if match else index

    def _scan(self, pointer: str, start: int) -> None:
        """Record the offsets of the children of the container at ``start``."""
        self.scanned.add(pointer)
        text, decode = self.text, self.decoder.raw_decode
        opener = text[start]
        index = self._skip(start + 1)
        position = 0
        while index < len(text) and text[index] not in "]}":
            at = index
            if opener == "{":
                key, index = decode(text, index)
                index = self._skip(index)
                index = self._skip(index + 1)  # the colon
                token = str(key)
            else:
                token = str(position)
                position += 1
            child = join_pointer(pointer, token)
            self.offsets.setdefault(child, index)
            self.reported.setdefault(child, at)
            _value, index = decode(text, index)
            index = self._skip(index)
            if index < len(text) and text[index] == ",":
                index = self._skip(index + 1)

    def position(self, pointer: str) -> tuple[int, int] | None:
        try:
            offset = self._offset(pointer)
        except (ValueError, IndexError):
            return None
        if self.line_starts is None:
            self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def _offset(self, pointer: str) -> int:
        current, offset = "", self._skip(0)
        self.offsets.setdefault("", offset)
        for token in parse_pointer(pointer):
            if current not in self.scanned:
                if self.text[offset] not in "{[":
                    break
                self._scan(current, offset)
            child = join_pointer(current, token)
            if child not in self.offsets:
                break
            current, offset = child, self.offsets[child]
        return self.reported.get(current, offset)


def _parse_text(text: str, path: Path) -> tuple[Any, Marks | None]:
    """The data of ``text``, and for YAML where its nodes were written."""
    looks_json = _looks_json(path, text)
    try:
        if looks_json:
            try:
                return json.loads(text, object_pairs_hook=_json_pairs), None
            except _RepeatedKey:
                raise _duplicate_key(text) from None
            except json.JSONDecodeError as exc:
                raise _LoadError(
                    "load-syntax",
                    f"invalid JSON: {exc.msg}",
                    exc.lineno,
                    exc.colno,
                    hint="JSON allows no comments and no comma before } or ]",
                ) from None
        try:
            built = _from_events(text)
            if built is not None:
                data, marks, duplicates = built
            else:
                loader = _Loader(text)
                try:
                    data = loader.get_single_data()
                finally:
                    loader.dispose()
                marks, duplicates = loader.marks, loader.duplicates
            if duplicates:
                raise _duplicate_key(text)
            return data, marks
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or exc.context or "syntax error"
            line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
            if "nesting depth" in problem:  # libyaml >= 0.2.6 stops runaway nesting itself
                raise _too_deep(line, column) from None
            if exc.context and exc.context_mark and exc.problem:
                start = exc.context_mark
                problem += f" ({exc.context} that starts at line {start.line + 1}, column {start.column + 1})"
            raise _LoadError(
                "load-syntax",
                f"invalid YAML: {problem}",
                line,
                column,
                hint="check indentation, quotes and brackets around there",
            ) from None
        except yaml.YAMLError as exc:
            raise _LoadError("load-syntax", f"invalid YAML: {exc}") from None
    except RecursionError:
        raise _too_deep() from None


def _normalise(data: Any) -> tuple[Any, bool]:
    """Check size and depth without recursion, and turn non-string keys (``200:``) into strings.

    Only YAML aliases (``*name``) make one parsed node appear in several places; when
    a node turns up a second time, the alias-aware way (:func:`_normalise_shared`) is taken.
    Returns the data and whether a node turned up twice.
    """
    seen: set[int] = set()
    nodes = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    push = stack.append
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            return _normalise_shared(data), True
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise _too_deep()
        if type(node) is dict:
            for key in node:
                if type(key) is not str:
                    fixed = {_key_text(k): v for k, v in node.items()}
                    node.clear()
                    node.update(fixed)
                    break
            children: Any = node.values()
        elif type(node) is list:
            children = node
        else:
            continue
        nodes += 1 + len(children)
        if nodes > MAX_NODES:
            raise _LoadError(
                "load-too-large",
                f"document has more than {MAX_NODES:,} nodes",
                hint="split it into files joined by $refs, or drop what the client does not need",
            )
        for child in children:
            if type(child) is dict or type(child) is list:
                push((child, depth + 1))
    return data, False


def _normalise_shared(data: Any) -> Any:
    """:func:`_normalise` for documents with YAML aliases.

    Sizes and depths are those of the document with every alias expanded, which is
    what later stages see; each distinct node is still visited only once, so a
    "billion laughs" document is refused in linear time instead of being expanded.
    The walk is depth-first and post-order: a node is measured (:meth:`_ExpandedSizes.close`)
    once all its children are.
    """
    if not isinstance(data, dict | list):
        return data
    sizes = _ExpandedSizes()
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            sizes.close(node)
        elif sizes.open(node):
            stack.append((node, True))
            if isinstance(node, dict):
                _stringify_keys(node)
            stack.extend((child, False) for child in _containers(node))
    return data


@dataclass
class _ExpandedSizes:
    """Node counts and heights of a document's nodes as if its YAML aliases were expanded.

    Nodes are known by ``id``: a node that aliases make appear in several places is
    measured once, and its measures are reused wherever it appears. Refuses (with a
    :class:`_LoadError`) a node that contains itself and a document too big or too deep.
    """

    #: id -> node count with aliases expanded (capped at ``MAX_NODES + 1``)
    size: dict[int, int] = field(default_factory=dict)
    #: id -> levels below, aliases expanded
    height: dict[int, int] = field(default_factory=dict)
    #: ids of the nodes opened and not yet closed: the ancestors of the walk's position
    open_nodes: set[int] = field(default_factory=set)
    #: how many distinct nodes have been opened
    distinct: int = 0

    def open(self, node: Any) -> bool:
        """Start measuring ``node``; False if it is measured already (so its children are too)."""
        key = id(node)
        if key in self.size:
            return False
        if key in self.open_nodes:
            raise _LoadError(
                "load-recursive",
                "a YAML alias refers to a node that contains it",
                hint="a spec must be a tree; replace the recursive alias with a $ref",
            )
        self.distinct += 1
        if self.distinct > MAX_NODES:
            raise _LoadError("load-too-large", f"document has more than {MAX_NODES:,} nodes")
        self.open_nodes.add(key)
        return True

    def close(self, node: Any) -> None:
        """Measure ``node`` from its children, which are all measured already."""
        key = id(node)
        children = list(node.values()) if isinstance(node, dict) else node
        containers = [c for c in children if isinstance(c, dict | list)]
        total = 1 + (len(children) - len(containers)) + sum(self.size[id(c)] for c in containers)
        self.size[key] = min(total, MAX_NODES + 1)
        self.height[key] = 1 + max((self.height[id(c)] for c in containers), default=0)
        self.open_nodes.discard(key)
        if self.height[key] > MAX_DEPTH:
            raise _too_deep(aliases=True)
        if self.size[key] > MAX_NODES:
            raise _LoadError(
                "load-too-large",
                f"document has more than {MAX_NODES:,} nodes once its YAML aliases are expanded",
                hint="a document that multiplies anchors and aliases ('billion laughs') is refused",
            )


def _stringify_keys(node: dict[Any, Any]) -> None:
    """Turn the non-string keys of ``node`` (``200:``, ``true:``) into strings, in place."""
    if any(not isinstance(k, str) for k in node):
        fixed = {_key_text(k): v for k, v in node.items()}
        node.clear()
        node.update(fixed)


def _containers(node: dict[Any, Any] | list[Any]) -> list[Any]:
    """The children of ``node`` that are themselves mappings or lists."""
    children = node.values() if isinstance(node, dict) else node
    return [child for child in children if isinstance(child, dict | list)]


def _key_text(key: object) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


def _index_positions(text: str) -> dict[str, tuple[int, int]]:
    """Map every node's JSON pointer to its 1-based (line, column), using YAML's composer."""
    positions: dict[str, tuple[int, int]] = {}
    for pointer, _node, where in _composed_nodes(text):
        positions.setdefault(pointer, (where.start_mark.line + 1, where.start_mark.column + 1))
    return positions


def _composed_nodes(text: str) -> Iterator[tuple[str, Any, Any]]:
    """``(pointer, node, where)`` for every node of ``text`` as YAML's composer sees it.

    ``where`` is what a diagnostic points at: a mapping value's key, else the node
    itself. A node reached again through a YAML alias is yielded at each of its
    pointers but walked into once. Nothing when the text does not compose.
    """
    try:
        root = yaml.compose(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError):
        return
    stack: list[tuple[Any, str, Any]] = [(root, "", root)] if root is not None else []
    seen: set[int] = set()
    while stack:
        node, pointer, where = stack.pop()
        yield pointer, node, where
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend((v, join_pointer(pointer, str(k.value)), k) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(
                (item, join_pointer(pointer, i), item) for i, item in enumerate(node.value)
            )


#: a JSON pointer under construction: a finished string, or ``(parent, token)``
_Where = str | tuple[Any, str | int]


def _pointer(where: _Where) -> str:
    """The JSON pointer string of a ``(parent, token)`` chain."""
    tokens: list[str | int] = []
    while isinstance(where, tuple):
        where, token = where
        tokens.append(token)
    tokens.reverse()
    return join_pointer(where, *tokens)


@dataclass
class _Bundler:
    """Makes every external ``$ref`` local; reports refs that do not resolve."""

    root: SourceFile
    diagnostics: Diagnostics
    files: dict[Path, SourceFile] = field(default_factory=dict)
    origins: list[tuple[str, SourceFile, str]] = field(default_factory=list)
    hoisted: dict[tuple[Path, str], str] = field(default_factory=dict)
    components: dict[str, dict[str, Any]] = field(default_factory=dict)
    inlining: list[tuple[Path, str]] = field(default_factory=list)

    def report(
        self, source: SourceFile, pointer: str, rule: str, message: str, hint: str = ""
    ) -> None:
        line, column = source.position(pointer)
        self.diagnostics.add(
            Diagnostic(source.display, line, column, Level.ERROR, rule, message, pointer, hint)
        )

    def source(self, path: Path, referrer: SourceFile, at: str, ref: str) -> SourceFile | None:
        path = path.resolve()
        if path in self.files:
            return self.files[path]
        try:
            loaded = _read_source(path)
        except _LoadError as exc:
            self.report(
                referrer,
                at,
                "ref-unresolved",
                f"$ref {ref!r} points at {_display(path)}, which cannot be loaded: {exc.message}",
                "fix the path or create the file",
            )
            return None
        self.files[path] = loaded
        return loaded

    def bundle(self) -> dict[str, Any]:
        """The root document with every ``$ref`` local.

        Where the root file is a tree (no YAML alias makes one node appear twice), only
        the containers on the way to a changed ``$ref`` are copied: the rest of the
        document *is* the root file's data (a big single-file spec is not copied at
        all, which saves the copy's time and memory). Nothing downstream changes the
        document in place. Content taken from other files is always a fresh copy, so
        that the document stays a tree even where one target is inlined twice.
        """
        self.files[self.root.path.resolve()] = self.root
        data = self.root.data
        fresh = self.root.shared  # aliases: expand them into a tree, as every stage expects
        document = (
            self.walk(data, self.root, "", "", fresh) if isinstance(data, dict | list) else data
        )
        if not isinstance(document, dict):
            return {}
        if self.components:
            if document is data:
                document = dict(document)
            components = document.get("components", {})
            if isinstance(components, dict):
                components = document["components"] = dict(components)
                for kind, entries in self.components.items():
                    section = components.get(kind, {})
                    if isinstance(section, dict):
                        components[kind] = {**section, **entries}
        self.origins.sort(key=lambda o: len(o[0]), reverse=True)
        return document

    def walk(
        self, node: Any, source: SourceFile, pointer: _Where, out_pointer: _Where, fresh: bool
    ) -> Any:
        """``node`` with its ``$ref``s made local: a copy when ``fresh``, else ``node`` itself
        unless something below it changed (then a copy of the containers on the way).

        Pointers are passed as cheap ``(parent, token)`` chains and turned into strings
        only where a ``$ref`` needs them: most nodes of a big spec are no ``$ref``.
        """
        if isinstance(node, list):
            items = [
                self.walk(v, source, (pointer, i), (out_pointer, i), fresh)
                if isinstance(v, dict | list)
                else v
                for i, v in enumerate(node)
            ]
            return (
                items
                if fresh or any(a is not b for a, b in zip(items, node, strict=True))
                else node
            )
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            replaced = self.follow(ref, node, source, _pointer(pointer), _pointer(out_pointer))
            if replaced is not None:
                return replaced
        if fresh:
            return {
                k: self.walk(v, source, (pointer, k), (out_pointer, k), fresh)
                if isinstance(v, dict | list)
                else v
                for k, v in node.items()
            }
        copy: dict[str, Any] | None = None
        for k, v in node.items():
            if isinstance(v, dict | list):
                walked = self.walk(v, source, (pointer, k), (out_pointer, k), fresh)
                if walked is not v:
                    if copy is None:
                        copy = dict(node)
                    copy[k] = walked
        return node if copy is None else copy

    def follow(
        self, ref: str, node: dict[str, Any], source: SourceFile, pointer: str, out_pointer: str
    ) -> Any:
        at = join_pointer(pointer, "$ref")
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc:
            self.report(
                source,
                at,
                "ref-remote",
                f"$ref {ref!r} points at a remote document, which clientgen does not fetch",
                "download it beside the spec and use a relative path",
            )
            return dict(node)
        target_pointer = unquote(parts.fragment)
        if target_pointer and not target_pointer.startswith("/"):
            self.report(
                source,
                at,
                "ref-unresolved",
                f"$ref {ref!r} has a fragment that is not a JSON pointer",
            )
            return dict(node)
        if parts.path:
            target = self.source(source.path.parent / unquote(parts.path), source, at, ref)
            if target is None:
                return dict(node)
        else:
            target = source
        try:
            resolved = resolve_pointer(target.data, target_pointer)
        except LookupError:
            where = "" if target is source else f" in {target.display}"
            self.report(
                source,
                at,
                "ref-unresolved",
                f"$ref {ref!r} does not resolve: nothing at #{target_pointer}{where}",
                _closest_hint(target.data, target_pointer),
            )
            return dict(node)
        if target is self.root:
            return {**node, "$ref": "#" + target_pointer} if parts.path else None
        key = (target.path, target_pointer)
        match = _COMPONENT_TARGET.match(target_pointer)
        if match:
            kind, name = match.group(1), parse_pointer(target_pointer)[-1]
            if key not in self.hoisted:
                local = self.free_name(kind, name)
                self.hoisted[key] = local
                out = join_pointer("/components", kind, local)
                self.origins.append((out, target, target_pointer))
                self.components.setdefault(kind, {})[local] = self.walk(
                    resolved, target, target_pointer, out, True
                )
            local_ref = "#" + join_pointer("/components", kind, self.hoisted[key])
            return {**node, "$ref": local_ref}
        if key in self.inlining:
            self.report(
                source,
                at,
                "ref-cycle",
                f"$ref {ref!r} is circular and cannot be inlined",
                "move the target under components/ so it can be referenced by name",
            )
            return {}
        self.inlining.append(key)
        self.origins.append((out_pointer, target, target_pointer))
        try:
            return self.walk(resolved, target, target_pointer, out_pointer, True)
        finally:
            self.inlining.pop()

    def free_name(self, kind: str, name: str) -> str:
        existing = self.root.data.get("components", {}) if isinstance(self.root.data, dict) else {}
        section = existing.get(kind, {}) if isinstance(existing, dict) else {}
        taken = set(section) if isinstance(section, dict) else set()
        taken |= set(self.components.get(kind, {}))
        candidate, counter = name, 2
        while candidate in taken:
            candidate, counter = f"{name}{counter}", counter + 1
        return candidate


def load_spec(path: Path, diagnostics: Diagnostics) -> LoadedSpec | None:
    """Load and bundle the spec at ``path``; report problems into ``diagnostics``.

    Returns ``None`` when the file cannot be read as an OpenAPI document at all.
    """
    try:
        root = _read_source(path)
    except _LoadError as exc:
        diagnostics.add(
            Diagnostic(
                _display(path),
                exc.line,
                exc.column,
                Level.ERROR,
                exc.rule,
                exc.message,
                exc.pointer,
                exc.hint,
            )
        )
        return None
    problem = _not_openapi(root.data)
    if problem is not None:
        message, pointer, hint = problem
        line, column = root.position(pointer) if root.data is not None else (1, 1)
        diagnostics.add(
            Diagnostic(
                root.display, line, column, Level.ERROR, "not-openapi", message, pointer, hint
            )
        )
        return None
    bundler = _Bundler(root, diagnostics)
    document = bundler.bundle()
    spec = LoadedSpec(root=root, document=document, files=bundler.files, origins=bundler.origins)
    for cycle in ref_cycles(document):
        chain = " -> ".join(f"#{pointer}" for pointer in [*cycle, cycle[0]])
        diagnostics.add(
            spec.diagnostic(
                Level.ERROR,
                "ref-cycle",
                f"$ref points back at itself through nothing but $refs: {chain}",
                join_pointer(cycle[0], "$ref"),
                "one of them must define the object instead of referring on",
            )
        )
    return spec


def ref_cycles(document: Any) -> list[list[str]]:
    """Every cycle of components that are nothing but a local ``$ref`` to the next one.

    ``requestBodies: {body: {$ref: '#/components/requestBodies/body'}}`` (or two that
    point at each other) defines nothing: no reader can find the object, so each such
    cycle is one error, listed from its first member in document order. A schema that
    refers to itself *inside* an object (a tree) is no such cycle.
    """
    components = document.get("components") if isinstance(document, dict) else None
    if not isinstance(components, dict):
        return []
    starts = [
        join_pointer("/components", kind, name)
        for kind, section in components.items()
        if isinstance(section, dict)
        for name in section
    ]
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in starts:
        chain: list[str] = []
        pointer: str | None = start
        while pointer is not None and pointer not in done and pointer not in chain:
            chain.append(pointer)
            pointer = _pure_ref(document, pointer)
        if pointer is not None and pointer in chain:
            cycle = chain[chain.index(pointer) :]
            first = min(cycle, key=starts.index) if all(c in starts for c in cycle) else cycle[0]
            at = cycle.index(first)
            cycles.append(cycle[at:] + cycle[:at])
        done.update(chain)
    return cycles


def _pure_ref(document: Any, pointer: str) -> str | None:
    """Where the node at ``pointer`` refers on, when it is nothing but a local ``$ref``."""
    try:
        node = resolve_pointer(document, pointer)
    except LookupError:
        return None
    ref = node.get("$ref") if isinstance(node, dict) else None
    if not (isinstance(ref, str) and ref.startswith("#")):
        return None
    if any(key not in {"$ref", "summary", "description"} for key in node):
        return None  # 3.1 schemas may add keywords beside $ref: then it defines something
    return unquote(ref[1:])


_KINDS = {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}
_OPENAPI_HINT = "an OpenAPI document is a mapping that starts with a line like: openapi: 3.1.0"


def _not_openapi(data: Any) -> tuple[str, str, str] | None:
    """``(message, pointer, hint)`` when ``data`` is no OpenAPI 3.0/3.1 document, else ``None``."""
    if data is None:
        return "the document holds nothing but comments or separators", "", _OPENAPI_HINT
    if not isinstance(data, dict):
        kind = _KINDS.get(type(data), type(data).__name__)
        return f"the document is a {kind}, not an OpenAPI object (a mapping)", "", _OPENAPI_HINT
    if "swagger" in data and "openapi" not in data:
        return (
            f"this is a Swagger {data['swagger']} document; clientgen reads OpenAPI 3.0 and 3.1 only",
            "/swagger",
            "convert it to OpenAPI 3 first (for example with swagger2openapi)",
        )
    version = data.get("openapi")
    if version is None:
        return (
            "the document has no 'openapi' field, so it is not an OpenAPI document",
            "",
            _OPENAPI_HINT,
        )
    if isinstance(version, int | float) and not isinstance(version, bool):
        return (
            f"'openapi' is the number {version!r}, not a version string",
            "/openapi",
            "write the full version in quotes, for example openapi: '3.1.0'",
        )
    if not isinstance(version, str) or not re.match(r"^3\.[01]\.\d+", version):
        return (
            f"OpenAPI version {version!r} is not supported; clientgen reads 3.0.x and 3.1.x",
            "/openapi",
            "write openapi: 3.1.0 (or 3.0.3) if the document keeps to that version",
        )
    return None
