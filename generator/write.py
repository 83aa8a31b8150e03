"""Format a rendered package and publish it atomically, or compare it for ``--check``.

The package is written into a staging folder beside the target, formatted there
with ruff (one ``ruff check --fix`` and one ``ruff format`` over the whole tree),
and only then swapped into place: the old tree is renamed aside, the staged tree
renamed in, the old one deleted. A failure at any point leaves the target as it
was. Files the spec no longer produces disappear with the old tree.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "FormatError",
    "TreeChange",
    "compare_files",
    "compare_trees",
    "format_tree",
    "publish",
    "read_tree",
    "stage",
]

_RUFF_SETTINGS = (
    "--isolated",
    "--line-length",
    "100",
    "--target-version",
    "py311",
)


class FormatError(Exception):
    """ruff could not format the staged package (the rendered code does not parse)."""


@dataclass(frozen=True)
class TreeChange:
    """How a freshly generated tree differs from what is on disk."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    diff: str = field(default="", repr=False)

    @property
    def is_current(self) -> bool:
        return not (self.added or self.changed or self.removed)


def _ruff() -> str:
    try:
        from ruff.__main__ import find_ruff_bin

        return os.fsdecode(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("ruff")
        if found:
            return found
        return sys.executable + " -m ruff"


def stage(files: Mapping[str, str | bytes], target: Path) -> Path:
    """Write ``files`` into a new staging folder beside ``target`` and return it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.staging-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    for relative, text in sorted(files.items()):
        path = staging / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return staging


def format_tree(folder: Path) -> None:
    """Sort imports, drop unused ones and format every Python file below ``folder``."""
    ruff = _ruff().split()
    steps = (
        [
            *ruff,
            "check",
            *_RUFF_SETTINGS,
            "--select",
            "I,F401",
            "--fix",
            "--no-cache",
            "--exit-zero",
            ".",
        ],
        [*ruff, "format", *_RUFF_SETTINGS, "--no-cache", "."],
    )
    for command in steps:
        result = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise FormatError((result.stderr or result.stdout).strip()[:2000])


#: what tools leave inside a package folder; never generated, never compared
TOOL_CACHES = frozenset(
    {
        "__pycache__",
        ".ruff_cache",
        ".mypy_cache",
        ".pytest_cache",
        ".hypothesis",
        ".nox",
    }
)
#: build output, ignored at the top of the package folder only
BUILD_OUTPUT = frozenset({"dist", "build"})


def read_tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` by relative path, tool caches left out."""
    if not folder.is_dir():
        return {}
    files: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        ignored = relative.parts[0] in BUILD_OUTPUT or any(
            part in TOOL_CACHES or part.endswith(".egg-info") for part in relative.parts
        )
        if path.is_file() and not ignored:
            files[relative.as_posix()] = path.read_bytes()
    return files


def compare_trees(new: Path, old: Path, *, label: str) -> TreeChange:
    """What publishing ``new`` over ``old`` would change, with a unified diff."""
    return compare_files(read_tree(new), old, label=label)


def compare_files(new_files: Mapping[str, bytes], old: Path, *, label: str) -> TreeChange:
    """What writing ``new_files`` as the whole of ``old`` would change."""
    old_files = read_tree(old)
    added = tuple(sorted(set(new_files) - set(old_files)))
    removed = tuple(sorted(set(old_files) - set(new_files)))
    changed = tuple(
        sorted(p for p in set(new_files) & set(old_files) if new_files[p] != old_files[p])
    )
    chunks: list[str] = []
    for path in sorted((*added, *removed, *changed)):
        before = old_files.get(path, b"").decode("utf-8", "replace").splitlines(keepends=True)
        after = new_files.get(path, b"").decode("utf-8", "replace").splitlines(keepends=True)
        chunks.extend(difflib.unified_diff(before, after, f"a/{label}/{path}", f"b/{label}/{path}"))
    unchanged = len(set(new_files) & set(old_files)) - len(changed)
    return TreeChange(added, changed, removed, unchanged, "".join(chunks))


def publish(staging: Path, target: Path) -> None:
    """Swap the staged tree into ``target``; on failure the old tree is put back."""
    aside = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
    had_target = target.exists()
    if had_target:
        os.replace(target, aside)
    try:
        os.replace(staging, target)
    except OSError:
        if had_target:
            os.replace(aside, target)
        raise
    if had_target:
        shutil.rmtree(aside, ignore_errors=True)


def discard(staging: Path) -> None:
    """Remove a staging folder (after ``--check`` or a failure)."""
    shutil.rmtree(staging, ignore_errors=True)
