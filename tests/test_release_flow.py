"""The release flow end to end, on a copy of the project, as the README's "Releasing" describes.

The copy starts as released (its spec at the version ``release/`` records, R; 0.1.0 today). Its
spec then drops a value of a request enum (``role`` may no longer be ``"member"``), which breaks
the released README example and any downstream program that sends ``role="member"``:

1. ``clientgen diff`` (the copy's own, ``python -m generator``) reports the change, located in
   the spec, and the released README example that no longer type-checks; it requires the next
   minor version N (0.2.0 below 1.0.0);
2. ``clientgen generate`` writes the package; ``generate --check`` and ``nox -s publish`` refuse
   ``info.version`` R, naming the worst change and N; nothing is uploaded;
3. with N the check passes, the changelog has an N section above the released R one (kept byte
   for byte), ``nox -s publish`` uploads N to a local pypiserver index and records the release
   in ``release/``, after which ``diff`` finds nothing new;
4. a downstream program written against the previous release type-checks (``mypy --strict``)
   against the released package and fails against the new one, at the line that sends "member"."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.project_copy import copy_project
from tests.test_publish import (  # noqa: F401  (dependency_wheels, local_index: fixtures)
    INDEX_PASSWORD,
    INDEX_USER,
    LocalIndex,
    _listed_files,
    _run,
    dependency_wheels,
    local_index,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:'crypt' is deprecated:DeprecationWarning"),
]

ENUM = "      enum:\n        - admin\n        - member\n"
DOWNSTREAM = """\
from chat_client import ChatClient

client = ChatClient(mudbase_jwt="token")
result = client.mudbase.add_participant(
    project_id="proj_1", chat_id="chat_1", user_id="usr_1", role="member"
)
print(result.success)
"""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWINE_") and k != "PYTHONPATH"}
    env.update(NO_COLOR="1", COLUMNS="200", **extra)
    return env


def _clientgen(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-m", "generator", *args], env=_env(), cwd=project, timeout=300)


def _publish(project: Path, index: LocalIndex, dist: Path) -> subprocess.CompletedProcess[str]:
    env = _env(
        CLIENTGEN_DIST_DIR=str(dist),
        TWINE_REPOSITORY_URL=index.url,
        TWINE_USERNAME=INDEX_USER,
        TWINE_PASSWORD=INDEX_PASSWORD,
        TWINE_NON_INTERACTIVE="1",
    )
    cmd = [sys.executable, "-m", "nox", "--non-interactive", "-s", "publish"]
    return _run(cmd, env=env, cwd=project, timeout=600)


def _mypy(program: Path, search: Path) -> subprocess.CompletedProcess[str]:
    cmd = [
        sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file", os.devnull,
        "--cache-dir", os.devnull, str(program),
    ]  # fmt: skip
    return _run(cmd, env=_env(MYPYPATH=str(search)), cwd=program.parent, timeout=300)


def test_release_flow_on_a_copy(tmp_path: Path, local_index: LocalIndex) -> None:  # noqa: F811
    project = copy_project(tmp_path / "project")
    spec = project / "spec" / "chat.openapi.yaml"
    # the copy starts as released: its spec at the recorded version (the checkout may be ahead)
    released = json.loads((project / "release" / "chat_client" / "release.json").read_text())
    old = released["version"]
    major, minor, _ = (int(part) for part in old.split("."))
    new = f"{major}.{minor + 1}.0" if major == 0 else f"{major + 1}.0.0"  # what breaking needs
    text = re.sub(
        r"^  version: '[^']*'$",
        f"  version: '{old}'",
        spec.read_text(encoding="utf-8"),
        count=1,
        flags=re.M,
    )
    assert text.count(ENUM) == 1
    example = "\n                  role: member\n"  # the request example must stay valid
    assert text.count(example) == 1
    edited = text.replace(ENUM, "      enum:\n        - admin\n")
    spec.write_text(edited.replace(example, example.replace("member", "admin")), encoding="utf-8")
    enum_line = text[: text.index(ENUM)].count("\n") + 1
    released_changelog = (project / "release" / "chat_client" / "CHANGELOG.md").read_text()

    # 1. diff: the spec change, located, and the README example that no longer type-checks
    diff = _clientgen(project, "diff")
    assert diff.returncode == 1, diff.stdout
    assert (
        f"spec/chat.openapi.yaml:{enum_line}:7: breaking [request-enum-value-removed] "
        "mudbase.add_participant: argument 'role' no longer accepts \"member\""
    ) in diff.stdout, diff.stdout
    assert "breaking [example-type-error] the released README example no longer type-checks" in (
        diff.stdout
    ), diff.stdout
    assert (
        f"the next release must be {new} or higher; info.version is {old}: too low" in diff.stdout
    )

    # 2. generate writes (with a warning); the check and publishing refuse the released version
    generate = _clientgen(project, "generate")
    assert generate.returncode == 0, generate.stdout
    assert "warning [version-too-low]" in generate.stdout
    check = _clientgen(project, "generate", "--check")
    assert check.returncode == 1
    assert "spec/chat.openapi.yaml:4:" in check.stdout and "error [version-too-low]" in check.stdout
    assert f"Set info.version to {new}" in check.stdout
    dist = tmp_path / "dist"
    refused = _publish(project, local_index, dist)
    assert refused.returncode != 0, refused.stdout
    assert "refusing to publish: info.version is lower than the changes" in refused.stdout
    assert "twine upload" not in refused.stdout
    assert _listed_files(local_index, "chat-client") == []

    # 3. the right version: checked, changelog written, published, recorded
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace(f"  version: '{old}'\n", f"  version: '{new}'\n", 1))
    assert _clientgen(project, "generate").returncode == 0
    assert _clientgen(project, "generate", "--check").returncode == 0
    changelog = (project / "generated" / "chat_client" / "CHANGELOG.md").read_text()
    new_section = changelog[changelog.index(f"## {new}") : changelog.index(f"## {old}")]
    assert new_section.startswith(f"## {new}\n\n### Breaking\n\n")
    assert (
        "- mudbase.add_participant: argument 'role' no longer accepts \"member\"\n" in new_section
    )
    assert changelog.endswith(released_changelog[released_changelog.index(f"## {old}") :])
    published = _publish(project, local_index, dist)
    assert published.returncode == 0, published.stdout[-5000:] + local_index.log_tail()
    assert _listed_files(local_index, "chat-client") == [
        f"chat_client-{new}-py3-none-any.whl",
        f"chat_client-{new}.tar.gz",
    ]
    record = project / "release" / "chat_client"
    assert f'"version": "{new}"' in (record / "release.json").read_text()
    assert (record / "CHANGELOG.md").read_text() == changelog
    after = _clientgen(project, "diff")
    assert after.returncode == 0, after.stdout
    assert f"no change since release {new}" in after.stdout

    # 4. a downstream program of the previous release, against the old and the new package
    program = tmp_path / "downstream" / "uses_chat_client.py"
    program.parent.mkdir()
    program.write_text(DOWNSTREAM, encoding="utf-8")
    old = _mypy(
        program, Path(__file__).resolve().parents[1] / "release" / "chat_client" / "package"
    )
    assert old.returncode == 0, old.stdout
    new = _mypy(program, project / "generated" / "chat_client" / "src")
    assert new.returncode == 1, new.stdout
    assert 'uses_chat_client.py:5: error: Argument "role" to "add_participant"' in new.stdout
