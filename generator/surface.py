"""The generated package's public API, compared release to release (griffe), and checked by use.

A change of the generator, its templates or its config can break users while the spec stays
the same (a naming rule renames a method, a template drops a keyword). So besides the spec
(:mod:`generator.diff`) the packages themselves are compared:

* :func:`package_changes` loads the released package and the new one with griffe (static
  analysis, nothing is imported) and lists what ``griffe.find_breaking_changes`` finds: public
  objects removed or re-kinded, parameters removed, moved, re-kinded or newly required.
* :func:`typecheck_examples` runs ``mypy --strict`` on the released README's examples against
  the new package, as Stainless type-checks its previous tests: an error there is code of a
  downstream user that no longer type-checks.

Both give :class:`~generator.diff.Change` records, so they appear in the same report.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.changes import Change

__all__ = ["PACKAGE_RULES", "package_changes", "typecheck_examples", "unexplained"]

#: the rule id of each griffe breakage kind (the values of ``griffe.BreakageKind``' names)
PACKAGE_RULES = {
    "OBJECT_REMOVED": "package-object-removed",
    "OBJECT_CHANGED_KIND": "package-object-changed-kind",
    "PARAMETER_REMOVED": "package-parameter-removed",
    "PARAMETER_MOVED": "package-parameter-moved",
    "PARAMETER_CHANGED_KIND": "package-parameter-changed-kind",
    "PARAMETER_CHANGED_REQUIRED": "package-parameter-required",
    "PARAMETER_ADDED_REQUIRED": "package-parameter-required",
    "CLASS_REMOVED_BASE": "package-base-removed",
}


def _load(package: str, search: Path) -> Any:
    import griffe

    return griffe.load(
        package,
        search_paths=[str(search)],
        try_relative_path=False,
        allow_inspection=False,
        store_source=False,
        resolve_aliases=False,
    )


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def package_changes(
    package: str, old_search: Path, new_search: Path, *, shown_as: Path | None = None
) -> list[Change]:
    """Breaking changes of ``package``'s public API from ``old_search`` to ``new_search``.

    Both are folders holding ``<package>/``. Each change names the object's public path
    (``chat_client.resources.mudbase.MudbaseResource.add_participant``) and is located in the
    new package where the object still exists there (or at its nearest parent), shown below
    ``shown_as`` instead of ``new_search`` when given (a package generated into a temporary
    folder is shown where ``generate`` writes it).
    """
    import griffe

    old, new = _load(package, old_search), _load(package, new_search)
    changes: list[Change] = []
    for breakage in griffe.find_breaking_changes(old, new):
        rule = PACKAGE_RULES.get(breakage.kind.name)
        if rule is None:  # attribute values and return types: griffe guesses, mypy checks
            continue
        path = breakage.obj.path
        message = f"{path}: {breakage.kind.value.lower()}"
        if breakage.kind.name.startswith("PARAMETER"):
            parameter = breakage.new_value if breakage.old_value is None else breakage.old_value
            name = getattr(parameter, "name", "")
            message = f"{path}: parameter {name!r}: {breakage.kind.value.lower()}"
        file, line = _locate(new, path.removeprefix(package + "."))
        if file and shown_as is not None:
            with contextlib.suppress(ValueError):
                relative = Path(file).resolve().relative_to(new_search.resolve())
                file = _shown(shown_as / relative)
        change = Change(rule, message, file, line, 1 if line else 0)
        if change not in changes:
            changes.append(change)
    return changes


def _locate(package: Any, path: str) -> tuple[str, int]:
    """File and line of ``path`` in the loaded ``package``, or of its nearest parent there."""
    import griffe

    parts = path.split(".")
    while parts:
        try:
            found = package[".".join(parts)]
            filepath = found.filepath
            if isinstance(filepath, Path):
                return _shown(filepath), int(found.lineno or 1)
        except (KeyError, ValueError, AttributeError, griffe.AliasResolutionError):
            pass
        parts.pop()
    return "", 0


def unexplained(package_level: Sequence[Change], spec_level: Sequence[Change]) -> list[Change]:
    """The package findings no spec change explains (the generator's own changes).

    A method the spec removed is also a method griffe finds removed; it is reported once,
    by the spec. A finding is explained when every name it is about (the object and the
    parameter) appears in some spec change's message.
    """
    kept = []
    for change in package_level:
        names = set(re.findall(r"'([^']+)'", change.message))
        names.add(change.message.split(":", 1)[0].rsplit(".", 1)[-1])
        if not any(all(_mentions(s.message, n) for n in names) for s in spec_level):
            kept.append(change)
    return kept


def _mentions(message: str, name: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", message) is not None


_MYPY_LINE = re.compile(
    r"^(?P<file>[^:\n]+\.py):(?P<line>\d+):(?:(?P<col>\d+):)? error: (?P<msg>.*)$"
)


def typecheck_examples(examples: Path, new_search: Path) -> list[Change]:
    """``mypy --strict`` errors of the released examples in ``examples`` against the new package.

    ``new_search`` is the folder holding the new ``<package>/``; it comes first on mypy's
    path, before anything installed. No examples: no findings.
    """
    files = sorted(str(p) for p in examples.glob("*.py")) if examples.is_dir() else []
    if not files:
        return []
    env = {**os.environ, "MYPYPATH": str(new_search.resolve())}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            os.devnull,
            "--show-column-numbers",
            "--no-error-summary",
            "--config-file",
            os.devnull,
            *files,
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    changes = []
    for line in result.stdout.splitlines():
        match = _MYPY_LINE.match(line.strip())
        if match is None:
            continue
        changes.append(
            Change(
                "example-type-error",
                f"the released README example no longer type-checks: {match['msg']}",
                _shown(Path(match["file"])),
                int(match["line"]),
                int(match["col"] or 1),
            )
        )
    if result.returncode not in (0, 1) and not changes:
        changes.append(
            Change(
                "example-type-error",
                f"mypy could not check the released examples: {(result.stderr or result.stdout).strip()[:300]}",
                _shown(examples),
            )
        )
    return changes
