"""Runners: the serial one and the forking one make the same package; workers end with the run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import models, pipeline, render, runner
from generator.config import ClientConfig
from generator.diagnostics import Diagnostics, GenerationAborted, Level
from generator.load import load_spec
from tests.conftest import ROOT

SPEC = ROOT / "tests" / "specs_generate" / "subset30.openapi.yaml"

forking = pytest.mark.skipif(
    not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2,
    reason="workers are forked on Linux with a second core only",
)


@pytest.fixture
def project(tmp_path: Path) -> ClientConfig:
    spec = tmp_path / "spec" / "api.yaml"
    spec.parent.mkdir()
    shutil.copy(SPEC, spec)
    return ClientConfig(spec=spec, package="pets", out=tmp_path / "generated" / "pets")


@pytest.fixture
def forking_runner() -> object:
    made = runner.ForkingRunner()
    yield made
    made.close()


def _errors(aborted: GenerationAborted) -> list[str]:
    return [d.rule for d in aborted.diagnostics if d.level is Level.ERROR]


def _refused(project: ClientConfig, made: runner.Runner) -> GenerationAborted:
    """The refusal of a run on ``project`` with ``made``, which is closed afterwards."""
    try:
        with pytest.raises(GenerationAborted) as aborted:
            pipeline.generate_client(project, runner=made)
    finally:
        made.close()
    return aborted.value


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("big", [False, True])
def test_serial_and_forking_runners_write_the_same_bytes(
    project: ClientConfig, monkeypatch: pytest.MonkeyPatch, big: bool
) -> None:
    if big:
        monkeypatch.setattr(runner, "BIG_SPEC_BYTES", 0)
    trees = []
    for made in (runner.SerialRunner(), runner.ForkingRunner()):
        out = project.out.parent / type(made).__name__
        try:
            pipeline.generate_client(
                ClientConfig(project.spec, project.package, out, project.severity), runner=made
            )
        finally:
            made.close()
        trees.append(_tree(out))
    assert trees[0] == trees[1]
    assert "src/pets/_client.py" in trees[0]


def test_one_core_means_the_serial_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert isinstance(runner.default_runner(), runner.SerialRunner)


def _models_library_imported() -> bool:
    return "datamodel_code_generator.parser.openapi" in sys.modules


@forking
def test_the_early_worker_imports_the_models_library_and_ends_on_close() -> None:
    made = runner.ForkingRunner()
    early = made._early
    assert early is not None
    # work queues behind the import, in the same (other) process
    assert early.submit(_models_library_imported).result(timeout=60)
    assert early.submit(os.getpid).result() != os.getpid()
    processes = list(early._processes or ())
    assert len(processes) == 1
    made.close()
    processes[0].join(timeout=10)
    assert not processes[0].is_alive()
    made.close()  # twice is harmless


def test_the_command_line_forks_before_it_imports_the_pipeline() -> None:
    """``clientgen generate`` forks its worker (which then imports the models library)
    as soon as the command line is imported: the pipeline and its libraries (Jinja,
    PyYAML, the output cache) load after the fork, in this process alone."""
    code = (
        "import sys, generator.cli\n"
        "heavy = ('generator.pipeline', 'generator.cache', 'generator.write', 'jinja2',"
        " 'yaml', 'datamodel_code_generator', 'pydantic', 'importlib.metadata')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert found.stdout.strip() == "[]"


def test_a_lean_part_is_the_part_and_then_gives_memory_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"Pet": {"type": "object", "properties": {"id": {}}}}},
    }
    given_back: list[bool] = []
    monkeypatch.setattr(runner, "_give_back_memory", lambda: given_back.append(True))
    lean = runner._lean_part(document, "pets", "api.yaml")
    assert given_back == [True]
    plain = models.run_part(document, "pets", "api.yaml")
    assert lean.module is not None and plain.module is not None
    assert lean.module.classes == plain.module.classes


@forking
def test_a_big_yaml_spec_is_loaded_in_a_worker_and_arrives_whole(
    project: ClientConfig,
    forking_runner: runner.ForkingRunner,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from generator import load

    monkeypatch.setattr(runner, "BIG_SPEC_BYTES", 0)
    record, load_here = tmp_path / "loaded-in", load.load_spec

    def recording(path: Path, diagnostics: Diagnostics) -> object:
        record.write_text(str(os.getpid()))
        return load_here(path, diagnostics)

    monkeypatch.setattr(load, "load_spec", recording)  # the worker forks with it
    assert forking_runner._early is not None
    diagnostics = Diagnostics()
    spec = forking_runner.load(project.spec, diagnostics)
    assert int(record.read_text()) != os.getpid()
    assert forking_runner._early is None  # a big spec forks its own models worker
    here = load_here(project.spec, Diagnostics())
    assert spec is not None and here is not None and not diagnostics.items
    assert spec.document == here.document
    pointers = ["/paths", "/components/schemas", "/info/title", "/servers/0/url"]
    assert [spec.locate(p) for p in pointers] == [here.locate(p) for p in pointers]


@forking
def test_a_loading_worker_that_dies_means_the_spec_is_loaded_here(
    project: ClientConfig, forking_runner: runner.ForkingRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator import load

    monkeypatch.setattr(runner, "BIG_SPEC_BYTES", 0)
    parent, load_here = os.getpid(), load.load_spec

    def dying(path: Path, diagnostics: Diagnostics) -> object:
        if os.getpid() != parent:
            os._exit(3)
        return load_here(path, diagnostics)

    monkeypatch.setattr(load, "load_spec", dying)
    spec = forking_runner.load(project.spec, Diagnostics())
    here = load_here(project.spec, Diagnostics())
    assert spec is not None and here is not None and spec.document == here.document


@forking
def test_what_a_loading_worker_finds_is_reported_with_this_runs_levels(
    project: ClientConfig, forking_runner: runner.ForkingRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "BIG_SPEC_BYTES", 0)
    project.spec.write_text(project.spec.read_text() + "info: {title: again, version: '2'}\n")
    diagnostics = Diagnostics()
    assert forking_runner.load(project.spec, diagnostics) is None
    serial = Diagnostics()
    assert load_spec(project.spec, serial) is None
    assert diagnostics.items == serial.items and diagnostics.has_errors()


def test_a_json_or_small_spec_is_loaded_here(
    project: ClientConfig, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def refuse(path: Path) -> object:
        raise AssertionError("loaded apart")

    monkeypatch.setattr(runner, "_load_apart", refuse)
    made = runner.ForkingRunner(early=False)
    try:
        assert made.load(project.spec, Diagnostics()) is not None  # small
        monkeypatch.setattr(runner, "BIG_SPEC_BYTES", 0)
        as_json = tmp_path / "api.json"
        here = load_spec(project.spec, Diagnostics())
        assert here is not None
        as_json.write_text(json.dumps(here.document))
        assert made.load(as_json, Diagnostics()) is not None  # JSON
    finally:
        made.close()


@forking
def test_a_small_spec_takes_the_early_worker_and_ends_it(
    project: ClientConfig, forking_runner: runner.ForkingRunner
) -> None:
    early = forking_runner._early
    assert early is not None
    processes = list(early._processes or ())
    outcome = pipeline.generate_client(project, runner=forking_runner)
    assert outcome.written
    assert forking_runner._early is None  # taken by the run; later runs fork their own
    processes[0].join(timeout=10)
    assert not processes[0].is_alive()
    again = pipeline.generate_client(project, runner=forking_runner, check=True)
    assert again.change is not None and again.change.is_current


@forking
def test_a_big_spec_ends_the_early_worker_and_models_then_checks_in_one_worker(
    project: ClientConfig, forking_runner: runner.ForkingRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "BIG_SPEC_BYTES", 0)
    early = forking_runner._early
    assert early is not None
    processes = list(early._processes or ())
    spec = load_spec(project.spec, Diagnostics())
    assert spec is not None
    diagnostics = Diagnostics()
    with forking_runner.run(spec) as work:
        processes[0].join(timeout=10)
        assert not processes[0].is_alive()
        assert isinstance(work, runner._ForkingWork) and work.early is None
        checks = work.validate(spec, diagnostics)
        assert isinstance(checks, runner._Checks)
        assert not checks.done() and work.workers == []  # for the models worker to take
        from generator.operations import build_api

        models = work.models(build_api(spec, diagnostics), "pets", "api.yaml", diagnostics)
        assert len(work.workers) == 1  # one worker for both
        worker = work.workers[0]
        assert models.result() is not None
        forked = list((worker.pool._processes or {}).values())
        assert len(forked) == 1 and forked[0].is_alive()  # still there, for the checks
        checks.result()
        assert checks._future is not None  # the worker did them
        forked[0].join(timeout=10)
        assert not forked[0].is_alive()  # the last stage done with it ended it
    assert work.workers == []
    assert not diagnostics.has_errors()


@forking
def test_a_big_spec_refused_by_its_checks_writes_nothing(
    project: ClientConfig, forking_runner: runner.ForkingRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "BIG_SPEC_BYTES", 0)
    pipeline.generate_client(project, runner=runner.SerialRunner())
    before = _tree(project.out)
    text = project.spec.read_text()
    # a structural error only openapi-spec-validator finds
    project.spec.write_text(text.replace("info: {", "tite: typo\ninfo: {", 1))
    with pytest.raises(GenerationAborted) as aborted:
        pipeline.generate_client(project, runner=forking_runner)
    assert _errors(aborted.value) == ["spec-invalid"]
    assert _tree(project.out) == before
    assert sorted(p.name for p in project.out.parent.iterdir()) == ["pets"]


@forking
def test_a_big_spec_reports_lint_errors_found_while_modelling(
    project: ClientConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "BIG_SPEC_BYTES", 0)
    text = project.spec.read_text()
    project.spec.write_text(text.replace("operationId: listPets", "operationId: replacePet", 1))
    aborted = _refused(project, runner.ForkingRunner())
    assert "operation-id-duplicate" in _errors(aborted)
    assert not project.out.exists()


@pytest.mark.parametrize("chosen", ["serial", "forking"])
def test_a_render_failure_on_a_refused_spec_reports_the_spec(
    project: ClientConfig, monkeypatch: pytest.MonkeyPatch, chosen: str
) -> None:
    monkeypatch.setattr(runner, "BIG_SPEC_BYTES", 0)

    def broken(*args: object, **kwargs: object) -> dict[str, str]:
        raise KeyError("what an invalid spec can do to rendering")

    monkeypatch.setattr(render, "render_package", broken)
    # valid enough to model and render, refused by the validator only
    text = project.spec.read_text()
    project.spec.write_text(text.replace("info: {", "tite: typo\ninfo: {", 1))
    aborted = _refused(
        project, runner.SerialRunner() if chosen == "serial" else runner.ForkingRunner()
    )
    assert _errors(aborted) == ["spec-invalid"]


_PARENT = 0  # the test's own process: parts run elsewhere die
_RUN_PART = models.run_part


def _dies_in_a_worker(document: dict[str, object], package: str, spec_name: str) -> object:
    if os.getpid() != _PARENT:
        os._exit(9)  # as the out-of-memory killer would end the worker
    return _RUN_PART(document, package, spec_name)


@forking
def test_a_dead_models_worker_means_the_models_are_made_here(
    project: ClientConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "BIG_SPEC_BYTES", 0)
    expected = pipeline.generate_client(project, runner=runner.SerialRunner())
    assert expected.written
    before = _tree(project.out)
    shutil.rmtree(project.out)
    monkeypatch.setattr(models, "run_part", _dies_in_a_worker)
    monkeypatch.setattr(sys.modules[__name__], "_PARENT", os.getpid())
    made = runner.ForkingRunner()
    try:
        outcome = pipeline.generate_client(project, runner=made)
    finally:
        made.close()
    assert outcome.written
    assert _tree(project.out) == before
    # and its checks were done here: a refused spec is still refused
    text = project.spec.read_text()
    project.spec.write_text(text.replace("info: {", "tite: typo\ninfo: {", 1))
    aborted = _refused(project, runner.ForkingRunner())
    assert _errors(aborted) == ["spec-invalid"]


def _dies_checking(path: str, *_more: object) -> list[object]:
    os._exit(9)


@forking
def test_a_worker_that_dies_checking_means_the_checks_are_done_here(
    project: ClientConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "BIG_SPEC_BYTES", 0)
    monkeypatch.setattr(runner, "_check_in_worker", _dies_checking)
    text = project.spec.read_text()
    project.spec.write_text(text.replace("info: {", "tite: typo\ninfo: {", 1))
    aborted = _refused(project, runner.ForkingRunner())
    assert _errors(aborted) == ["spec-invalid"]
