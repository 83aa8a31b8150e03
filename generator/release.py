"""The last release, kept in the repository, and what the next one must be called.

A client's release record is a folder (``release/<package>/`` beside ``pyproject.toml`` unless
the config says otherwise) written by ``clientgen release`` and committed, so that ``clientgen
diff``, ``generate --check`` and ``nox -s publish`` know the last published version on a fresh
clone, with no network and no git tags:

* ``release.json``: package, version, and the override accepted for the next version, if any;
* ``spec.openapi.json``: the released spec, bundled into one document;
* ``package/<package>/``: the released package's Python sources (its public API, for griffe);
* ``examples/``: the released README's Python examples, type-checked against every new package;
* ``CHANGELOG.md``: the released changelog, whose sections every later one keeps byte for byte.

:func:`required_version` turns the worst change into the version the next release needs
(breaking -> major, minor below 1.0.0; feature -> minor, patch below 1.0.0; fix -> patch), and
:func:`changelog` writes the package's ``CHANGELOG.md``: the new version's section (Breaking,
Added, Changed, Fixed, computed from the changes) above the released ones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from generator.changes import Change, ChangeKind, worst_kind
from generator.diff import Names
from generator.load import LoadedSpec

if TYPE_CHECKING:
    from generator.diagnostics import Diagnostics
    from generator.ir import Api
    from generator.models import ModelsModule

__all__ = [
    "ACCEPTED",
    "CHANGELOG",
    "EXAMPLES",
    "PACKAGE",
    "RECORD",
    "SPEC",
    "Accepted",
    "Record",
    "RecordError",
    "Report",
    "Verdict",
    "accepted_text",
    "assess",
    "build_changelog",
    "changelog",
    "load_base",
    "names_of",
    "read_accepted",
    "read_record",
    "readme_examples",
    "record_files",
    "record_text",
    "reports_json",
    "reports_markdown",
    "required_version",
    "verdict",
    "working_examples",
    "write_folder",
]

RECORD = "release.json"
SPEC = "spec.openapi.json"
PACKAGE = "package"
EXAMPLES = "examples"
CHANGELOG = "CHANGELOG.md"
#: the override for the next version: ``{"version": ..., "reason": ...}`` (``clientgen accept``)
ACCEPTED = "accepted.json"

_SECTIONS = ("Breaking", "Added", "Changed", "Fixed")


@dataclass(frozen=True, slots=True)
class Accepted:
    """A deliberate decision: release ``version`` although the changes ask for more."""

    version: str
    reason: str


@dataclass(frozen=True, slots=True)
class Record:
    """The last release of one client, as committed in its release folder."""

    folder: Path
    package: str
    version: str
    accepted: Accepted | None = None

    @property
    def spec(self) -> Path:
        return self.folder / SPEC

    @property
    def package_src(self) -> Path:
        """The folder holding the released ``<package>/`` (a search path for griffe and mypy)."""
        return self.folder / PACKAGE

    @property
    def examples(self) -> Path:
        return self.folder / EXAMPLES

    @property
    def changelog(self) -> str:
        path = self.folder / CHANGELOG
        return path.read_text(encoding="utf-8") if path.is_file() else ""


class RecordError(Exception):
    """The release folder exists but cannot be read; the message says what to fix."""


def read_accepted(folder: Path) -> Accepted | None:
    """The override waiting in ``folder`` (``accepted.json``), if any."""
    path = folder / ACCEPTED
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Accepted(str(data["version"]), str(data["reason"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RecordError(f"{path}: not a clientgen override ({exc}); delete it") from None


def read_record(folder: Path | None) -> Record | None:
    """The record in ``folder``; ``None`` when there is none (no release yet)."""
    if folder is None or not (folder / RECORD).is_file():
        return None
    path = folder / RECORD
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        record = Record(folder, str(data["package"]), str(data["version"]), read_accepted(folder))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RecordError(
            f"{path}: not a clientgen release record ({exc}); restore it from git"
        ) from None
    if not record.spec.is_file():
        raise RecordError(f"{record.spec}: the released spec is missing; restore it from git")
    return record


def record_text(package: str, version: str) -> str:
    """The ``release.json`` of a release of ``package`` at ``version``."""
    document = {
        "about": (
            "The last release of this client, written by `clientgen release`. clientgen diff, "
            "generate --check and nox -s publish compare the spec and the package with it."
        ),
        "package": package,
        "version": version,
    }
    return json.dumps(document, indent=2) + "\n"


def accepted_text(version: str, reason: str) -> str:
    return json.dumps({"version": version, "reason": reason}, indent=2) + "\n"


# --------------------------------------------------------------------------- versions


def _version(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        return Version("0.0.0")


def required_version(released: str, kind: ChangeKind | None) -> str:
    """The lowest version after ``released`` that ``kind`` of change allows.

    breaking -> next major (next minor below 1.0.0); feature -> next minor (next patch below
    1.0.0); fix -> next patch; no change -> ``released`` itself.
    """
    v = _version(released)
    major, minor, patch = (*v.release, 0, 0)[:3]
    if kind is None:
        return str(v)
    if kind == "breaking":
        return f"{major + 1}.0.0" if major >= 1 else f"0.{minor + 1}.0"
    if kind == "feature":
        return f"{major}.{minor + 1}.0" if major >= 1 else f"0.{minor}.{patch + 1}"
    return f"{major}.{minor}.{patch + 1}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether ``current`` is a right version for ``changes`` since the release."""

    released: str
    current: str
    required: str
    worst: Change | None
    accepted: Accepted | None

    @property
    def ok(self) -> bool:
        if self.accepted is not None and self.accepted.version == self.current:
            return _version(self.current) > _version(self.released) or self.worst is None
        return _version(self.current) >= _version(self.required)

    @property
    def overridden(self) -> bool:
        """The version is below the required one, by a recorded decision."""
        return self.ok and _version(self.current) < _version(self.required)

    def explain(self) -> str:
        """What is wrong and what to do, for a person (empty when :attr:`ok`)."""
        if self.ok:
            return ""
        if self.worst is None:
            return (
                f"info.version {self.current} is lower than the released {self.released}; "
                f"set it to {self.released} or higher"
            )
        worst = self.worst
        where = f" ({worst.file}:{worst.line}:{worst.column})" if worst.line else ""
        return (
            f"info.version {self.current} is lower than {self.required}, which the changes since "
            f"release {self.released} require; the worst is {worst.level} [{worst.rule}] "
            f"{worst.message}{where}. Set info.version to {self.required} (or higher), or record "
            f'a deliberate decision with `clientgen accept "REASON"` (it goes into the changelog)'
        )


_ORDER: dict[str, int] = {"breaking": 0, "warning": 1, "info": 2}


def verdict(record: Record, current: str, changes: Sequence[Change]) -> Verdict:
    """Judge ``current`` (``info.version``) against the changes since ``record``."""
    kind = worst_kind(list(changes))
    rank = {"breaking": 0, "feature": 1, "fix": 2}
    worst = min(changes, key=lambda c: (rank[c.kind], _ORDER[c.level]), default=None)
    return Verdict(
        record.version,
        current,
        required_version(record.version, kind),
        worst,
        record.accepted,
    )


# --------------------------------------------------------------------------- the changelog


def _entry(change: Change) -> str:
    text = " ".join(change.message.split())
    return re.sub(r"([*<>])", r"\\\1", text)


def changelog(
    *,
    released: str,
    version: str,
    changes: Sequence[Change],
    verdict_: Verdict | None,
    distribution: str,
    header: str,
) -> str:
    """The package's ``CHANGELOG.md``: ``version``'s section above the released ones.

    ``released`` is the record's changelog ('' before the first release); its sections are
    kept byte for byte. When ``version`` is already its newest section (nothing new was
    released), it is returned as it is.
    """
    head, sections = _split(released)
    if released and _newest_version(sections) == version:
        return released
    sections_by_name = {
        name: [_entry(c) for c in changes if c.section == name] for name in _SECTIONS
    }
    note = ""
    if verdict_ is not None and verdict_.overridden and verdict_.accepted is not None:
        note = (
            f"Released as {version} although the changes call for {verdict_.required}: "
            f"{' '.join(verdict_.accepted.reason.split())}"
        )
    new_head, section = _changelog_parts(
        header=header,
        distribution=distribution,
        version=version,
        first=not released,
        note=note,
        sections=[(name, entries) for name, entries in sections_by_name.items() if entries],
    )
    section = section.rstrip("\n") + "\n"
    return (head or new_head) + section + ("\n" + sections if sections else "")


def _split(text: str) -> tuple[str, str]:
    """``(head, sections)``: the text before the first ``## `` heading, and the rest."""
    match = re.search(r"^## ", text, re.MULTILINE)
    if match is None:
        return text, ""
    return text[: match.start()], text[match.start() :]


def _newest_version(sections: str) -> str:
    match = re.match(r"## (\S+)", sections)
    return match.group(1) if match else ""


# --------------------------------------------------------------------------- README examples


def readme_examples(readme: str, package: str) -> dict[str, str]:
    """The README's Python code blocks that import ``package``, as modules by file name."""
    blocks = re.findall(r"^```python\n(.*?)^```", readme, re.MULTILINE | re.DOTALL)
    found: dict[str, str] = {}
    for block in blocks:
        if re.search(rf"^(from|import) {re.escape(package)}\b", block, re.MULTILINE):
            found[f"readme_{len(found) + 1}.py"] = block
    return found


def _changelog_parts(
    *,
    header: str,
    distribution: str,
    version: str,
    first: bool,
    note: str,
    sections: list[tuple[str, list[str]]],
) -> tuple[str, str]:
    """``(head, section)`` laid out by ``templates/CHANGELOG.md.jinja``."""
    import jinja2

    from generator.assets import templates_dir

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = environment.get_template("CHANGELOG.md.jinja")
    values = {
        "header": header,
        "distribution": distribution,
        "version": version,
        "first": first,
        "note": note,
        "sections": sections,
    }
    return template.render(part="head", **values), template.render(part="section", **values)


# --------------------------------------------------------------------------- comparing with a release


def names_of(spec: LoadedSpec, package: str) -> Names:
    """The Python names ``spec``'s client gets (models generated to learn them)."""
    from generator.diagnostics import Diagnostics
    from generator.diff import python_names
    from generator.models import generate_models
    from generator.operations import build_api

    diagnostics = Diagnostics()
    try:
        api = build_api(spec, diagnostics)
        models = generate_models(
            api, package=package, spec_name=spec.root.path.name, diagnostics=diagnostics
        )
        if models is None:
            raise RecordError(f"{spec.display}: its models cannot be generated")
        return python_names(api, models, package)
    except RecordError:
        raise
    except Exception as exc:  # a released spec this clientgen cannot model: say which
        raise RecordError(
            f"{spec.display}: cannot be modelled by this clientgen ({type(exc).__name__}: {exc})"
        ) from None


def load_base(path: Path) -> LoadedSpec:
    """A base spec (a release's, or one given by hand); :class:`RecordError` if unreadable."""
    from generator.diagnostics import Diagnostics
    from generator.load import load_spec

    diagnostics = Diagnostics()
    spec = load_spec(path, diagnostics)
    if spec is None or diagnostics.has_errors():
        first = next(iter(diagnostics.sorted()), None)
        raise RecordError(first.format() if first else f"{path}: cannot be read as a spec")
    return spec


def assess(
    record: Record,
    spec: LoadedSpec,
    names: Names,
    package: str,
    new_search: Path | None,
    *,
    typecheck: bool = False,
    shown_as: Path | None = None,
) -> list[Change]:
    """Every change since ``record``: the spec's, then the package's own, then the examples'.

    ``new_search`` holds the new ``<package>/`` (``None``: the package is not compared).
    """
    from generator import surface
    from generator.diff import diff_specs

    base = load_base(record.spec)
    same = base.document == spec.document  # the common case after a release: nothing to model
    changes = [] if same else diff_specs(base, names_of(base, package), spec, names)
    released = record.package_src / package
    if (
        new_search is not None
        and released.is_dir()
        and not _same_sources(released, new_search / package)
    ):
        found = surface.package_changes(package, record.package_src, new_search, shown_as=shown_as)
        changes += surface.unexplained(found, changes)
        if typecheck:
            changes += surface.typecheck_examples(record.examples, new_search)
    return changes


def _same_sources(old: Path, new: Path) -> bool:
    """Whether two package folders hold the same Python files, byte for byte."""

    def files(folder: Path) -> dict[str, bytes]:
        return {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*.py")
            if "__pycache__" not in p.parts
        }

    return files(old) == files(new)


def build_changelog(
    folder: Path,
    *,
    spec: LoadedSpec,
    api: Api,
    models: ModelsModule,
    package: str,
    new_search: Path,
    spec_name: str,
    diagnostics: Diagnostics,
    shown_as: Path | None = None,
) -> str:
    """The package's ``CHANGELOG.md`` for a run of ``generate``; the version is judged too.

    An ``info.version`` below what the changes since the release in ``folder`` require is a
    ``version-too-low`` finding at ``info.version`` (``generate --check`` makes it an error).
    """
    from generator.diagnostics import Level
    from generator.diff import python_names
    from generator.models import header
    from generator.render import package_version

    version = package_version(api.version)
    distribution = package.replace("_", "-")
    try:
        record = read_record(folder)
        if record is None:
            return changelog(
                released="",
                version=version,
                changes=(),
                verdict_=None,
                distribution=distribution,
                header=header(spec_name),
            )
        changes = assess(
            record,
            spec,
            python_names(api, models, package),
            package,
            new_search,
            shown_as=shown_as,
        )
    except RecordError as exc:
        diagnostics.add(
            spec.diagnostic(Level.ERROR, "release-unreadable", str(exc), "/info/version")
        )
        return ""
    judged = verdict(record, version, changes)
    if not judged.ok:
        diagnostics.add(
            spec.diagnostic(Level.WARNING, "version-too-low", judged.explain(), "/info/version")
        )
    return changelog(
        released=record.changelog,
        version=version,
        changes=changes,
        verdict_=judged,
        distribution=distribution,
        header=header(spec_name),
    )


def record_files(
    *, package: str, version: str, spec: LoadedSpec, out: Path, examples: dict[str, str]
) -> dict[str, bytes]:
    """The files of the release record of ``out`` (a generated package folder) at ``version``."""
    files: dict[str, bytes] = {
        RECORD: record_text(package, version).encode(),
        SPEC: (json.dumps(spec.document, indent=1, ensure_ascii=False) + "\n").encode(),
    }
    changelog_path = out / CHANGELOG
    if changelog_path.is_file():
        files[CHANGELOG] = changelog_path.read_bytes()
    source = out / "src" / package
    for path in sorted(source.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in {".py", ".typed"}:
            files[f"{PACKAGE}/{package}/{path.relative_to(source).as_posix()}"] = path.read_bytes()
    for name, text in examples.items():
        files[f"{EXAMPLES}/{name}"] = text.encode()
    return files


def write_folder(folder: Path, files: dict[str, bytes]) -> None:
    """Replace ``folder`` by exactly ``files``, atomically (staged beside it, then swapped)."""
    import os
    import shutil
    import uuid

    folder = folder.resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.parent / f".{folder.name}.staging-{uuid.uuid4().hex[:8]}"
    try:
        for relative, data in sorted(files.items()):
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        aside = folder.parent / f".{folder.name}.old-{uuid.uuid4().hex[:8]}"
        if folder.exists():
            os.replace(folder, aside)
        os.replace(staging, folder)
        shutil.rmtree(aside, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# --------------------------------------------------------------------------- reports


@dataclass(frozen=True, slots=True)
class Report:
    """What ``clientgen diff`` found for one client."""

    package: str
    spec: str
    changes: list[Change]
    verdict: Verdict

    def summary(self) -> str:
        counts = {level: sum(1 for c in self.changes if c.level == level) for level in _ORDER}
        found = ", ".join(f"{n} {level}" for level, n in counts.items() if n) or "no change"
        v = self.verdict
        need = f"; the next release must be {v.required} or higher" if v.worst is not None else ""
        status = "ok" if v.ok else "too low"
        accepted = " (accepted by a recorded decision)" if v.overridden else ""
        return (
            f"{self.package}: {found} since release {v.released}{need}; "
            f"info.version is {v.current}: {status}{accepted}"
        )

    def lines(self, *, quiet: bool = False) -> list[str]:
        shown = [c for c in self.changes if not quiet or c.level != "info"]
        lines = [c.format() for c in shown]
        if not self.verdict.ok:
            lines.append(f"{self.spec}: {self.verdict.explain()}")
        lines.append(self.summary())
        return lines

    def as_dict(self) -> dict[str, object]:
        v = self.verdict
        return {
            "package": self.package,
            "spec": self.spec,
            "released": v.released,
            "version": v.current,
            "required": v.required,
            "worst": v.worst.kind if v.worst else None,
            "ok": v.ok,
            "changes": [c.as_dict() for c in self.changes],
        }


def reports_json(reports: Sequence[Report]) -> str:
    return json.dumps([r.as_dict() for r in reports], indent=2) + "\n"


def reports_markdown(reports: Sequence[Report]) -> str:
    """A Markdown report (for a pull request comment): one table per client."""
    out: list[str] = []
    for report in reports:
        out += [f"## {report.package}", "", report.summary(), ""]
        if report.changes:
            out += ["| level | rule | where | change |", "|---|---|---|---|"]
            for c in report.changes:
                where = f"{c.file}:{c.line}" if c.line else c.file
                text = _entry(c).replace("|", "\\|")
                out.append(f"| {c.level} | `{c.rule}` | {where} | {text} |")
            out.append("")
    return "\n".join(out) + ("\n" if out else "")


def working_examples(readme: str, package: str, search: Path) -> dict[str, str]:
    """The README's examples (:func:`readme_examples`) that type-check against ``search``.

    Only those are kept for later releases to be checked against: an example that fails
    already would report nothing new.
    """
    import tempfile

    from generator import surface

    examples = readme_examples(readme, package)
    if not examples:
        return {}
    with tempfile.TemporaryDirectory(prefix="clientgen-examples-") as folder:
        for name, text in examples.items():
            (Path(folder) / name).write_text(text, encoding="utf-8")
        failing = {Path(c.file).name for c in surface.typecheck_examples(Path(folder), search)}
    return {name: text for name, text in examples.items() if name not in failing}
