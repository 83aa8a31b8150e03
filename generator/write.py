"""Format a rendered package and publish it atomically, or compare it for ``--check``.

The package is formatted with ruff (one ``ruff check --fix`` and one ``ruff format``
over the whole tree), written into a staging folder beside the target, and only then
swapped into place: the old tree is renamed aside, the staged tree renamed in, the old
one deleted. A failure at any point leaves the target as it was. Files the spec no
longer produces disappear with the old tree.

ruff works on files, and rewrites most of those it formats. So the formatting happens
in a scratch copy in memory (:data:`MEMORY_FOLDERS`) when the machine has one with
room: creating a file on disk costs up to a millisecond on a busy machine, and a big
client has thousands. The staging folder is then written once, and a file whose
bytes the target already holds is hard-linked from it rather than written again.
Without such a folder the files are formatted in the staging folder itself.

Only a folder clientgen wrote itself is ever replaced. Every staged tree carries a
manifest (:data:`MANIFEST`) listing its files; :func:`refusal` says why a target may
not be replaced: it is, or holds, the working directory, the spec or the project; or
it holds files the manifest does not list (a user's notes, a build's ``dist/``).
A folder without a manifest (written before there was one) is clientgen's when each
of its files starts with clientgen's header line. Tool caches (``__pycache__`` and
the like) are not the user's work and do not count.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.cache import Memo

__all__ = [
    "MANIFEST",
    "FormatError",
    "Formatting",
    "Staged",
    "TreeChange",
    "UnsafeTarget",
    "add_staged",
    "compare_files",
    "compare_trees",
    "format_and_stage",
    "format_tree",
    "publish",
    "read_tree",
    "refusal",
    "stage",
    "stage_package",
    "sweep_leftovers",
]

_RUFF_SETTINGS = (
    "--isolated",
    "--line-length",
    "100",
    "--target-version",
    "py311",
)


class UnsafeTarget(Exception):
    """The output folder may not be replaced; the message says why and what to do."""

    def __init__(self, target: Path, reason: str) -> None:
        super().__init__(f"refusing to write {target}: {reason}")
        self.target, self.reason = target, reason


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


#: the file in every generated folder that marks it as clientgen's and lists what it wrote
MANIFEST = ".clientgen-manifest.json"


def manifest_text(paths: Iterable[str]) -> str:
    """The manifest of a tree holding ``paths`` (itself left out): sorted, so deterministic."""
    listed = sorted({p for p in paths if p != MANIFEST})
    document = {
        "generator": "clientgen",
        "about": (
            "Written by clientgen, which replaces this folder whole on every run. It refuses "
            "to while the folder holds a file not listed here: keep your own files elsewhere."
        ),
        "files": listed,
    }
    return json.dumps(document, indent=2) + "\n"


def stage(files: Mapping[str, str | bytes], target: Path) -> Path:
    """Write ``files`` and their manifest into a new staging folder beside ``target``.

    A file whose bytes ``target`` already holds at the same path is hard-linked from
    there (cheaper than writing it, and it keeps its time stamp); where linking fails
    (another file system, a file of another owner), it is written.
    """
    return stage_package(files, target).path


@dataclass(frozen=True)
class Staged:
    """A package written into its staging folder beside the target, and what it holds."""

    path: Path
    #: every staged file's bytes by relative path, the manifest included
    files: dict[str, bytes]
    #: the files the target already held byte for byte (linked, not written)
    same: frozenset[str]

    def add(self, relative: str, text: str) -> Staged:
        """The package with one more file (:func:`add_staged`)."""
        add_staged(self.path, relative, text)
        files = {**self.files, relative: text.encode("utf-8")}
        files[MANIFEST] = manifest_text(files).encode("utf-8")
        return Staged(self.path, files, self.same - {relative})


def stage_package(
    files: Mapping[str, str | bytes], target: Path, *, written: Iterable[str] = ()
) -> Staged:
    """:func:`stage`, and what was staged; the files ``written`` names are written, never
    linked (they are formatted in place next: a link would change the target's file)."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{target.name}.staging-"
    sweep_leftovers(target.parent, prefix)
    staging = target.parent / _own_name(prefix)
    staging.mkdir()
    encoded = {relative: _bytes(text) for relative, text in files.items()}
    encoded[MANIFEST] = manifest_text(files).encode("utf-8")
    try:
        same = _write_files(staging, encoded, same_as=target, written=frozenset(written))
    except BaseException:
        discard(staging)
        raise
    return Staged(staging, encoded, same)


def _write_files(
    folder: Path,
    files: Mapping[str, str | bytes],
    *,
    same_as: Path | None = None,
    written: frozenset[str] = frozenset(),
) -> frozenset[str]:
    """Write ``files`` below the existing ``folder``; those ``same_as`` holds are linked
    (returned), but those ``written`` names."""
    made: set[Path] = {folder}
    linked: set[str] = set()
    for relative, text in sorted(files.items()):
        path = folder / relative
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        data = _bytes(text)
        if (
            same_as is not None
            and relative not in written
            and _link_same(same_as / relative, path, data)
        ):
            linked.add(relative)
            continue
        path.write_bytes(data)
    return frozenset(linked)


def _link_same(old: Path, new: Path, data: bytes) -> bool:
    """Hard-link ``old`` as ``new`` if it is a regular file holding exactly ``data``."""
    try:
        found = os.lstat(old)
        if not stat.S_ISREG(found.st_mode) or found.st_size != len(data):
            return False
        with open(old, "rb") as handle:
            if handle.read() != data:
                return False
        os.link(old, new)
    except OSError:
        return False
    return True


def add_staged(staging: Path, relative: str, text: str) -> None:
    """Add one file to a staged tree (:func:`stage`), and to its manifest."""
    path = staging / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    listed = _listed(staging) or frozenset()
    (staging / MANIFEST).write_text(manifest_text({*listed, relative}), encoding="utf-8")


def format_tree(folder: Path, only: Iterable[str] | None = None) -> None:
    """Sort imports, drop unused ones and format every Python file below ``folder``.

    With ``only``, just those files (paths relative to ``folder``); ruff's exclusions
    apply to them as to the whole tree (``--force-exclude``), so a file comes out the
    same either way.
    """
    chosen = None if only is None else sorted(only)
    if chosen == []:
        return  # every file was formatted before: ruff is not even started
    targets = ["."] if chosen is None else ["--force-exclude", "--", *chosen]
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
            *targets,
        ],
        [*ruff, "format", *_RUFF_SETTINGS, "--no-cache", *targets],
    )
    for command in steps:
        result = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise FormatError((result.stderr or result.stdout).strip()[:2000])


#: the files ruff formats (``ruff format`` does the Python in Markdown code blocks too)
FORMATTED_SUFFIXES = (".py", ".pyi", ".md")


class Formatting:
    """The formatting of one rendered package, with the files formatted before remembered.

    ``files`` is the package to stage: each Python file whose exact text (at the same
    path, in a package of the same layout) was formatted by an earlier run already holds
    that run's result; ``todo`` lists the others, for :func:`format_tree`, and
    :meth:`collect` takes and keeps their results. ruff's output for a file depends on nothing
    but its text, its path, the package layout (first-party imports) and the generator
    (its settings and ruff's version, which the memo's keys cover).
    """

    def __init__(self, files: Mapping[str, str | bytes], memo: Memo | None) -> None:
        self.memo = memo
        self.files: dict[str, str | bytes] = dict(files)
        self.keys: dict[str, str] = {}
        self.todo: list[str] = []
        layout = "\n".join(sorted({_top(relative) for relative in files}))
        for relative, text in files.items():
            if not relative.endswith(FORMATTED_SUFFIXES):
                continue
            if memo is None:
                self.todo.append(relative)
                continue
            data = _bytes(text)
            key = memo.key(relative, layout, data)
            remembered = memo.get(key)
            if remembered is None:
                self.keys[relative] = key
                self.todo.append(relative)
            else:
                self.files[relative] = remembered

    @property
    def reused(self) -> tuple[int, int]:
        """(files whose formatting was remembered, files ruff formats in all)."""
        total = sum(1 for f in self.files if f.endswith(FORMATTED_SUFFIXES))
        return total - len(self.todo), total

    @property
    def everything(self) -> bool:
        """Whether no file was remembered (then the whole tree is formatted at once)."""
        return len(self.todo) == self.reused[1]

    @property
    def targets(self) -> list[str] | None:
        """What :func:`format_tree` is given: ``None`` (the whole tree) when nothing was
        remembered, else the files still to format."""
        return None if self.everything else self.todo

    def collect(self, folder: Path) -> None:
        """Take the formatted text of every file of ``todo`` from ``folder`` (where
        :func:`format_tree` left it), and keep it for the next run."""
        for relative in self.todo:
            data = (folder / relative).read_bytes()
            self.files[relative] = data
            key = self.keys.get(relative)
            if self.memo is not None and key is not None:
                self.memo.put(key, data)
        if self.memo is not None:
            self.memo.save()


#: folders backed by memory (tmpfs), where formatting works on its scratch copy if one
#: has room; tried in order
MEMORY_FOLDERS: tuple[Path, ...] = (Path("/dev/shm"),)
#: what a memory folder must have free besides twice the package
_HEADROOM = 64 * 2**20


def format_and_stage(formatting: Formatting, target: Path) -> Staged:
    """Format ``formatting``'s files and stage them beside ``target``.

    The formatting happens in a scratch copy in a memory folder when one has room
    (:data:`MEMORY_FOLDERS`), else in the staging folder itself; the staged bytes are the
    same either way. Raises :class:`FormatError` when ruff cannot format the package and
    :class:`OSError` when it cannot be staged; no folder is left behind.
    """
    size = sum(max(len(text), 4096) for text in formatting.files.values())
    scratch = _memory_scratch(size)
    if scratch is not None:
        try:
            _write_files(scratch, formatting.files)
            format_tree(scratch, formatting.targets)
            formatting.collect(scratch)
            scratch_failed = False
        except OSError:
            scratch_failed = True  # the memory folder filled up meanwhile: on disk, then
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        if not scratch_failed:
            return stage_package(formatting.files, target)
    staged = stage_package(formatting.files, target, written=formatting.todo)
    try:
        format_tree(staged.path, formatting.targets)
        formatting.collect(staged.path)
    except BaseException:
        discard(staged.path)
        raise
    files = {**staged.files, **{r: _bytes(formatting.files[r]) for r in formatting.todo}}
    return Staged(staged.path, files, staged.same)


def _bytes(text: str | bytes) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else text


def _memory_scratch(size: int) -> Path | None:
    """A new folder in the first memory folder with room for ``size`` bytes, or ``None``."""
    for root in MEMORY_FOLDERS:
        try:
            if not root.is_dir():
                continue
            sweep_leftovers(root, _SCRATCH_PREFIX)
            if shutil.disk_usage(root).free >= 2 * size + _HEADROOM:
                scratch = root / _own_name(_SCRATCH_PREFIX)
                scratch.mkdir(mode=0o700)
                return scratch
        except OSError:
            continue
    return None


_SCRATCH_PREFIX = "clientgen-format-"
#: a leftover folder is swept once it is this old (seconds since it last changed)
STALE_AFTER = 3600


def _own_name(prefix: str) -> str:
    """``prefix``, this process's id and a random part: a name :func:`sweep_leftovers` can
    judge."""
    return f"{prefix}{os.getpid()}-{uuid.uuid4().hex[:8]}"


def sweep_leftovers(folder: Path, prefix: str) -> list[Path]:
    """Remove what runs killed outright (no ``finally`` ran) left in ``folder``; the removed.

    A scratch copy in memory or a staging folder is removed as its run ends, but a run
    killed with SIGKILL (the out-of-memory killer, a CI timeout) leaves it, and a scratch
    copy holds memory until the machine restarts. A folder here is such a leftover when
    it is named ``<prefix><pid>-<8 hex digits>`` (:func:`_own_name`), belongs to this
    user, has not changed for :data:`STALE_AFTER` seconds and no process ``<pid>`` is
    alive: nothing else is touched. Only on POSIX systems, where that can be told.
    """
    if os.name != "posix":
        return []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    moment = time.time()
    removed: list[Path] = []
    for entry in entries:
        name = entry.name
        if not name.startswith(prefix):
            continue
        pid, dash, random = name[len(prefix) :].partition("-")
        if not (pid.isdigit() and dash and len(random) == 8 and _is_hex(random)):
            continue
        try:
            found = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if (
            not stat.S_ISDIR(found.st_mode)
            or found.st_uid != os.getuid()
            or moment - found.st_mtime < STALE_AFTER
            or _alive(int(pid))
        ):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(Path(entry.path))
    return removed


def _is_hex(text: str) -> bool:
    return all(ch in "0123456789abcdef" for ch in text)


def _alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (one of another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # not ours to signal, or cannot tell: alive, to be safe
        return True
    return True


def _top(relative: str) -> str:
    """What of a file's path shapes ruff's import sorting: the top folder (``src/<pkg>``)."""
    parts = relative.split("/")
    return "/".join(parts[:2]) if parts[0] == "src" and len(parts) > 2 else parts[0]


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


def read_tree(folder: Path, *, known: Mapping[str, bytes] | None = None) -> dict[str, bytes]:
    """Every file below ``folder`` by relative path (in path order), tool caches left out;
    the bytes of the files ``known`` holds are taken from there, not read."""
    if not folder.is_dir():
        return {}
    known = known or {}
    root = os.fspath(folder)
    found: list[tuple[list[str], str, str]] = []
    for current, dirs, names in os.walk(root):
        relative = os.path.relpath(current, root)
        parts = [] if relative == "." else relative.split(os.sep)
        dirs[:] = [d for d in dirs if not _ignored(parts, d)]
        for name in names:
            path = os.path.join(current, name)
            if not _ignored(parts, name) and os.path.isfile(path):
                found.append(([*parts, name], "/".join([*parts, name]), path))
    files: dict[str, bytes] = {}
    for _, name, path in sorted(found):
        if name in known:
            files[name] = known[name]
        else:
            with open(path, "rb") as handle:
                files[name] = handle.read()
    return files


def _ignored(parents: list[str], name: str) -> bool:
    """Whether ``name`` (below ``parents``) is a tool's cache or, at the top, build output."""
    return (
        (not parents and name in BUILD_OUTPUT) or name in TOOL_CACHES or name.endswith(".egg-info")
    )


def _is_tool_cache(relative: Path) -> bool:
    return any(part in TOOL_CACHES or part.endswith(".egg-info") for part in relative.parts)


def _listed(folder: Path) -> frozenset[str] | None:
    """The files ``folder``'s manifest lists; ``None`` without a readable manifest."""
    try:
        document = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("generator") != "clientgen":
        return None
    files = document.get("files")
    if not isinstance(files, list):
        return None
    return frozenset(str(f) for f in files) | {MANIFEST}


#: the first line of every file clientgen writes (but the manifest) says this
HEADER_MARK = b"Generated by clientgen"


def _has_header(path: Path) -> bool:
    """Whether ``path`` is a regular file whose first line says clientgen wrote it."""
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as fh:
        return HEADER_MARK in fh.read(200).split(b"\n", 1)[0]


def _foreign(folder: Path, listed: frozenset[str] | None, *, enough: int = 6) -> list[str]:
    """Files (and links, sockets, ...) below ``folder`` that ``listed`` does not name.

    Without a manifest (a folder written before clientgen wrote one) a file is
    clientgen's when its first line carries clientgen's header. The walk stops at
    ``enough`` of them: a home folder given by mistake is refused without reading it all.
    """
    foreign: list[str] = []
    for current, dirs, names in os.walk(folder):
        base = Path(current).relative_to(folder)
        dirs[:] = sorted(d for d in dirs if not _is_tool_cache(base / d))
        for name in sorted(names):
            relative = (base / name).as_posix()
            known = _has_header(Path(current) / name) if listed is None else relative in listed
            if not known:
                foreign.append(relative)
                if len(foreign) >= enough:
                    return foreign
        for name in dirs:  # a link to a folder is not walked into: it is foreign itself
            if (Path(current) / name).is_symlink():
                foreign.append((base / name).as_posix())
    return foreign


def _within(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def refusal(target: Path, *, protected: Iterable[Path] = (), contents: bool = True) -> str | None:
    """Why ``target`` must not be replaced by a generated tree; ``None`` when it may be.

    ``protected`` are paths that must survive a run: the working directory, the spec,
    the project's ``pyproject.toml``. A target that is one of them or holds one is
    refused, whatever it contains. Otherwise a missing or empty folder may be
    written, and a folder clientgen wrote (it has a :data:`MANIFEST`) may be replaced
    while it holds nothing but the files listed there and tool caches. With
    ``contents`` false only ``protected`` is checked (``--check``, which writes nothing).
    """
    where = target.resolve()
    for path in protected:
        kept = path.resolve()
        if _within(kept, where):
            what = "the working directory" if kept == Path.cwd().resolve() else str(path)
            return (
                f"it is or contains {what}, and clientgen replaces its output folder whole; "
                "choose a folder of its own for the package, e.g. --out generated/<package>"
            )
    if not contents or not where.exists():
        return None
    if not where.is_dir():
        return "it is not a folder; choose a new or empty folder"
    try:
        listed = _listed(where)
        foreign = _foreign(where, listed)
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc}); choose a new or empty folder"
    if not foreign:
        return None
    shown = ", ".join(foreign[:5]) + (" and more" if len(foreign) > 5 else "")
    if listed is None:
        return (
            f"it holds files clientgen did not write ({shown}: no {MANIFEST} lists them, "
            "nor do they start with clientgen's header); "
            "choose a new or empty folder, or move those files away first"
        )
    return (
        f"it holds files clientgen did not write ({shown}), which replacing the folder would "
        "delete; move them out of it (or delete them) first"
    )


def compare_trees(new: Path, old: Path, *, label: str) -> TreeChange:
    """What publishing ``new`` over ``old`` would change, with a unified diff."""
    return compare_files(read_tree(new), old, label=label)


def compare_files(
    new_files: Mapping[str, bytes], old: Path, *, label: str, same: Iterable[str] = ()
) -> TreeChange:
    """What writing ``new_files`` as the whole of ``old`` would change; the files ``same``
    names are known to hold the same bytes there (they are not read again)."""
    old_files = read_tree(old, known={relative: new_files[relative] for relative in same})
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


def publish(staging: Path, target: Path, *, protected: Iterable[Path] = ()) -> None:
    """Swap the staged tree into ``target``; on failure the old tree is put back.

    ``target`` is checked again (:func:`refusal`) right before the swap: a folder that
    something else wrote into since the run began is refused, not replaced.
    """
    target = target.resolve()
    reason = refusal(target, protected=protected)
    if reason is not None:
        raise UnsafeTarget(target, reason)
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
