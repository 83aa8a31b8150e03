"""A content-addressed cache of finished output, so an unchanged spec costs almost nothing.

The key covers everything the output depends on: the spec's bytes, the package
name, the severity settings, and a fingerprint of the generator itself (its
modules, runtime and templates, and the versions of the libraries that shape
the output: datamodel-code-generator, ruff, openapi-spec-validator, ...). A hit
returns the formatted files exactly as an uncached run wrote them (the entry is
stored from that run's staging folder), so the output is byte-identical either
way; files referenced from the spec are re-hashed on every hit. Only successful
runs are stored.

Besides whole runs, the cache remembers *units* of work (:class:`Memo`), so that a run
on an edited spec redoes only what the edit touches: each part of the models
(:mod:`generator.partition`), keyed by its schemas, and each formatted file, keyed by its
unformatted text. A unit's key covers everything its result depends on, the generator's
fingerprint included, so a remembered unit is exactly what generating it again would give.

Location: ``$CLIENTGEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/clientgen``, else
``~/.cache/clientgen``; ``CLIENTGEN_NO_CACHE=1`` (or ``--no-cache``) turns it off.

Size: at most ``$CLIENTGEN_CACHE_MAX_MB`` megabytes (default :data:`DEFAULT_MAX_MB`). A
run that stored something and finds the cache bigger prunes it (:meth:`OutputCache.prune`):
the results used least recently go first, whole runs and units alike, down to
:data:`PRUNED_SHARE` of the limit, and then every stored file no run left refers to.
Using a result (a hit) counts as using it, so the daily loop's results stay.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sys
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from generator.assets import templates_dir
from generator.diagnostics import Diagnostic, Level

__all__ = [
    "DEFAULT_MAX_MB",
    "PRUNED_SHARE",
    "CacheEntry",
    "Memo",
    "OutputCache",
    "PackedMemo",
    "default_cache",
]

#: the cache's size limit unless ``$CLIENTGEN_CACHE_MAX_MB`` says otherwise
DEFAULT_MAX_MB = 1024
#: pruning stops once the cache is this share of its limit (so it is not pruned every run)
PRUNED_SHARE = 0.8

_LIBRARIES = (
    "datamodel-code-generator",
    "ruff",
    "openapi-spec-validator",
    "openapi-schema-validator",
    "jsonschema",
    "jsonschema-rs",
    "jinja2",
    "pyyaml",
)


@dataclass(frozen=True)
class CacheEntry:
    """A finished run: its files and what it reported."""

    files: dict[str, bytes]
    diagnostics: tuple[Diagnostic, ...]
    operations: int
    models: int


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.cache
def generator_fingerprint() -> str:
    """A hash of the generator's code, runtime, templates and output-shaping libraries."""
    digest = hashlib.sha256(f"{sys.version_info[:2]}".encode())
    package = Path(__file__).resolve().parent
    files = sorted(package.rglob("*.py")) + sorted(templates_dir().rglob("*"))
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    from importlib import metadata  # ~0.1 s to import without bytecode: only when needed

    for name in _LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}={version}\n".encode())
    return digest.hexdigest()


class Memo:
    """Results of one kind of work by key, under ``folder/<kind>/``, a file each; never raises.

    For many small results, :meth:`packed` keeps them in one file instead.
    """

    def __init__(self, folder: Path, kind: str) -> None:
        self.folder = folder / kind
        self.kind = kind

    def key(self, *inputs: str | bytes) -> str:
        """The key of a unit of work whose result depends on ``inputs`` (and the generator)."""
        digest = hashlib.sha256(f"{generator_fingerprint()}\0{self.kind}".encode())
        for item in inputs:
            data = item.encode() if isinstance(item, str) else item
            digest.update(b"\0%d\0" % len(data) + data)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def get(self, key: str) -> bytes | None:
        """What :meth:`put` stored under ``key``, or ``None``; a hit counts as a use."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        _touch(path)
        return data

    def put(self, key: str, data: bytes) -> None:
        """Remember ``data`` under ``key`` (a cache that cannot be written only costs time)."""
        with contextlib.suppress(OSError):
            _atomic_write(self._path(key), data)

    def save(self) -> None:
        """Make what :meth:`put` stored last (a file each is written at once: nothing to do)."""

    def part(self, name: str) -> Memo:
        """The memo for work done apart (in another process): the same, a file each."""
        return self

    def packed(self, scope: str) -> PackedMemo:
        """The same kind of results, kept in one file per ``scope`` (a spec, a package)."""
        return PackedMemo(self.folder.parent, self.kind, scope)


class PackedMemo(Memo):
    """Results kept in one file (``<kind>/pack-<digest of scope>``), read at first use.

    :meth:`save` writes the results this object handed out or was given, and only those:
    a pack holds what the last run of its scope used, so it never grows with the edits.
    Made where the run starts and used where the work is done (it pickles unread, so a
    worker reads the pack itself); each scope is written by one process.
    """

    _MAGIC = b"clientgen-memo-pack 1\n"

    def __init__(self, folder: Path, kind: str, scope: str) -> None:
        super().__init__(folder, kind)
        self.scope = scope
        self.file = self.folder / f"pack-{_sha(scope.encode())[:32]}"
        self._entries: dict[str, bytes] | None = None
        self._used: dict[str, bytes] = {}

    def part(self, name: str) -> PackedMemo:
        """Another pack of the same kind, for work done apart (in another process)."""
        return PackedMemo(self.folder.parent, self.kind, f"{self.scope}\0{name}")

    def _read(self) -> dict[str, bytes]:
        if self._entries is None:
            self._entries = {}
            with contextlib.suppress(OSError, ValueError):
                data = self.file.read_bytes()
                if not data.startswith(self._MAGIC):
                    return self._entries
                _touch(self.file)
                at = len(self._MAGIC)
                while at < len(data):
                    key = data[at : at + 64].decode("ascii")
                    size = int.from_bytes(data[at + 64 : at + 72], "big")
                    value = data[at + 72 : at + 72 + size]
                    if len(value) != size:
                        raise ValueError("a truncated pack")
                    self._entries[key] = value
                    at += 72 + size
        return self._entries

    def get(self, key: str) -> bytes | None:
        value = self._read().get(key)
        if value is not None:
            self._used[key] = value
        return value

    def put(self, key: str, data: bytes) -> None:
        self._used[key] = data

    def save(self) -> None:
        """Write the pack, unless it already holds exactly what this run used."""
        entries = self._read()
        if entries.keys() == self._used.keys():
            return
        chunks = [self._MAGIC]
        for key, value in self._used.items():
            chunks += [key.encode("ascii"), len(value).to_bytes(8, "big"), value]
        with contextlib.suppress(OSError):
            _atomic_write(self.file, b"".join(chunks))
        self._entries = dict(self._used)

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "_entries": None, "_used": {}}


class OutputCache:
    """Entries under ``folder``: ``entries/<key>.json``, ``blobs/<sha256>`` and ``units/``."""

    def __init__(self, folder: Path, max_bytes: int = DEFAULT_MAX_MB * 2**20) -> None:
        self.folder = folder
        self.max_bytes = max_bytes

    def memo(self, kind: str) -> Memo:
        """The remembered units of one kind of work (``"models"``, ``"format"``)."""
        return Memo(self.folder / "units", kind)

    def key(
        self,
        spec: bytes,
        package: str,
        severity: Iterable[tuple[str, Level | None]],
        extra: str = "",
    ) -> str:
        """The key of a run; ``extra`` is any further input (the release record's digest)."""
        levels = sorted((rule, level.name if level else "off") for rule, level in severity)
        text = json.dumps([generator_fingerprint(), package, levels, extra])
        return _sha(text.encode() + b"\0" + spec)

    def lookup(self, key: str) -> CacheEntry | None:
        """The entry for ``key``, if present and every referenced file is unchanged."""
        try:
            record = json.loads((self.folder / "entries" / f"{key}.json").read_text("utf-8"))
            for path, digest in record["sources"]:
                if _sha(Path(path).read_bytes()) != digest:
                    return None
            blobs = os.path.join(self.folder, "blobs")
            files = {
                relative: _read(os.path.join(blobs, digest))
                for relative, digest in record["files"].items()
            }
            if any(_sha(data) != record["files"][rel] for rel, data in files.items()):
                return None  # a damaged blob: regenerate
            _touch(self.folder / "entries" / f"{key}.json")
            diagnostics = tuple(
                Diagnostic(**{**item, "level": Level(item["level"])})
                for item in record["diagnostics"]
            )
            return CacheEntry(files, diagnostics, int(record["operations"]), int(record["models"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def store(
        self,
        key: str,
        *,
        sources: Iterable[Path],
        files: Mapping[str, bytes],
        diagnostics: Iterable[Diagnostic],
        operations: int,
        models: int,
    ) -> None:
        """Record a successful run and its formatted ``files``; never raises."""
        try:
            digests = {}
            for relative, data in files.items():
                digest = _sha(data)
                blob = self.folder / "blobs" / digest
                if not blob.exists():
                    _atomic_write(blob, data)
                digests[relative] = digest
            record = {
                "sources": [[str(p), _sha(p.read_bytes())] for p in sorted(set(sources))],
                "files": digests,
                "diagnostics": [{**asdict(d), "level": int(d.level)} for d in diagnostics],
                "operations": operations,
                "models": models,
            }
            _atomic_write(self.folder / "entries" / f"{key}.json", json.dumps(record).encode())
        except OSError:
            pass  # a cache that cannot be written only costs time

    def prune(self) -> int:
        """Keep the cache within :attr:`max_bytes`; the bytes removed. Never raises.

        Over the limit, the runs (``entries/``) and units (``units/``) used least recently
        are removed until what is left, with the blobs the remaining runs refer to, is
        :data:`PRUNED_SHARE` of the limit; then every blob no remaining run refers to. A
        file another process removes meanwhile is simply gone, and a run that needed it
        does the work again.
        """
        removable: list[tuple[float, int, Path]] = []  # (last use, size, path)
        blobs: dict[str, int] = {}
        total = 0
        for path in self._files():
            try:
                status = path.stat()
            except OSError:
                continue
            total += status.st_size
            if path.parent == self.folder / "blobs":
                blobs[path.name] = status.st_size
            else:
                removable.append((status.st_mtime, status.st_size, path))
        if total <= self.max_bytes:
            return 0
        refers: dict[Path, set[str]] = {}
        users: Counter[str] = Counter()
        for _, _, path in removable:
            if path.parent == self.folder / "entries":
                refers[path] = _blobs_of(path)
                users.update(refers[path])
        unused = [name for name in blobs if users[name] == 0]
        left = sum(size for _, size, _ in removable) + sum(
            size for name, size in blobs.items() if users[name]
        )
        goal, removed = int(self.max_bytes * PRUNED_SHARE), 0
        for _, size, path in sorted(removable):
            if left <= goal:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                removed += size
            left -= size
            for name in refers.get(path, ()):
                users[name] -= 1
                if users[name] == 0 and name in blobs:
                    left -= blobs[name]
                    unused.append(name)
        for name in unused:
            with contextlib.suppress(OSError):
                (self.folder / "blobs" / name).unlink()
                removed += blobs[name]
        return removed

    def _files(self) -> Iterator[Path]:
        for folder in ("entries", "blobs", "units"):
            for parent, _, names in os.walk(self.folder / folder):
                yield from (Path(parent, name) for name in names)


def _blobs_of(entry: Path) -> set[str]:
    """The blobs a stored run refers to (none, if its record cannot be read)."""
    try:
        return set(json.loads(entry.read_bytes())["files"].values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _touch(path: Path) -> None:
    """Mark ``path`` as used now (pruning removes what was used least recently)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def default_cache(environ: Mapping[str, str] = os.environ) -> OutputCache | None:
    """The cache the environment asks for (``None`` when it is turned off)."""
    if environ.get("CLIENTGEN_NO_CACHE", "") not in ("", "0"):
        return None
    limit = DEFAULT_MAX_MB
    with contextlib.suppress(ValueError):
        limit = max(0, int(environ.get("CLIENTGEN_CACHE_MAX_MB", "") or DEFAULT_MAX_MB))
    if environ.get("CLIENTGEN_CACHE_DIR"):
        folder = Path(environ["CLIENTGEN_CACHE_DIR"])
    else:
        folder = Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "clientgen"
    return OutputCache(folder, limit * 2**20)
