"""``generate --out``: clientgen replaces only a folder it wrote itself.

Each case is what a user could type; none may delete a file clientgen did not write,
and none may end in a traceback or an internal error.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator import write
from tests.conftest import ROOT

SPEC = ROOT / "tests" / "specs_generate" / "minimal.openapi.yaml"


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    """The minimal spec, copied into a project folder of its own (``tmp_path/project``)."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "mine"\n')
    copy = project / "api.yaml"
    shutil.copyfile(SPEC, copy)
    return copy


def _generate(run_cli, spec: Path, out: str | Path, *extra: str, cwd: Path | None = None):  # type: ignore[no-untyped-def]
    result = run_cli("generate", str(spec), "--out", str(out), "--package", "pets", *extra, cwd=cwd)
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    return result


def test_a_users_folder_is_refused_and_kept(run_cli, spec: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    out.mkdir()
    (out / "NOTES.md").write_text("notes\n")
    result = _generate(run_cli, spec, out)
    assert result.exit_code == 1
    assert "error [out-refused]" in result.output
    assert "NOTES.md" in result.output and "move those files away" in result.output
    assert "nothing was written" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["NOTES.md"]
    assert (out / "NOTES.md").read_text() == "notes\n"


@pytest.mark.parametrize("out", [".", "$PWD", ".."])
def test_the_working_directory_and_its_parents_are_refused(run_cli, spec: Path, out: str) -> None:  # type: ignore[no-untyped-def]
    folder = spec.parent
    before = sorted(p.name for p in folder.iterdir())
    target = str(folder) if out == "$PWD" else out
    result = _generate(run_cli, spec, target, cwd=folder)
    assert result.exit_code == 1
    assert "working directory" in result.output
    assert sorted(p.name for p in folder.iterdir()) == before
    assert spec.read_text() == SPEC.read_text()


def test_a_folder_holding_the_spec_is_refused(run_cli, spec: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    nested = spec.parent / "specs"
    nested.mkdir()
    inner = nested / "api.yaml"
    shutil.move(spec, inner)
    result = _generate(run_cli, inner, nested, cwd=tmp_path)
    assert result.exit_code == 1
    assert f"contains {inner}" in result.output
    assert inner.is_file()


def test_a_folder_holding_the_project_is_refused(run_cli, spec: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    spec_outside = shutil.copyfile(spec, elsewhere / "api.yaml")
    # the spec lies outside; the folder holds the project the command runs in
    result = _generate(run_cli, spec_outside, spec.parent, cwd=spec.parent / ".")
    assert result.exit_code == 1
    assert (spec.parent / "pyproject.toml").is_file()


def test_check_never_reads_a_protected_folder(run_cli, spec: Path) -> None:  # type: ignore[no-untyped-def]
    result = _generate(run_cli, spec, "/", "--check", cwd=spec.parent)
    assert result.exit_code == 1
    assert "error [out-refused]" in result.output


@pytest.mark.parametrize("state", ["missing", "empty"])
def test_a_missing_or_empty_folder_is_written(
    run_cli, spec: Path, tmp_path: Path, state: str
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "deep" / "out"
    if state == "empty":
        out.mkdir(parents=True)
    result = _generate(run_cli, spec, out)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / write.MANIFEST).read_text())
    assert manifest["generator"] == "clientgen"
    on_disk = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert sorted([*manifest["files"], write.MANIFEST]) == on_disk


def test_clientgens_own_folder_is_replaced_whole(run_cli, spec: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    assert _generate(run_cli, spec, out).exit_code == 0
    cache = out / "src" / "pets" / "__pycache__"
    cache.mkdir()
    (cache / "x.pyc").write_bytes(b"\0")  # a tool cache is not the user's work
    spec.write_text(spec.read_text().replace("getPet", "fetchPet"))
    result = _generate(run_cli, spec, out, "--no-cache")
    assert result.exit_code == 0, result.output
    assert "fetch_pet" in (out / "src" / "pets" / "resources" / "pets.py").read_text()


def test_a_file_added_to_clientgens_folder_is_refused(run_cli, spec: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    assert _generate(run_cli, spec, out).exit_code == 0
    mine = out / "src" / "pets" / "extras.py"
    mine.write_text("MINE = 1\n")
    spec.write_text(spec.read_text().replace("Get a pet", "Get one pet"))
    result = _generate(run_cli, spec, out)
    assert result.exit_code == 1
    assert "src/pets/extras.py" in result.output
    assert mine.read_text() == "MINE = 1\n"
    assert "Get a pet" in (out / "src" / "pets" / "resources" / "pets.py").read_text()


def test_a_folder_written_before_the_manifest_is_recognised(
    run_cli, spec: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    assert _generate(run_cli, spec, out).exit_code == 0
    (out / write.MANIFEST).unlink()  # as an older clientgen left it: every file has the header
    assert write.refusal(out) is None
    (out / "README.md").write_text("my own readme\n")
    assert "README.md" in (write.refusal(out) or "")


def test_an_unwritable_place_is_a_located_error(run_cli, spec: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "a-file"
    blocker.write_text("x\n")
    result = _generate(run_cli, spec, blocker / "out")
    assert result.exit_code == 1
    assert "error [write-failed]" in result.output
    assert blocker.read_text() == "x\n"


def test_publish_checks_the_folder_again(tmp_path: Path) -> None:
    target = tmp_path / "out"
    staging = write.stage({"a.py": "# Generated by clientgen\n"}, target)
    target.mkdir()
    (target / "late.txt").write_text("written while the run was busy\n")
    with pytest.raises(write.UnsafeTarget, match=r"late\.txt"):
        write.publish(staging, target)
    assert (target / "late.txt").is_file()
    write.discard(staging)


def test_a_link_is_never_followed_out_of_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "out"
    staging = write.stage({"a.py": "# Generated by clientgen\n"}, target)
    write.publish(staging, target)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (target / "link").symlink_to(elsewhere, target_is_directory=True)
    assert "link" in (write.refusal(target) or "")
