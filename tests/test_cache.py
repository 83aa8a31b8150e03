"""The output cache: hits are byte-identical to uncached runs; anything that matters misses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import cache as cache_module
from generator import pipeline
from generator.cache import OutputCache, default_cache
from generator.config import ClientConfig
from generator.diagnostics import GenerationAborted
from generator.write import read_tree
from tests.conftest import CHAT_SPEC


@pytest.fixture
def project(tmp_path: Path) -> ClientConfig:
    spec = tmp_path / "spec" / "chat.openapi.yaml"
    spec.parent.mkdir()
    shutil.copy(CHAT_SPEC, spec)
    return ClientConfig(spec=spec, package="chat_client", out=tmp_path / "out" / "chat_client")


@pytest.fixture
def store(tmp_path: Path) -> OutputCache:
    return OutputCache(tmp_path / "cache")


def _stages(outcome: pipeline.Outcome) -> list[str]:
    return [name for name, _ in outcome.timings]


def test_hit_is_byte_identical_to_an_uncached_run(
    project: ClientConfig, store: OutputCache, tmp_path: Path
) -> None:
    first = pipeline.generate_client(project, cache=store)
    assert "models" in _stages(first)
    uncached = read_tree(project.out)
    shutil.rmtree(project.out)
    second = pipeline.generate_client(project, cache=store)
    assert _stages(second) == ["cache"]
    assert second.written and second.operations == 2 and second.models == first.models
    assert read_tree(project.out) == uncached
    check = pipeline.generate_client(project, cache=store, check=True)
    assert check.change is not None and check.change.is_current


def test_hit_still_detects_hand_edits(project: ClientConfig, store: OutputCache) -> None:
    pipeline.generate_client(project, cache=store)
    readme = project.out / "README.md"
    readme.write_text("edited\n")
    check = pipeline.generate_client(project, cache=store, check=True)
    assert _stages(check) == ["cache"]
    assert check.change is not None and check.change.changed == ("README.md",)


def test_spec_change_misses(project: ClientConfig, store: OutputCache) -> None:
    pipeline.generate_client(project, cache=store)
    project.spec.write_text(
        project.spec.read_text().replace("version: '0.1.0'", "version: '0.5.0'", 1)
    )
    again = pipeline.generate_client(project, cache=store)
    assert "models" in _stages(again)
    assert '__version__ = "0.5.0"' in (project.out / "src/chat_client/_version.py").read_text()


def test_generator_change_misses(
    project: ClientConfig, store: OutputCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline.generate_client(project, cache=store)
    monkeypatch.setattr(cache_module, "generator_fingerprint", lambda: "another generator")
    assert "models" in _stages(pipeline.generate_client(project, cache=store))


def test_referenced_file_change_misses(tmp_path: Path, store: OutputCache) -> None:
    spec = tmp_path / "api.yaml"
    schemas = tmp_path / "schemas.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\nservers: [{url: 'https://api.example.com'}]\n"
        "paths:\n  /things:\n    get:\n      operationId: listThings\n      responses:\n"
        "        '200':\n          description: ok\n          content:\n            application/json:\n"
        "              schema: {$ref: 'schemas.yaml#/components/schemas/Thing'}\n"
    )
    schemas.write_text(
        "components:\n  schemas:\n    Thing:\n      type: object\n      properties: {a: {type: string}}\n"
    )
    config = ClientConfig(spec=spec, package="things", out=tmp_path / "out")
    pipeline.generate_client(config, cache=store)
    assert _stages(pipeline.generate_client(config, cache=store)) == ["cache"]
    schemas.write_text(schemas.read_text().replace("a: {type: string}", "b: {type: integer}"))
    again = pipeline.generate_client(config, cache=store)
    assert "models" in _stages(again)
    assert "b: int | None" in (tmp_path / "out/src/things/models/_thing.py").read_text()


def test_damaged_blob_misses(project: ClientConfig, store: OutputCache) -> None:
    pipeline.generate_client(project, cache=store)
    for blob in (store.folder / "blobs").iterdir():
        blob.write_bytes(b"garbage")
    assert "models" in _stages(pipeline.generate_client(project, cache=store, check=True))


def test_cached_warnings_still_fail_strict(project: ClientConfig, store: OutputCache) -> None:
    project.spec.write_text(
        project.spec.read_text().replace("      operationId: addParticipant\n", "", 1)
    )
    pipeline.generate_client(project, cache=store)
    again = pipeline.generate_client(project, cache=store)
    assert _stages(again) == ["cache"]
    assert any(d.rule == "operation-id-missing" for d in again.diagnostics)
    with pytest.raises(GenerationAborted):
        pipeline.generate_client(project, cache=store, strict=True)


def test_failures_are_not_cached(project: ClientConfig, store: OutputCache) -> None:
    project.spec.write_text(
        project.spec.read_text().replace(
            "operationId: addParticipant", "operationId: addChatroomParticipant"
        )
    )
    for _ in range(2):
        with pytest.raises(GenerationAborted):
            pipeline.generate_client(project, cache=store)
    assert not (store.folder / "entries").exists()


def test_environment_chooses_or_disables_the_cache(tmp_path: Path) -> None:
    assert default_cache({"CLIENTGEN_NO_CACHE": "1"}) is None
    chosen = default_cache({"CLIENTGEN_CACHE_DIR": str(tmp_path)})
    assert chosen is not None and chosen.folder == tmp_path
    xdg = default_cache({"XDG_CACHE_HOME": str(tmp_path)})
    assert xdg is not None and xdg.folder == tmp_path / "clientgen"


def test_cli_no_cache_flag(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "o"
    assert run_cli("generate", str(CHAT_SPEC), "--out", str(out), "--package", "p").exit_code == 0
    result = run_cli(
        "generate", str(CHAT_SPEC), "--out", str(out), "--package", "p", "--no-cache", "--check"
    )
    assert result.exit_code == 0, result.output


def test_a_pack_keeps_what_its_last_run_used(tmp_path: Path) -> None:
    import pickle

    from generator.cache import Memo

    memo = Memo(tmp_path, "format").packed("client\0spec.yaml")
    one, two = memo.key("one"), memo.key("two")
    memo.put(one, b"1")
    memo.put(two, b"2" * 1000)
    memo.save()
    assert len(list((tmp_path / "format").iterdir())) == 1  # one file, whatever the count
    again = pickle.loads(pickle.dumps(Memo(tmp_path, "format").packed("client\0spec.yaml")))
    assert again.get(two) == b"2" * 1000  # a pickled pack reads the file where it is used
    again.put(again.key("three"), b"3")
    again.save()
    last = Memo(tmp_path, "format").packed("client\0spec.yaml")
    assert last.get(one) is None  # the run before did not use it: dropped
    assert last.get(two) == b"2" * 1000 and last.get(last.key("three")) == b"3"
    assert Memo(tmp_path, "format").packed("another scope").get(two) is None


def test_a_damaged_pack_is_an_empty_one(tmp_path: Path) -> None:
    from generator.cache import Memo

    memo = Memo(tmp_path, "checks").packed("scope")
    memo.put(memo.key("a"), b"x" * 100)
    memo.save()
    memo.file.write_bytes(memo.file.read_bytes()[:-10])  # cut short
    assert Memo(tmp_path, "checks").packed("scope").get(memo.key("a")) is None
    memo.file.write_bytes(b"not a pack")
    assert Memo(tmp_path, "checks").packed("scope").get(memo.key("a")) is None


def _run(store: OutputCache, key: str, files: dict[str, bytes], source: Path) -> None:
    store.store(key, sources=[source], files=files, diagnostics=(), operations=1, models=1)


def _aged(path: Path, seconds_ago: float) -> None:
    import os
    import time

    moment = time.time() - seconds_ago
    os.utime(path, (moment, moment))


def test_pruning_removes_the_least_recently_used_runs_and_their_blobs(tmp_path: Path) -> None:
    source = tmp_path / "spec.yaml"
    source.write_text("openapi: 3.1.0\n")
    store = OutputCache(tmp_path / "cache", max_bytes=10**9)
    shared = b"shared by every run\n"
    for number, age in ((1, 300), (2, 200), (3, 100)):
        own = bytes([number]) * 40_000
        _run(store, f"run{number}", {"a.py": shared, "b.py": own}, source)
        _aged(store.folder / "entries" / f"run{number}.json", age)
    assert store.prune() == 0  # within the limit: nothing goes
    assert store.lookup("run1") is not None  # a hit counts as a use: run 1 is now the newest
    store.max_bytes = 110_000  # room for two runs' own blobs, not three
    removed = store.prune()
    assert removed > 40_000
    assert store.lookup("run2") is None  # the least recently used
    assert store.lookup("run1") is not None and store.lookup("run3") is not None
    blobs = {p.read_bytes() for p in (store.folder / "blobs").iterdir()}
    assert blobs == {shared, b"\x01" * 40_000, b"\x03" * 40_000}  # run 2's own blob went
    total = sum(p.stat().st_size for p in store.folder.rglob("*") if p.is_file())
    assert total <= store.max_bytes * cache_module.PRUNED_SHARE


def test_pruning_removes_unused_units_first_and_a_hit_keeps_one(tmp_path: Path) -> None:
    store = OutputCache(tmp_path / "cache", max_bytes=10**9)
    memo = store.memo("models")
    keys = [memo.key(str(n)) for n in range(4)]
    for age, key in zip((400, 300, 200, 100), keys, strict=True):
        memo.put(key, key.encode() * 1000)  # 64 kB each
        _aged(memo._path(key), age)
    assert memo.get(keys[0]) is not None  # used now
    store.max_bytes = 160_000
    store.prune()
    kept = [key for key in keys if memo.get(key) is not None]
    assert kept == [keys[0], keys[3]]


def test_the_size_limit_comes_from_the_environment(tmp_path: Path) -> None:
    folder = str(tmp_path)
    chosen = default_cache({"CLIENTGEN_CACHE_DIR": folder, "CLIENTGEN_CACHE_MAX_MB": "5"})
    assert chosen is not None and chosen.max_bytes == 5 * 2**20
    fallback = default_cache({"CLIENTGEN_CACHE_DIR": folder, "CLIENTGEN_CACHE_MAX_MB": "lots"})
    assert fallback is not None
    assert fallback.max_bytes == cache_module.DEFAULT_MAX_MB * 2**20


def test_a_generate_run_keeps_the_cache_within_its_limit(
    project: ClientConfig, tmp_path: Path
) -> None:
    store = OutputCache(tmp_path / "cache", max_bytes=10**9)
    pipeline.generate_client(project, cache=store)
    size = sum(p.stat().st_size for p in store.folder.rglob("*") if p.is_file())
    # another client (every file differs): room for one run, not two
    store.max_bytes = int(size / cache_module.PRUNED_SHARE) + 4096
    other = ClientConfig(spec=project.spec, package="other_client", out=tmp_path / "other")
    pipeline.generate_client(other, cache=store)
    after = sum(p.stat().st_size for p in store.folder.rglob("*") if p.is_file())
    assert after <= store.max_bytes * cache_module.PRUNED_SHARE
    assert len(list((store.folder / "entries").iterdir())) == 1  # the latest run's
    again = pipeline.generate_client(other, cache=store, check=True)
    assert again.change is not None and again.change.is_current
    assert _stages(again) == ["cache"]  # a whole-run hit
