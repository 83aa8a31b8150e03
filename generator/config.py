"""The project configuration: ``[tool.clientgen]`` in ``pyproject.toml``.

::

    [[tool.clientgen.clients]]
    spec = "spec/chat.openapi.yaml"   # relative to the pyproject.toml
    package = "chat_client"           # import name of the generated package
    out = "generated/chat_client"     # folder the package is written to
    severity = { example-invalid = "warning" }   # optional: re-level lint rules (or "off")
    release = "release/chat_client"   # optional: the last release's record (this is the default)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from generator import naming
from generator.diagnostics import Level, parse_severity
from generator.rules import check_rule_id

__all__ = ["ClientConfig", "ConfigError", "find_pyproject", "load_config"]


class ConfigError(Exception):
    """The configuration is missing or wrong; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """One spec -> package pair."""

    spec: Path
    package: str
    out: Path
    #: rule id -> level (``None``: dropped), from ``severity`` and ``--severity``
    severity: tuple[tuple[str, Level | None], ...] = ()
    #: the folder holding the last release's record (``clientgen release``); ``None``: none kept,
    #: so no changelog and no version check (an ad hoc ``generate SPEC``)
    release: Path | None = None


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start``."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def check_package_name(name: str) -> str:
    """``name`` if it is a valid, lower-case import name; else :class:`ConfigError`."""
    if not naming.is_identifier(name) or name != name.lower() or name.startswith("_"):
        raise ConfigError(
            f"package name {name!r} is not a lower-case Python identifier (try {naming.identifier(name)!r})"
        )
    return name


def load_config(pyproject: Path) -> tuple[ClientConfig, ...]:
    """Every client listed in ``pyproject``; paths resolved against its folder."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{pyproject}: cannot read the project config: {exc}") from None
    section = data.get("tool", {}).get("clientgen")
    if not isinstance(section, dict):
        raise ConfigError(
            f"{pyproject}: no [tool.clientgen] section; name a SPEC on the command line instead"
        )
    clients = section.get("clients")
    if not isinstance(clients, list) or not clients:
        raise ConfigError(f"{pyproject}: [tool.clientgen] lists no [[tool.clientgen.clients]]")
    base = pyproject.parent
    result = []
    for index, entry in enumerate(clients):
        where = f"{pyproject}: [[tool.clientgen.clients]] entry {index + 1}"
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(k), str) for k in ("spec", "package", "out")
        ):
            raise ConfigError(f"{where}: needs string keys spec, package and out")
        try:
            package = check_package_name(entry["package"])
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
        severity = entry.get("severity", {})
        if not isinstance(severity, dict):
            raise ConfigError(f"{where}: severity must be a table of rule = level")
        try:
            levels = tuple(
                parse_severity(f"{check_rule_id(str(rule))}={level}")
                for rule, level in sorted(severity.items())
            )
        except ValueError as exc:
            raise ConfigError(f"{where}: severity: {exc}") from None
        release = entry.get("release", f"release/{package}")
        if not isinstance(release, str) or not release:
            raise ConfigError(f"{where}: release must be a folder name (a string)")
        result.append(
            ClientConfig(
                spec=base / entry["spec"],
                package=package,
                out=base / entry["out"],
                severity=levels,
                release=base / release,
            )
        )
    return tuple(result)
