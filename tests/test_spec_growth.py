"""The spec can grow: following the README's "Adding or changing an endpoint" breaks no test.

A copy of the project gets a third operation (a third vendor, with its own server, security
scheme, tag, operationId, summary and response schema), is validated and regenerated with the
copy's own ``clientgen`` (``python -m generator`` in the copy), and then the copy's tests of the
spec and of the generated client run green against the copy's regenerated package: the tests
check what the vendor pages say about the two documented operations, not that nothing else
exists, and the generator's tests use their own fixture specs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import npm_dir
from tests.project_copy import copy_project, grow_spec

pytestmark = pytest.mark.slow

#: run in the copy: the copy's generator and generated package are the ones imported (checked
#: here, in the process that runs the tests), then pytest
_RUN_TESTS = """
import sys
from pathlib import Path

import chat_client
import generator
import pytest

copy = Path.cwd().resolve()
for module in (chat_client, generator):
    where = Path(module.__file__).resolve()
    assert where.is_relative_to(copy), f"{module.__name__} imported from {where}, not the copy"
print("imported", Path(chat_client.__file__).resolve().relative_to(copy), flush=True)
sys.exit(pytest.main(sys.argv[1:]))
"""

#: what runs in the copy: everything that reads the real spec or the generated package, and
#: the generator tests that used to count the real spec's operations
COPY_TESTS = (
    "tests/generated",
    "tests/test_spec.py",
    "tests/test_validate.py::test_real_spec_is_clean",
    "tests/test_pipeline.py::test_committed_output_is_what_the_generator_makes",
    "tests/test_pipeline.py::test_generate_then_check_is_current",
    "tests/test_cache.py::test_hit_is_byte_identical_to_an_uncached_run",
    "tests/test_cli_generate.py::test_terminal_shows_each_stage_and_a_summary",
    "tests/test_load.py::test_chat_spec_loads_with_positions",
)
#: slow and about the runtime, not the spec (9 s of 1,000 concurrent calls)
COPY_DESELECTED = ("tests/generated/test_lifecycle.py::test_thousand_concurrent_async_calls",)


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_added_operation_keeps_the_copied_projects_tests_green(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    grown = grow_spec(project)
    assert f"operationId: {grown.operation_id}\n" in grown.spec.read_text(encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["NO_COLOR"] = "1"

    # README steps 2 and 3: validate, generate (the copy's clientgen, with this interpreter)
    validate = _run([sys.executable, "-m", "generator", "validate"], project, env)
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert "valid (0 error(s), 0 warning(s))" in validate.stderr, validate.stderr
    generate = _run([sys.executable, "-m", "generator", "generate"], project, env)
    assert generate.returncode == 0, generate.stdout + generate.stderr
    said = generate.stdout + generate.stderr
    assert f"{grown.operations} operation(s)" in said, said
    package = project / "generated" / "chat_client" / "src" / "chat_client"
    resource = package / "resources" / f"{grown.resource}.py"
    assert f"def {grown.method}(" in resource.read_text(encoding="utf-8")

    # the copy's tests, against the copy's regenerated package (not the installed one)
    env["PYTHONPATH"] = str(package.parent)
    env["CLIENTGEN_NPM_DIR"] = str(npm_dir())  # Prism, installed for this checkout
    deselect = [arg for test in COPY_DESELECTED for arg in ("--deselect", test)]
    tests = _run(
        [sys.executable, "-c", _RUN_TESTS, "-q", "-p", "no:cacheprovider", *deselect, *COPY_TESTS],
        project,
        env,
    )
    output = tests.stdout + tests.stderr
    assert "imported generated/chat_client/src/chat_client/__init__.py" in output, output
    assert tests.returncode == 0, output[-6000:]
    assert " passed" in output and " skipped" not in output, output[-2000:]
