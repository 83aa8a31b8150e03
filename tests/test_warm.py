"""The models worker ``clientgen generate`` forks as it starts."""

from __future__ import annotations

import os
import sys

import pytest

from generator import warm

linux_with_two_cores = pytest.mark.skipif(
    not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2,
    reason="the worker is forked on Linux with a second core only",
)


def _models_library_imported() -> bool:
    return "datamodel_code_generator.parser.openapi" in sys.modules


@pytest.fixture(autouse=True)
def _no_worker_left() -> object:
    yield
    warm.stop()


@pytest.mark.parametrize(
    "args", [["validate", "spec.yaml"], ["generate", "--help"], ["-h", "generate"], []]
)
def test_only_generate_starts_a_worker(args: list[str]) -> None:
    warm.start(args)
    assert warm.take() is None


@linux_with_two_cores
def test_the_worker_imports_the_models_library_and_is_taken_once() -> None:
    warm.start(["generate", "--check"])
    pool = warm.take()
    assert pool is not None and warm.take() is None
    try:
        # work queues behind the import, in the same process
        assert pool.submit(_models_library_imported).result(timeout=60)
        assert pool.submit(os.getpid).result() != os.getpid()
    finally:
        pool.shutdown()


@linux_with_two_cores
def test_an_unused_worker_is_ended() -> None:
    warm.start(["generate"])
    pool = warm._pool
    assert pool is not None
    processes = list(pool._processes.values())
    assert len(processes) == 1
    warm.stop()
    assert warm.take() is None
    processes[0].join(timeout=10)
    assert not processes[0].is_alive()


@linux_with_two_cores
def test_the_pipeline_takes_the_worker(tmp_path: object) -> None:
    from pathlib import Path

    from generator.config import ClientConfig
    from generator.pipeline import generate_client
    from tests.conftest import CHAT_SPEC

    warm.start(["generate"])
    out = Path(str(tmp_path)) / "out"
    outcome = generate_client(ClientConfig(CHAT_SPEC, "chat_client", out))
    assert outcome.written and warm.take() is None


@linux_with_two_cores
def test_a_big_spec_ends_the_worker_and_forks_its_own(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from generator import pipeline
    from generator.config import ClientConfig
    from tests.conftest import CHAT_SPEC

    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    warm.start(["generate"])
    pool = warm._pool
    assert pool is not None
    early = list(pool._processes.values())
    out = Path(str(tmp_path)) / "out"
    outcome = pipeline.generate_client(ClientConfig(CHAT_SPEC, "chat_client", out))
    assert outcome.written and "checks" in [name for name, _ in outcome.timings]
    early[0].join(timeout=10)
    assert not early[0].is_alive()
