"""The repository stands alone: everything the tests and benchmarks read lives inside it.

``.ci/run`` proves it for real (it clones the repository into an empty temporary folder and
runs the whole suite there); these tests catch a regression early:

* no source file of the project reaches for a folder beside the repository (the workspace's
  ``shared`` folder, where the vendor pages and public specs were kept before);
* the third-party documents committed as test data are byte-identical to what their
  ``SHA256SUMS`` list, and their READMEs name every one of them.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
CORPUS_SPECS = ROOT / "tests" / "corpus" / "specs"

#: what the project's own code, config and CI consist of
SCANNED = ("generator", "templates", "tests", ".ci", "noxfile.py", "pyproject.toml", "README.md")
#: folders of third-party data or tool output, not the project's own text
NOT_SCANNED = {SEEDS, CORPUS_SPECS}
SKIPPED_NAMES = {"__pycache__", "node_modules", ".nox", "results", ".pytest_cache", ".hypothesis"}

_SIBLING = "shared"  # the workspace folder beside the repository that nothing may read
FORBIDDEN = [
    # a relative path up and over: dot-dot, slash, the sibling
    re.compile(r"\.\.[/\\]+" + _SIBLING + r"\b"),
    # pathlib: ROOT.parent or Path(...).parents[N], joined with the sibling's name
    re.compile(r"""\.parents?(\[\d+\])?\s*/\s*["']""" + _SIBLING + r"""["']"""),
    # os.path.join or Path with a ".." argument, then the sibling's name
    re.compile(r"""["']\.\.["']\s*,\s*["']""" + _SIBLING + r"""["']"""),
    # the absolute path of the folder beside this checkout
    re.compile(re.escape(str(ROOT.parent / _SIBLING)) + r"\b"),
]


def _project_files() -> Iterator[Path]:
    for entry in SCANNED:
        path = ROOT / entry
        if path.is_file():
            yield path
            continue
        for folder, dirs, names in os.walk(path):
            here = Path(folder)
            dirs[:] = sorted(
                d for d in dirs if d not in SKIPPED_NAMES and here / d not in NOT_SCANNED
            )
            for name in sorted(names):
                file = here / name
                if file.suffix in {".pyc", ".whl", ".gz"} or file.stat().st_size > 1_000_000:
                    continue
                yield file


def test_forbidden_patterns_catch_the_old_ways() -> None:
    """Guard: the patterns below really match how the seeds used to be read."""
    old = [
        "SEEDS = ROOT.parent / " + repr(_SIBLING) + ' / "seeds"',
        "SPECS = Path(__file__).parents[2] / " + repr(_SIBLING),
        "cd ../" + _SIBLING + "/corpus",
        "os.path.join('..', '" + _SIBLING + "', 'seeds')",
        "open('" + str(ROOT.parent / _SIBLING / "corpus" / "README.md") + "')",
    ]
    for line in old:
        assert any(p.search(line) for p in FORBIDDEN), line
    assert not any(p.search('SEEDS = ROOT / "tests" / "fixtures" / "seeds"') for p in FORBIDDEN)


def test_no_project_file_reads_beside_the_repository() -> None:
    files = list(_project_files())
    scanned = {f.relative_to(ROOT).as_posix() for f in files}
    assert {"tests/test_spec.py", "noxfile.py", ".ci/run", "generator/cli.py"} <= scanned
    found = []
    for file in files:
        text = file.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if any(p.search(line) for p in FORBIDDEN):
                found.append(f"{file.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "reads outside the repository:\n" + "\n".join(found)


# --------------------------------------------------------------------------- third-party data


def _sums(folder: Path) -> dict[str, str]:
    listed = {}
    for line in (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name.lstrip("*")] = digest
    return listed


def _data_files(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.name not in {"README.md", "SHA256SUMS"}
    }


@pytest.mark.parametrize("folder", [SEEDS, CORPUS_SPECS], ids=["seeds", "corpus"])
def test_third_party_documents_are_unchanged(folder: Path) -> None:
    listed = _sums(folder)
    assert set(listed) == _data_files(folder), "SHA256SUMS must list every file, and only those"
    for name, digest in listed.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name


def test_seed_readme_names_each_page_and_vendor() -> None:
    readme = (SEEDS / "README.md").read_text(encoding="utf-8")
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| `([^`]+\.txt)` \| ([^|]+) \|", readme, re.M)
    }
    assert set(rows) == _data_files(SEEDS)
    assert "IW-ERP" in rows["000_d92061032a237a44.txt"]
    assert "Mudbase" in rows["003_1d0fd6e817686bbf.txt"]


def test_corpus_readme_gives_source_version_and_licence_of_each_document() -> None:
    readme = (CORPUS_SPECS / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `")]
    named = {re.match(r"\| `([^`]+)`", row).group(1) for row in rows}  # type: ignore[union-attr]
    for name in _data_files(CORPUS_SPECS):
        if "LICENSE" in name:
            assert f"`{name}`" in readme, f"licence file {name} is not named"
            continue
        assert any(
            name == entry or (entry.endswith("/*") and name.startswith(entry[:-1]))
            for entry in named
        ), f"{name} has no row in the README"
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 4 and all(cells), row
        assert "github.com/" in cells[1] or cells[1].startswith("the same"), row
        assert "MIT" in cells[3], row
    for licence in re.findall(r"\(`([^`]*LICENSE[^`]*)`\)", readme):
        assert (CORPUS_SPECS / licence).is_file(), licence
