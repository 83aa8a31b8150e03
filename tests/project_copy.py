"""A throw-away copy of this project, and the edit the README's "Adding or changing an endpoint"
describes: one more operation (a third vendor, with its own server, security scheme, tag,
operationId, summary and response schema) in the copy's ``spec/chat.openapi.yaml``.

Tests that must not touch the work tree (spec growth, refusing to publish a stale package) work
on such a copy.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

#: what a copy holds: everything the generator, the tests and the noxfile read
PROJECT_ENTRIES = (
    "pyproject.toml",
    "noxfile.py",
    "README.md",
    "generator",
    "templates",
    "spec",
    "generated",
    "release",
    "tests",
)
_IGNORED = shutil.ignore_patterns(
    "__pycache__",
    "*.pyc",
    "*.egg-info",
    "node_modules",
    ".nox",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    "results",
    ".generated-*",
)
#: big inputs no copy needs (the public spec corpus, ~7 MB)
_SKIPPED = ("tests/corpus/specs",)


def copy_project(target: Path) -> Path:
    """Copy the project (sources, spec, templates, generated/, tests) into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    skipped = {ROOT / s for s in _SKIPPED}

    def ignore(folder: str, names: list[str]) -> set[str]:
        ignored = set(_IGNORED(folder, names))
        return ignored | {n for n in names if Path(folder, n) in skipped}

    for entry in PROJECT_ENTRIES:
        source = ROOT / entry
        if source.is_dir():
            shutil.copytree(source, target / entry, ignore=ignore)
        else:
            shutil.copy2(source, target / entry)
    return target


# --------------------------------------------------------------------------- a third operation

THIRD_TAG = """\
  - name: linkchat
    description: >-
      Linkchat rooms API (`https://api.linkchat.example`), authenticated with an API key in the
      `X-Linkchat-Key` header.
"""

THIRD_PATH = """\
  /v2/rooms/{roomId}:
    servers:
      - url: https://api.linkchat.example
        description: Linkchat production server.
    get:
      operationId: getRoom
      tags:
        - linkchat
      summary: Get a room
      description: Returns one Linkchat room by its id.
      security:
        - linkchatKey: []
      parameters:
        - name: roomId
          in: path
          required: true
          description: Id of the room.
          schema:
            type: string
          examples:
            docsExample:
              summary: A room id
              value: room_1
      responses:
        '200':
          description: The room.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/LinkchatRoom'
              examples:
                docsExample:
                  summary: A room
                  value:
                    id: room_1
                    title: General
                    memberCount: 3
"""

THIRD_SCHEME = """\
    linkchatKey:
      type: apiKey
      in: header
      name: X-Linkchat-Key
      description: Linkchat API key, sent in the `X-Linkchat-Key` header.
"""

THIRD_SCHEMA = """\
    LinkchatRoom:
      type: object
      description: A Linkchat room.
      required:
        - id
      properties:
        id:
          type: string
          description: Id of the room.
        title:
          type: string
          description: Title of the room.
        memberCount:
          type: integer
          description: How many members the room has.
"""


def _insert_before(text: str, line: str, block: str) -> str:
    """``block`` inserted before the one line of ``text`` that is ``line``."""
    anchor = "\n" + line + "\n"
    assert text.count(anchor) == 1, f"the spec has {text.count(anchor)} lines {line!r}"
    at = text.index(anchor) + 1
    return text[:at] + block + text[at:]


def add_operation(spec_text: str) -> str:
    """``spec_text`` with the third vendor's ``GET /v2/rooms/{roomId}`` (``getRoom``) added.

    Each part goes where a developer would add it: at the end of ``tags``, ``paths``,
    ``securitySchemes`` and ``schemas``. Should the spec hold that vendor already (a team
    added it for real), the new one's names get a number (``linkchat2``, ``getRoom2``), so
    the edit is always one more operation, never a repeated key.
    """
    tag, path, scheme, schema = (
        _numbered(block, spec_text) for block in (THIRD_TAG, THIRD_PATH, THIRD_SCHEME, THIRD_SCHEMA)
    )
    text = _insert_before(spec_text, "paths:", tag)
    text = _insert_before(text, "components:", path + "\n")
    text = _insert_before(text, "  parameters:", scheme + "\n")
    return text.rstrip("\n") + "\n\n" + schema


def _number(spec_text: str) -> str:
    """``""``, or the number that makes the added vendor's names new in ``spec_text``."""
    if "linkchat" not in spec_text.lower():
        return ""
    return str(next(n for n in range(2, 1000) if f"linkchat{n}" not in spec_text.lower()))


def _numbered(block: str, spec_text: str) -> str:
    """``block`` with its vendor's names numbered when ``spec_text`` uses them already."""
    number = _number(spec_text)
    if not number:
        return block
    return (
        block.replace("linkchat", f"linkchat{number}")
        .replace("Linkchat", f"Linkchat{number}")
        .replace("getRoom", f"getRoom{number}")
        .replace("/v2/rooms/", f"/v2/rooms{number}/")
    )


def bump_version(spec_text: str, kind: str) -> str:
    """``spec_text`` with ``info.version`` raised as a ``kind`` of change requires (the README's
    step after an edit): ``feature`` after 0.1.0 is 0.1.1, after 1.2.0 it is 1.3.0."""
    from generator.release import required_version

    match = re.search(r"^info:\n(?:  .*\n)*?  version: '?([^'\n]+)'?\n", spec_text, re.MULTILINE)
    assert match is not None, "the spec has no info.version line"
    new = required_version(match.group(1), kind)  # type: ignore[arg-type]
    start, end = match.span(1)
    return spec_text[:start] + new + spec_text[end:]


@dataclass(frozen=True)
class Grown:
    """The grown spec and the Python names the added operation gets."""

    spec: Path
    operation_id: str
    resource: str  # module of resources/ and client attribute
    method: str
    operations: int  # in the grown spec


def grow_spec(project: Path) -> Grown:
    """Add one more operation to ``project``'s ``spec/chat.openapi.yaml``."""
    spec = project / "spec" / "chat.openapi.yaml"
    before = spec.read_text(encoding="utf-8")
    spec.write_text(bump_version(add_operation(before), "feature"), encoding="utf-8")
    number = _number(before)
    operations = sum(
        1
        for item in yaml.safe_load(before)["paths"].values()
        for key in item
        if key in {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    )
    return Grown(
        spec,
        operation_id=f"getRoom{number}",
        resource=f"linkchat{number}",
        method=f"get_room{number}",
        operations=operations + 1,
    )
