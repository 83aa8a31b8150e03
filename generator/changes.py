"""The records of a change report: one :class:`Change` per difference, and the table of rules.

Every change :mod:`generator.diff` (the spec), :mod:`generator.surface` (the generated package)
report names one of :data:`CHANGE_RULES`: its level (``breaking``, ``warning``: the spec does not
say enough to be sure, ``info``, as oasdiff has them), the kind of release it asks for
(``breaking``, ``feature``, ``fix``) and the changelog section it is listed under. The README's
table of changes shows the same rows (a test keeps them in step).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "CHANGE_RULES",
    "Change",
    "ChangeKind",
    "ChangeLevel",
    "ChangeRule",
    "Section",
    "worst_kind",
]

ChangeLevel = Literal["breaking", "warning", "info"]
ChangeKind = Literal["breaking", "feature", "fix"]
#: the changelog section a change is listed under
Section = Literal["Breaking", "Added", "Changed", "Fixed"]


@dataclass(frozen=True, slots=True)
class ChangeRule:
    """One kind of change: its id, level, the release it asks for and its changelog section."""

    id: str
    level: ChangeLevel
    kind: ChangeKind
    section: Section
    catches: str


def _rule(
    id: str, level: ChangeLevel, kind: ChangeKind, section: Section, catches: str
) -> ChangeRule:
    return ChangeRule(id, level, kind, section, catches)


_B: Literal["breaking"] = "breaking"
_W: Literal["warning"] = "warning"
_I: Literal["info"] = "info"

#: every change :func:`diff_specs` reports, by id
CHANGE_RULES: dict[str, ChangeRule] = {
    r.id: r
    for r in (
        # operations and methods
        _rule("operation-removed", _B, _B, "Breaking", "an operation (its method) is gone"),
        _rule("method-renamed", _B, _B, "Breaking", "an operation's method has a new name"),
        _rule(
            "method-moved", _B, _B, "Breaking", "an operation's method moved to another resource"
        ),
        _rule("operation-path-changed", _B, _B, "Breaking", "an operation has a new path"),
        _rule("operation-method-changed", _B, _B, "Breaking", "an operation has a new HTTP method"),
        _rule("operation-added", _I, "feature", "Added", "a new operation (method)"),
        _rule("operation-deprecated", _W, "feature", "Changed", "an operation is now deprecated"),
        # servers
        _rule("server-removed", _B, _B, "Breaking", "a server an operation was sent to is gone"),
        _rule("server-added", _I, "feature", "Added", "an operation may be sent to a new server"),
        # request: what the client sends
        _rule("request-parameter-removed", _B, _B, "Breaking", "a parameter (argument) is gone"),
        _rule(
            "request-parameter-required",
            _B,
            _B,
            "Breaking",
            "a required parameter or header was added, or an optional one made required",
        ),
        _rule("request-parameter-added", _I, "feature", "Added", "a new optional parameter"),
        _rule(
            "request-parameter-optional",
            _I,
            "feature",
            "Changed",
            "a required parameter is now optional",
        ),
        _rule(
            "request-body-required",
            _B,
            _B,
            "Breaking",
            "a required body was added, or made required",
        ),
        _rule("request-body-removed", _B, _B, "Breaking", "the request body is gone"),
        _rule("request-body-added", _I, "feature", "Added", "an optional request body was added"),
        _rule("request-property-removed", _B, _B, "Breaking", "a body property (argument) is gone"),
        _rule(
            "request-property-required",
            _B,
            _B,
            "Breaking",
            "a required body property was added, or an optional one made required",
        ),
        _rule("request-property-added", _I, "feature", "Added", "a new optional body property"),
        _rule(
            "request-property-optional",
            _I,
            "feature",
            "Changed",
            "a required body property is now optional",
        ),
        _rule(
            "request-property-not-nullable",
            _B,
            _B,
            "Breaking",
            "a request value may no longer be null",
        ),
        _rule(
            "request-property-nullable", _I, "feature", "Changed", "a request value may now be null"
        ),
        _rule(
            "request-enum-value-removed",
            _B,
            _B,
            "Breaking",
            "a value the client could send is gone",
        ),
        _rule(
            "request-enum-value-added", _I, "feature", "Added", "a new value the client may send"
        ),
        _rule(
            "request-type-changed", _B, _B, "Breaking", "a request value's type changed or narrowed"
        ),
        _rule(
            "request-type-widened", _I, "feature", "Changed", "a request value accepts more types"
        ),
        _rule(
            "request-constraint-tightened",
            _B,
            _B,
            "Breaking",
            "a request constraint (`maxLength`, `pattern`, `minimum`, `maxItems`, ...) is tighter",
        ),
        _rule(
            "request-pattern-changed",
            _W,
            _B,
            "Breaking",
            "a request `pattern` changed (it may be tighter)",
        ),
        _rule(
            "request-constraint-loosened",
            _I,
            "feature",
            "Changed",
            "a request constraint is looser",
        ),
        # response: what the client receives
        _rule("response-status-removed", _B, _B, "Breaking", "a response status is gone"),
        _rule("response-status-added", _I, "feature", "Added", "a new response status"),
        _rule("response-property-removed", _B, _B, "Breaking", "a response field is gone"),
        _rule(
            "response-property-optional", _B, _B, "Breaking", "a response field may now be missing"
        ),
        _rule(
            "response-property-nullable", _B, _B, "Breaking", "a response field may now be `None`"
        ),
        _rule("response-type-changed", _B, _B, "Breaking", "a response value's type changed"),
        _rule("response-property-added", _I, "feature", "Added", "a new response field"),
        _rule(
            "response-property-required",
            _I,
            "feature",
            "Changed",
            "a response field is now always present",
        ),
        _rule(
            "response-enum-value-added",
            _W,
            "feature",
            "Added",
            "a response may carry a new enum value (an exhaustive `match` may miss it)",
        ),
        _rule(
            "response-enum-value-removed",
            _I,
            "feature",
            "Changed",
            "a response value is no longer sent",
        ),
        _rule(
            "response-type-narrowed", _I, "feature", "Changed", "a response value has fewer types"
        ),
        # credentials
        _rule(
            "security-changed",
            _B,
            _B,
            "Breaking",
            "a security scheme or credential keyword changed, or an operation needs another",
        ),
        _rule("security-added", _I, "feature", "Added", "a new credential"),
        # models
        _rule("model-renamed", _B, _B, "Breaking", "a model class has a new name"),
        _rule("model-removed", _B, _B, "Breaking", "a model class is gone"),
        _rule("model-added", _I, "feature", "Added", "a new model class"),
        # the generated package itself (griffe, mypy): generator, template or config changes
        _rule(
            "package-object-removed", _B, _B, "Breaking", "a public object of the package is gone"
        ),
        _rule(
            "package-object-changed-kind",
            _B,
            _B,
            "Breaking",
            "a public name is now another kind of object",
        ),
        _rule(
            "package-parameter-removed",
            _B,
            _B,
            "Breaking",
            "a parameter of a public function is gone",
        ),
        _rule("package-parameter-moved", _B, _B, "Breaking", "a positional parameter moved"),
        _rule(
            "package-parameter-changed-kind",
            _B,
            _B,
            "Breaking",
            "a parameter changed kind (positional, keyword)",
        ),
        _rule(
            "package-parameter-required",
            _B,
            _B,
            "Breaking",
            "a parameter is new and required, or now required",
        ),
        _rule("package-base-removed", _B, _B, "Breaking", "a public class lost a base class"),
        _rule(
            "example-type-error",
            _B,
            _B,
            "Breaking",
            "the released README examples no longer type-check",
        ),
        # documentation
        _rule("description-changed", _I, "fix", "Fixed", "a summary or description changed"),
        _rule("example-changed", _I, "fix", "Fixed", "an example changed"),
    )
}

_KIND_ORDER: dict[str, int] = {"fix": 0, "feature": 1, "breaking": 2}


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two specs, located in the new one where it has a place there."""

    rule: str
    message: str
    file: str = ""
    line: int = 0
    column: int = 0
    pointer: str = ""

    @property
    def level(self) -> ChangeLevel:
        return CHANGE_RULES[self.rule].level

    @property
    def kind(self) -> ChangeKind:
        return CHANGE_RULES[self.rule].kind

    @property
    def section(self) -> Section:
        return CHANGE_RULES[self.rule].section

    def format(self) -> str:
        """``file:line:col: level [rule] message``, the one-line form ``clientgen diff`` prints."""
        where = (
            f"{self.file}:{self.line}:{self.column}: "
            if self.line
            else (f"{self.file}: " if self.file else "")
        )
        return f"{where}{self.level} [{self.rule}] {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "kind": self.kind,
            "rule": self.rule,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "pointer": self.pointer,
        }


def worst_kind(changes: Iterable[Change]) -> ChangeKind | None:
    """The kind of release ``changes`` need at least (``None``: no change at all)."""
    worst: ChangeKind | None = None
    for change in changes:
        if worst is None or _KIND_ORDER[change.kind] > _KIND_ORDER[worst]:
            worst = change.kind
    return worst
