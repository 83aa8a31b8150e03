"""Staging, formatting, comparing and atomically publishing a generated tree."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator import write
from generator.write import FORMATTED_SUFFIXES, format_tree, read_tree


def test_stage_writes_files_beside_target(tmp_path: Path) -> None:
    target = tmp_path / "out" / "pkg"
    staging = write.stage({"a.py": "x = 1\n", "sub/b.txt": "b\n"}, target)
    try:
        assert staging.parent == target.parent
        assert staging.name.startswith(".pkg.staging-")
        assert (staging / "a.py").read_text() == "x = 1\n"
        assert (staging / "sub" / "b.txt").read_text() == "b\n"
        assert not target.exists()
    finally:
        write.discard(staging)
    assert not staging.exists()


def test_format_tree_sorts_imports_and_formats(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("import sys\nimport os\nx=os.sep+sys.platform\n")
    write.format_tree(tmp_path)
    assert (tmp_path / "m.py").read_text() == "import os\nimport sys\n\nx = os.sep + sys.platform\n"


def test_format_tree_reports_unparsable_code(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def (:\n")
    with pytest.raises(write.FormatError):
        write.format_tree(tmp_path)


def test_compare_trees_lists_added_changed_removed_with_diff(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    for folder, files in (
        (old, {"same": "1\n", "changed": "a\n", "gone": "x\n"}),
        (new, {"same": "1\n", "changed": "b\n", "fresh": "y\n"}),
    ):
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text)
    change = write.compare_trees(new, old, label="pkg")
    assert change.added == ("fresh",)
    assert change.changed == ("changed",)
    assert change.removed == ("gone",)
    assert change.unchanged == 1
    assert not change.is_current
    assert "--- a/pkg/changed" in change.diff and "-a\n+b\n" in change.diff
    assert "+++ b/pkg/fresh" in change.diff


def test_compare_identical_trees_is_current(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "f.py").write_text("x = 1\n")
    assert write.compare_trees(tmp_path / "a", tmp_path / "b", label="x").is_current


def test_publish_replaces_whole_tree(tmp_path: Path) -> None:
    target = tmp_path / "pkg"
    write.publish(write.stage({"stale.py": "old\n"}, target), target)
    staging = write.stage({"new.py": "new\n"}, target)
    write.publish(staging, target)
    assert sorted(p.name for p in target.iterdir()) == [write.MANIFEST, "new.py"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]  # nothing left beside it


def test_publish_puts_old_tree_back_when_swap_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "pkg"
    write.publish(write.stage({"keep.py": "old\n"}, target), target)
    staging = write.stage({"new.py": "new\n"}, target)
    real_replace = os.replace
    calls = []

    def flaky_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls.append((Path(src), Path(dst)))
        if Path(src) == staging:
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(write.os, "replace", flaky_replace)
    with pytest.raises(OSError, match="disk full"):
        write.publish(staging, target)
    assert (target / "keep.py").read_text() == "old\n"


def test_compare_ignores_tool_caches(tmp_path: Path) -> None:
    new, old = tmp_path / "new", tmp_path / "old"
    for folder in (new, old):
        (folder / "src").mkdir(parents=True)
        (folder / "src" / "m.py").write_text("x = 1\n")
    for cache in (".ruff_cache", ".mypy_cache", "src/__pycache__", "src/pkg.egg-info"):
        (old / cache).mkdir(parents=True)
        (old / cache / "junk").write_text("cached\n")
    assert write.compare_trees(new, old, label="pkg").is_current


def _unformatted_tree(folder: Path) -> None:
    files = {
        "src/pkg/__init__.py": "import sys\nimport os\nfrom .mod import  x\n__all__=['x' ,'os']\n",
        "src/pkg/mod.py": "x = {  'a':1 }\n",
        "src/pkg/py.typed": "",
        "README.md": "# pkg\n\n```python\nimport pkg\nprint( pkg.x )\n```\n",
        "pyproject.toml": "[project]\nname = 'pkg'\nversion = '1'\n",
        "manifest.json": '{"a":  1}\n',
    }
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_formatting_some_files_is_formatting_them_in_the_whole_tree(tmp_path: Path) -> None:
    """The format memo formats only the files it has not seen: each must come out as a
    whole-tree run makes it, and the files it never formats must be ones ruff leaves alone."""
    whole, some = tmp_path / "whole", tmp_path / "some"
    _unformatted_tree(whole)
    _unformatted_tree(some)
    before = read_tree(whole)
    format_tree(whole)
    formatted = read_tree(whole)
    changed = {name for name in before if before[name] != formatted[name]}
    assert changed and all(name.endswith(FORMATTED_SUFFIXES) for name in changed)
    format_tree(some, [name for name in before if name.endswith(FORMATTED_SUFFIXES)])
    assert read_tree(some) == formatted
    format_tree(some, [])  # nothing to do: ruff is not even run
    assert read_tree(some) == formatted


def _unformatted_files() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        "src/pkg/__init__.py": "import sys\nimport os\nfrom .mod import  x\n__all__=['x' ,'os']\n",
        "src/pkg/mod.py": "x = {  'a':1 }\n",
        "src/pkg/py.typed": b"",
        "README.md": "# pkg\n\n```python\nimport pkg\nprint( pkg.x )\n```\n",
    }
    return files


@pytest.mark.parametrize("in_memory", [True, False], ids=["memory", "disk"])
def test_format_and_stage_stages_what_formatting_the_tree_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_memory: bool
) -> None:
    """In a memory folder or (without one) in the staging folder: the same staged bytes,
    no scratch or staging folder left behind, and the formatted files remembered."""
    memory = tmp_path / "shm"
    memory.mkdir()
    monkeypatch.setattr(write, "MEMORY_FOLDERS", (memory,) if in_memory else ())
    whole = tmp_path / "whole"
    for relative, text in _unformatted_files().items():
        (whole / relative).parent.mkdir(parents=True, exist_ok=True)
        (whole / relative).write_bytes(text if isinstance(text, bytes) else text.encode())
    format_tree(whole)
    formatting = write.Formatting(_unformatted_files(), None)
    target = tmp_path / "out" / "pkg"
    staged = write.format_and_stage(formatting, target)
    staging = staged.path
    on_disk = read_tree(staging)
    assert on_disk == staged.files  # what the run keeps is what it wrote
    assert on_disk.pop(write.MANIFEST)
    assert on_disk == read_tree(whole)
    assert list(memory.iterdir()) == []
    assert sorted(p.name for p in target.parent.iterdir()) == [staging.name]


def test_formatting_in_the_staging_folder_never_changes_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On disk, files are formatted in place: one the target holds unformatted, byte for
    byte, must be written, not linked (ruff would rewrite the target's file through it)."""
    monkeypatch.setattr(write, "MEMORY_FOLDERS", ())
    target = tmp_path / "pkg"
    write.publish(write.stage({"m.py": "x = {  'a':1 }\n"}, target), target)
    staged = write.format_and_stage(write.Formatting({"m.py": "x = {  'a':1 }\n"}, None), target)
    assert (target / "m.py").read_text() == "x = {  'a':1 }\n"
    assert (staged.path / "m.py").read_text() == 'x = {"a": 1}\n'
    assert staged.files["m.py"] == b'x = {"a": 1}\n'
    assert "m.py" not in staged.same


def test_format_and_stage_falls_back_to_disk_when_memory_is_short(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory = tmp_path / "shm"
    memory.mkdir()
    monkeypatch.setattr(write, "MEMORY_FOLDERS", (memory, tmp_path / "missing"))
    monkeypatch.setattr(write, "_HEADROOM", 2**62)  # no folder has that much room
    formatting = write.Formatting(_unformatted_files(), None)
    staged = write.format_and_stage(formatting, tmp_path / "out" / "pkg")
    assert (staged.path / "src/pkg/mod.py").read_text() == 'x = {"a": 1}\n'
    assert list(memory.iterdir()) == []


def test_format_and_stage_leaves_nothing_behind_when_ruff_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for memory in ((tmp_path / "shm",), ()):
        for folder in memory:
            folder.mkdir()
        monkeypatch.setattr(write, "MEMORY_FOLDERS", memory)
        formatting = write.Formatting({"broken.py": "def (:\n"}, None)
        with pytest.raises(write.FormatError):
            write.format_and_stage(formatting, tmp_path / "out" / "pkg")
        assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
        assert all(not list(folder.iterdir()) for folder in memory)


def test_stage_links_the_files_the_target_already_holds(tmp_path: Path) -> None:
    target = tmp_path / "pkg"
    write.publish(write.stage({"same.py": "1\n", "changed.py": "a\n"}, target), target)
    old_same = (target / "same.py").stat()
    staging = write.stage({"same.py": "1\n", "changed.py": "b\n", "new.py": "c\n"}, target)
    assert (staging / "same.py").stat().st_ino == old_same.st_ino
    assert (staging / "changed.py").stat().st_ino != (target / "changed.py").stat().st_ino
    assert (staging / "changed.py").read_text() == "b\n"
    write.publish(staging, target)
    assert read_tree(target) == {
        "same.py": b"1\n",
        "changed.py": b"b\n",
        "new.py": b"c\n",
        write.MANIFEST: read_tree(target)[write.MANIFEST],
    }
    assert (target / "same.py").stat().st_nlink == 1  # the old tree is gone


def test_stage_writes_when_the_target_file_cannot_be_linked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "pkg"
    write.publish(write.stage({"same.py": "1\n"}, target), target)

    def refused(*args: object, **kwargs: object) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(write.os, "link", refused)
    staging = write.stage({"same.py": "1\n"}, target)
    assert (staging / "same.py").read_text() == "1\n"
    assert (staging / "same.py").stat().st_ino != (target / "same.py").stat().st_ino


def test_compare_files_takes_known_files_as_they_are(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("old\n")
    (tmp_path / "b.py").write_text("b\n")
    new = {"a.py": b"old\n", "b.py": b"b\n"}
    assert write.compare_files(new, tmp_path, label="pkg", same=["a.py"]).is_current
    (tmp_path / "a.py").write_text("changed behind our back\n")
    assert write.compare_files(new, tmp_path, label="pkg", same=["a.py"]).is_current
    assert write.compare_files(new, tmp_path, label="pkg").changed == ("a.py",)


def test_a_file_formatted_alone_in_memory_is_formatted_as_in_the_whole_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the others remembered, one file is formatted in the scratch copy: the whole
    package is there, so ruff still tells the package's own imports apart (it looks for
    the imported module's file)."""
    from generator.cache import Memo

    memory = tmp_path / "shm"
    memory.mkdir()
    monkeypatch.setattr(write, "MEMORY_FOLDERS", (memory,))
    files = _unformatted_files()
    files["src/pkg/absolute.py"] = (
        "import pydantic\nimport pkg.mod\nimport os\nx=(os,pydantic,pkg.mod)\n"
    )
    memo = Memo(tmp_path / "memo", "format").packed("scope")
    first = write.format_and_stage(write.Formatting(files, memo), tmp_path / "a" / "pkg")
    files["src/pkg/absolute.py"] = (
        "import pydantic\nimport pkg.mod\nimport os\nx=(os,pydantic,pkg.mod,1)\n"
    )
    formatting = write.Formatting(files, memo)
    assert formatting.todo == ["src/pkg/absolute.py"]
    staged = write.format_and_stage(formatting, tmp_path / "b" / "pkg")
    whole = tmp_path / "whole"
    for relative, text in files.items():
        (whole / relative).parent.mkdir(parents=True, exist_ok=True)
        (whole / relative).write_bytes(text if isinstance(text, bytes) else text.encode())
    format_tree(whole)
    expected = read_tree(whole)
    assert expected["src/pkg/absolute.py"] == (
        b"import os\n\nimport pydantic\n\nimport pkg.mod\n\nx = (os, pydantic, pkg.mod, 1)\n"
    )
    assert {k: v for k, v in staged.files.items() if k != write.MANIFEST} == expected
    assert first.files.keys() == staged.files.keys()


def _dead_pid() -> int:
    """The id of a process that has ended."""
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout)


def _leftover(folder: Path, name: str, *, age: float = 2 * write.STALE_AFTER) -> Path:
    path = folder / name
    path.mkdir(parents=True)
    (path / "a.py").write_text("x = 1\n")
    then = time.time() - age
    os.utime(path, (then, then))
    return path


@pytest.mark.skipif(os.name != "posix", reason="leftovers are swept on POSIX systems only")
def test_only_the_stale_folders_of_ended_runs_are_swept(tmp_path: Path) -> None:
    dead, alive = _dead_pid(), os.getpid()
    prefix = ".pkg.staging-"
    gone = _leftover(tmp_path, f"{prefix}{dead}-0123abcd")
    kept = [
        _leftover(tmp_path, f"{prefix}{alive}-0123abcd"),  # its run is still going
        _leftover(tmp_path, f"{prefix}{dead}-4567abcd", age=10),  # too recent to judge
        _leftover(tmp_path, f"{prefix}{dead}-notours1"),  # not a name clientgen gives
        _leftover(tmp_path, f".other.staging-{dead}-0123abcd"),  # another folder's
        _leftover(tmp_path, f"{prefix}{dead}"),
    ]
    (tmp_path / f"{prefix}{dead}-89abcdef").write_text("a file, not a folder")
    assert write.sweep_leftovers(tmp_path, prefix) == [gone]
    assert not gone.exists() and all(path.is_dir() for path in kept)
    assert (tmp_path / f"{prefix}{dead}-89abcdef").is_file()


@pytest.mark.skipif(os.name != "posix", reason="leftovers are swept on POSIX systems only")
def test_a_run_sweeps_what_killed_runs_left_in_memory_and_beside_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory = tmp_path / "shm"
    monkeypatch.setattr(write, "MEMORY_FOLDERS", (memory,))
    dead = _dead_pid()
    scratch = _leftover(memory, f"clientgen-format-{dead}-0123abcd")
    target = tmp_path / "out" / "pkg"
    staging = _leftover(target.parent, f".pkg.staging-{dead}-0123abcd")
    staged = write.format_and_stage(write.Formatting({"a.py": "x=1\n"}, None), target)
    try:
        assert not scratch.exists() and not staging.exists()
        assert list(memory.iterdir()) == []
        assert staged.path.name.startswith(f".pkg.staging-{os.getpid()}-")
    finally:
        write.discard(staged.path)
