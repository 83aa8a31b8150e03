"""Problems found in a spec, as values.

Every stage reports what is wrong by adding a :class:`Diagnostic` to a
:class:`Diagnostics` collector instead of raising: a run reports every problem at
once, and only the command line decides what the exit status is. A diagnostic
knows the file, line and column it comes from and the JSON pointer of the node,
so that a person can go straight to the place and fix it.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace

__all__ = [
    "SEVERITY_NAMES",
    "Diagnostic",
    "Diagnostics",
    "GenerationAborted",
    "Level",
    "escape_pointer",
    "join_pointer",
    "parse_severity",
]


class Level(enum.IntEnum):
    """How bad a problem is; ``error`` stops generation, ``warning`` only with ``--strict``."""

    INFO = 10
    WARNING = 20
    ERROR = 30

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One located problem: ``file:line:column: level [rule] message (at pointer)``."""

    file: str
    line: int
    column: int
    level: Level = field(compare=False)
    rule: str
    message: str
    pointer: str = ""
    hint: str = field(default="", compare=False)

    def format(self) -> str:
        """The one-line form printed by the command line."""
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        text = f"{where}: {self.level} [{self.rule}] {self.message}"
        if self.pointer:
            text += f" (at #{self.pointer})"
        if self.hint:
            text += f"; {self.hint}"
        return text


class GenerationAborted(Exception):
    """Raised by the pipeline when the collected diagnostics forbid going on.

    It carries no message of its own: the diagnostics already say everything.
    """

    def __init__(self, diagnostics: Diagnostics) -> None:
        super().__init__(f"{diagnostics.error_count} error(s)")
        self.diagnostics = diagnostics


#: level names accepted by ``--severity RULE=LEVEL`` and ``severity = {...}`` in the config
SEVERITY_NAMES: dict[str, Level | None] = {
    "error": Level.ERROR,
    "warning": Level.WARNING,
    "info": Level.INFO,
    "off": None,
}


def parse_severity(text: str) -> tuple[str, Level | None]:
    """``"example-invalid=warning"`` -> ``("example-invalid", Level.WARNING)``.

    Raises ``ValueError`` with a message saying what is allowed.
    """
    rule, sep, level = text.partition("=")
    rule, level = rule.strip(), level.strip().lower()
    if not sep or not rule or level not in SEVERITY_NAMES:
        allowed = "|".join(SEVERITY_NAMES)
        raise ValueError(f"{text!r} is not RULE=LEVEL with LEVEL one of {allowed}")
    return rule, SEVERITY_NAMES[level]


#: the longest message a diagnostic keeps: one line a person reads, not a dump
MAX_MESSAGE = 600


@dataclass
class Diagnostics:
    """An ordered, de-duplicated collection of diagnostics.

    ``severity`` re-levels rules for one project (``example-invalid`` as a warning
    for a third-party spec whose examples you cannot fix); ``None`` drops a rule.
    """

    items: list[Diagnostic] = field(default_factory=list)
    severity: Mapping[str, Level | None] = field(default_factory=dict)
    _seen: set[tuple[str, int, int, str, str, str]] = field(default_factory=set, repr=False)

    def add(self, diagnostic: Diagnostic) -> None:
        if len(diagnostic.message) > MAX_MESSAGE:  # a message never carries a whole document
            diagnostic = replace(diagnostic, message=diagnostic.message[: MAX_MESSAGE - 3] + "...")
        if diagnostic.rule in self.severity:
            level = self.severity[diagnostic.rule]
            if level is None:
                return
            diagnostic = replace(diagnostic, level=level)
        key = (
            diagnostic.file,
            diagnostic.line,
            diagnostic.column,
            diagnostic.rule,
            diagnostic.message,
            diagnostic.pointer,
        )
        if key not in self._seen:
            self._seen.add(key)
            self.items.append(diagnostic)

    def extend(self, other: Diagnostics) -> None:
        for item in other:
            self.add(item)

    def drop_echoes(self, rules: Collection[str]) -> None:
        """Forget findings of ``rules`` that an error at the same node already explains.

        One mistake, one message: a parameter ``in: body`` is ``spec-invalid``; that
        the client cannot send it (``unsupported-parameter``, at the parameter that
        holds the bad ``in``) says the same thing again. A finding of ``rules`` below
        a level of error goes when an error's pointer is its own, inside it or above it.
        """
        errors = [(d.file, d.pointer) for d in self.items if d.level is Level.ERROR and d.pointer]

        def echoes(item: Diagnostic) -> bool:
            return any(
                file == item.file
                and (
                    pointer == item.pointer
                    or pointer.startswith(item.pointer + "/")
                    or item.pointer.startswith(pointer + "/")
                )
                for file, pointer in errors
            )

        if errors:
            self.items = [
                d
                for d in self.items
                if not (d.rule in rules and d.level < Level.ERROR and d.pointer and echoes(d))
            ]

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items)

    @property
    def error_count(self) -> int:
        return sum(1 for d in self.items if d.level is Level.ERROR)

    @property
    def warning_count(self) -> int:
        return sum(1 for d in self.items if d.level is Level.WARNING)

    def has_errors(self, *, strict: bool = False) -> bool:
        """Whether the run must fail: any error, or with ``strict`` any warning too."""
        threshold = Level.WARNING if strict else Level.ERROR
        return any(d.level >= threshold for d in self.items)


def escape_pointer(token: str | int) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, *tokens: str | int) -> str:
    """``join_pointer("/paths", "/a/{b}")`` -> ``"/paths/~1a~1{b}"``."""
    return base + "".join("/" + escape_pointer(t) for t in tokens)
