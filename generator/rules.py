"""Every rule clientgen reports, in one table: its id, default level, stage and what it catches.

The ``rule`` of each :class:`~generator.diagnostics.Diagnostic` is one of these ids; they are
a contract (``--severity RULE=LEVEL`` and the config's ``severity`` table name them), so an
unknown id there is a usage error that lists them (:func:`check_rule_id`). The README's rule
table shows the same rows, and a test keeps the two and the code in step.

``stage`` says which part reports it. ``clientgen validate`` runs ``load``, ``validate`` and
``model``, so it reports every rule about the spec that ``generate`` does; only the
``generate`` rules are beyond it: they concern the output folder or a failure of
clientgen's own tools (datamodel-code-generator, ruff), not a mistake in the spec.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from generator.diagnostics import Diagnostic, Level

__all__ = ["CONSEQUENTIAL", "RULES", "Rule", "UnknownRule", "check_rule_id", "relaxations"]

Stage = Literal["load", "validate", "model", "generate"]


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: what its diagnostics are called and what they mean."""

    id: str
    level: Level
    stage: Stage
    catches: str

    @property
    def relaxable(self) -> bool:
        """Whether generating in spite of it still makes a working client: what the
        validator and the lint rules find is the spec author's to fix, and a user of a
        third-party spec may accept it (``--severity RULE=warning``); what stops loading
        or writing cannot be accepted."""
        return self.stage == "validate"


_E, _W, _I = Level.ERROR, Level.WARNING, Level.INFO

_TABLE = (
    # load: reading the file(s) and following $refs
    Rule("load-not-found", _E, "load", "the spec file does not exist"),
    Rule("load-not-a-file", _E, "load", "the spec path is a folder or a device"),
    Rule("load-unreadable", _E, "load", "the spec file cannot be read (permissions, I/O)"),
    Rule("load-too-large", _E, "load", "the file, or what its YAML aliases expand to, is too big"),
    Rule("load-too-deep", _E, "load", "the document nests deeper than the loader allows"),
    Rule("load-recursive", _E, "load", "a YAML alias refers to itself"),
    Rule("load-not-text", _E, "load", "the file is binary or not UTF-8"),
    Rule("load-empty", _E, "load", "the file is empty or holds only comments"),
    Rule("load-syntax", _E, "load", "malformed YAML or JSON"),
    Rule("load-duplicate-key", _E, "load", "a key given twice in one mapping (YAML or JSON)"),
    Rule("not-openapi", _E, "load", "the document is not OpenAPI 3.0 or 3.1"),
    Rule("ref-unresolved", _E, "load", "a `$ref` points to nothing"),
    Rule("ref-remote", _E, "load", "a `$ref` to a URL (only local files are followed)"),
    Rule("ref-cycle", _E, "load", "`$ref`s that only point at each other"),
    # validate: openapi-spec-validator and clientgen's lint rules
    Rule("spec-invalid", _E, "validate", "the document breaks the OpenAPI schema"),
    Rule("spec-unchecked", _W, "validate", "the validator could not finish (very deep schemas)"),
    Rule("example-invalid", _E, "validate", "an example does not match its schema"),
    Rule("default-invalid", _E, "validate", "a default does not match its schema"),
    Rule("operation-id-missing", _W, "validate", "an operation without `operationId`"),
    Rule("operation-id-duplicate", _E, "validate", "two operations share an `operationId`"),
    Rule(
        "name-collision",
        _E,
        "validate",
        "operationIds, tags or schema names that become the same Python name",
    ),
    Rule("security-undefined", _E, "validate", "a security requirement names no defined scheme"),
    Rule("path-param-undeclared", _E, "validate", "a `{var}` in a path has no path parameter"),
    Rule("path-param-unused", _E, "validate", "a path parameter has no `{var}` in its path"),
    Rule(
        "server-security-mismatch",
        _W,
        "validate",
        "one credential would be sent to hosts of different vendors",
    ),
    Rule(
        "server-missing",
        _W,
        "validate",
        "an operation with no `servers` anywhere (the client needs `base_url`)",
    ),
    Rule(
        "server-variable-placeholder",
        _W,
        "validate",
        "a server variable default that looks like a placeholder but is not `x-placeholder`",
    ),
    # model: what the client cannot express (the part is skipped, the rest generated)
    Rule("unsupported-parameter", _W, "model", "a parameter style or location the client lacks"),
    Rule("unsupported-media-type", _W, "model", "a request body that declares no media type"),
    Rule("unsupported-security", _W, "model", "a security scheme kind the client lacks"),
    Rule("unsupported-server", _W, "model", "a server URL with undeclared `{variables}`"),
    Rule("unsupported-webhooks", _W, "model", "webhooks (requests the API sends) are skipped"),
    Rule("unsupported-callbacks", _W, "model", "callbacks (requests the API sends) are skipped"),
    # generate: the output folder and clientgen's own tools
    Rule("out-refused", _E, "generate", "`--out` is not a folder clientgen may replace"),
    Rule("write-failed", _E, "generate", "the package could not be written (OS error)"),
    Rule("models-note", _I, "generate", "a remark of datamodel-code-generator on the schemas"),
    Rule("models-failed", _E, "generate", "datamodel-code-generator failed (a clientgen bug)"),
    Rule("format-failed", _E, "generate", "ruff could not format the output (a clientgen bug)"),
    Rule(
        "version-too-low",
        _W,
        "generate",
        "`info.version` is below what the changes since the last release require "
        "(an error with `--check`)",
    ),
    Rule("release-unreadable", _E, "generate", "the committed release record cannot be read"),
)

#: every rule by id, in the order of the README's table
RULES: Mapping[str, Rule] = MappingProxyType({rule.id: rule for rule in _TABLE})


#: findings about what the client cannot express; an error at the same node explains them
CONSEQUENTIAL = frozenset(rule.id for rule in _TABLE if rule.stage == "model")


class UnknownRule(ValueError):
    """A rule id that clientgen never reports (a typo in ``--severity`` or the config)."""


def check_rule_id(rule: str) -> str:
    """``rule`` if it is a known id; else :class:`UnknownRule` listing the known ones."""
    if rule not in RULES:
        import difflib

        close = difflib.get_close_matches(rule, RULES, n=1)
        guess = f" (did you mean {close[0]!r}?)" if close else ""
        raise UnknownRule(f"unknown rule {rule!r}{guess}; the rules are: {', '.join(RULES)}")
    return rule


def relaxations(diagnostics: Iterable[Diagnostic]) -> tuple[dict[str, int], tuple[str, ...]]:
    """Why a run was refused: the rules of its errors with their counts (most first),
    and the ``--severity`` options that would let it generate, if every one of those
    rules may be relaxed (else none: something else must be fixed first)."""
    counts = Counter(d.rule for d in diagnostics if d.level is Level.ERROR)
    blocking = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    if not blocking or not all(r in RULES and RULES[r].relaxable for r in blocking):
        return blocking, ()
    return blocking, tuple(f"--severity {rule}=warning" for rule in blocking)
