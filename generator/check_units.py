"""The validated subtrees of a spec, each with a key of everything its checks can see.

The expensive checks (openapi-spec-validator's keyword checks, and the examples and
defaults checked against their schemas) run *per unit*: each path item
(``/paths/<path>``), each webhook, each component (``/components/<kind>/<name>``), and
the rest of the document as one more unit (``""``). A unit's findings depend on its own
text and on every node its ``$ref``s reach, directly or not; :meth:`CheckUnits.key` is a
digest of exactly that (cycles included), so that findings remembered under a key are the
findings checking the unit again would give. An edit then re-checks only the units whose
text, or whose references' text, it changed.

A finding is remembered *unlocated* (:data:`Raw`: level, rule, message, pointer in the
bundled document, hint, and what the check needs to decide at report time whether it is
reported) and located again when it is reported, so that lines moved by an edit elsewhere
are still right.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from generator.diagnostics import Level, join_pointer
from generator.graph import strongly_connected
from generator.load import resolve_pointer

if TYPE_CHECKING:
    from generator.cache import Memo

__all__ = ["CheckUnits", "Raw", "forget", "raw", "unit_of"]

#: a finding before it is located: (level, rule, message, bundled pointer, hint, and a
#: note of the check's own about it, "" for none)
Raw = tuple[int, str, str, str, str, str]

#: top-level members whose entries are units of their own (``/paths/<path>``)
_PER_ENTRY = ("paths", "webhooks")


def unit_of(pointer: str) -> str:
    """The unit that a node at ``pointer`` of the bundled document belongs to.

    Read off the pointer as written (its tokens stay escaped: ``/paths/~1pets``).
    """
    tokens = pointer.split("/", 4)  # "", the member, and up to two more tokens
    depth = 3 if tokens[1:2] in (["paths"], ["webhooks"]) else 4
    if tokens[1:2] == ["components"] or depth == 3:
        return "/".join(tokens[:depth]) if len(tokens) >= depth else ""
    return ""


def _units(document: dict[str, Any]) -> Iterator[str]:
    """Every unit's pointer, in document order; the rest (``""``) first."""
    yield ""
    for member, value in document.items():
        if member in _PER_ENTRY and isinstance(value, dict):
            yield from (join_pointer("", member, name) for name in value)
        elif member == "components" and isinstance(value, dict):
            for kind, entries in value.items():
                if isinstance(entries, dict):
                    yield from (join_pointer("", member, kind, name) for name in entries)


def _rest(document: dict[str, Any]) -> dict[str, Any]:
    """The document without the entries that are units of their own."""
    rest = {k: v for k, v in document.items() if k not in _PER_ENTRY and k != "components"}
    components = document.get("components")
    if isinstance(components, dict):
        rest["components"] = {
            kind: (sorted(entries) if isinstance(entries, dict) else entries)
            for kind, entries in components.items()
        }
    for member in _PER_ENTRY:
        if isinstance(document.get(member), dict):
            rest[member] = sorted(document[member])
    return rest


def _refs(node: Any) -> set[str]:
    """The local ``$ref`` targets (as pointers) written anywhere in ``node``."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith("#"):
                found.add(ref[1:])
            stack.extend(v for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, dict | list))
    return found


class _Digests:
    """The deep digest of each node of one document that a unit's ``$ref``s reach."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._shallow: dict[str, str] = {}
        self._deps: dict[str, set[str]] = {}
        self._deep: dict[str, str] = {}

    def _node(self, pointer: str) -> Any:
        if pointer == "":
            return _rest(self.document)
        try:
            return resolve_pointer(self.document, pointer)
        except LookupError:
            return None  # a dangling reference: its absence is part of the key

    def _describe(self, pointer: str) -> None:
        """The digest of the node's own text, and the nodes it references."""
        node = self._node(pointer)
        text = json.dumps([pointer, node], ensure_ascii=False, default=str)
        self._shallow[pointer] = hashlib.sha256(text.encode()).hexdigest()
        self._deps[pointer] = _refs(node) - {pointer}

    def key(self, unit: str) -> str:
        """The digest of ``unit``'s text and of everything its references reach."""
        if unit not in self._deep:
            self._digest_from(unit)
        return self._deep[unit]

    def _digest_from(self, start: str) -> None:
        """Deep digests for ``start`` and every node it reaches, cycles as one group."""
        reached: list[str] = []
        stack = [start]
        while stack:
            pointer = stack.pop()
            if pointer in self._shallow:
                continue
            self._describe(pointer)
            reached.append(pointer)
            stack.extend(d for d in self._deps[pointer] if d not in self._shallow)
        pending = [p for p in reached if p not in self._deep]
        for group in strongly_connected(pending, {p: self._deps[p] for p in pending}):
            members = set(group)
            outside = sorted(
                {self._deep[d] for m in group for d in self._deps[m] if d not in members}
            )
            inside = sorted(self._shallow[m] for m in group)
            digest = hashlib.sha256("\0".join([*inside, "|", *outside]).encode()).hexdigest()
            for member in group:
                self._deep[member] = digest


#: the digests of the document checked last (the structure and lint checks share them)
_LAST: list[_Digests] = []


def _digests(document: dict[str, Any]) -> _Digests:
    if not _LAST or _LAST[0].document is not document:
        _LAST[:] = [_Digests(document)]
    return _LAST[0]


def forget() -> None:
    """Drop the digests kept for the next check of the same document (both checks are done)."""
    _LAST.clear()


class CheckUnits:
    """The units of one document and their keys; findings remembered in ``memo``.

    ``kind`` names the check (its findings are remembered apart from other checks');
    ``context`` is anything else the findings depend on (the OpenAPI version's rules).
    The document must not change while it is checked (the digests are kept).
    """

    def __init__(
        self, document: dict[str, Any], memo: Memo | None, kind: str, context: str = ""
    ) -> None:
        self.document = document
        self.memo = None if memo is None else memo.part(kind)
        self.kind = kind
        self.context = context

    def units(self) -> list[str]:
        return list(_units(self.document))

    def key(self, unit: str) -> str:
        """The digest of ``unit``'s text and of everything its references reach."""
        return _digests(self.document).key(unit)

    # -- findings --------------------------------------------------------------------
    def _memo_key(self, unit: str) -> str:
        assert self.memo is not None
        return self.memo.key(self.kind, self.context, unit, self.key(unit))

    def recall(self, unit: str) -> list[Raw] | None:
        """The findings remembered for ``unit`` as it is now, if any."""
        if self.memo is None:
            return None
        data = self.memo.get(self._memo_key(unit))
        if data is None:
            return None
        try:
            return [
                (int(level), str(rule), str(message), str(pointer), str(hint), str(about))
                for level, rule, message, pointer, hint, about in json.loads(data)
            ]
        except (ValueError, TypeError):
            return None

    def keep(self, unit: str, findings: list[Raw]) -> None:
        """Remember ``unit``'s findings for the next run (once :meth:`save` is called)."""
        if self.memo is not None:
            self.memo.put(self._memo_key(unit), json.dumps(findings).encode())

    def save(self) -> None:
        """Write what was remembered (and what was recalled: the memo keeps what is used)."""
        if self.memo is not None:
            self.memo.save()


def raw(
    level: Level, rule: str, message: str, pointer: str, hint: str = "", about: str = ""
) -> Raw:
    """A finding to remember (see :data:`Raw`)."""
    return (int(level), rule, message, pointer, hint, about)
