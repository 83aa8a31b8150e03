"""Where the generator's own files are: the Jinja templates and the runtime to copy.

Kept apart from ``render`` (which imports Jinja and the whole model) so that the
cache can fingerprint these files without importing any of that.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["runtime_files", "templates_dir"]

_RUNTIME_SKIP = frozenset({"__init__.py"})


def templates_dir() -> Path:
    """The templates: inside the installed wheel, or ``templates/`` of a source checkout."""
    here = Path(__file__).resolve().parent
    shipped = here / "_templates"
    return shipped if shipped.is_dir() else here.parent / "templates"


def runtime_files() -> dict[str, str]:
    """The hand-written runtime modules, by file name, as they are copied into packages."""
    folder = resources.files("generator") / "runtime"
    result = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".py") and entry.name not in _RUNTIME_SKIP:
            result[entry.name] = entry.read_text(encoding="utf-8")
    return result
