"""Big schema sets in parts: the split, the join, and the same package either way."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from generator import partition, runner
from generator.config import ClientConfig
from generator.model_source import ModelSource, analyse
from generator.models import run_part
from generator.partition import Part, join_parts, part_document, split_schemas
from generator.pipeline import generate_client
from generator.runtime._models import mark_non_nullable

REF = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF + name}


def _cluster(prefix: str, size: int) -> dict[str, Any]:
    """``size`` schemas that reference each other in a chain, the shared ``User`` and a base."""
    schemas: dict[str, Any] = {
        f"{prefix}Base": {
            "type": "object",
            "required": ["id"],
            "properties": {"id": {"type": "integer"}, "owner": _ref("User")},
        }
    }
    for index in range(size):
        properties: dict[str, Any] = {
            "label": {"type": "string"},
            # an object datamodel-code-generator names itself, after the property
            "extra": {
                "allOf": [
                    _ref("User"),
                    {"type": "object", "properties": {"note": {"type": "string"}}},
                ]
            },
        }
        if index:
            properties["previous"] = _ref(f"{prefix}{index - 1}")
        schemas[f"{prefix}{index}"] = {
            "allOf": [_ref(f"{prefix}Base"), {"type": "object", "properties": properties}]
        }
    return schemas


def _document() -> dict[str, Any]:
    schemas: dict[str, Any] = {
        "User": {"type": "object", "properties": {"login": {"type": "string"}}},
    }
    schemas |= _cluster("Pet", 6)
    schemas |= _cluster("Order", 6)
    return {
        "openapi": "3.1.0",
        "info": {"title": "models", "version": "0"},
        "paths": {},
        "components": {"schemas": schemas},
    }


def _closure(schemas: dict[str, Any], names: tuple[str, ...]) -> set[str]:
    found: set[str] = set()
    stack = list(names)
    while stack:
        name = stack.pop()
        if name in found:
            continue
        found.add(name)
        text = json.dumps(schemas[name])
        stack += [n for n in schemas if f'"{REF}{n}"' in text]
    return found


def test_small_sets_stay_one_part() -> None:
    schemas = _document()["components"]["schemas"]
    assert split_schemas(schemas) == [Part(tuple(schemas), tuple(schemas))]
    assert len(split_schemas(schemas, parts=1, minimum=1)) == 1


def test_each_schema_is_owned_once_and_parts_hold_what_they_reference() -> None:
    schemas = _document()["components"]["schemas"]
    parts = split_schemas(schemas, minimum=1)
    assert len(parts) == 2
    owned = [name for part in parts for name in part.owned]
    assert sorted(owned) == sorted(schemas)
    for part in parts:
        assert _closure(schemas, part.owned) == set(part.schemas)
        assert list(part.schemas) == [n for n in schemas if n in part.schemas]  # document order
    # the clusters fall apart; only the shared User is in both
    assert set(parts[0].schemas) & set(parts[1].schemas) == {"User"}


def test_a_split_that_saves_nothing_is_not_made() -> None:
    # everything hangs off one root: any part would hold nearly everything
    schemas: dict[str, Any] = {
        f"S{i}": {"type": "object", "properties": {"next": _ref(f"S{i + 1}")}} for i in range(20)
    }
    schemas["S20"] = {"type": "object", "properties": {"x": {"type": "string"}}}
    assert len(split_schemas(schemas, minimum=1)) == 1


def test_split_does_not_depend_on_hashing() -> None:
    script = (
        "import json, sys\n"
        "from generator.partition import split_schemas\n"
        "from tests.test_partition import _document\n"
        "parts = split_schemas(_document()['components']['schemas'], minimum=1)\n"
        "print(json.dumps([[list(p.owned), list(p.schemas)] for p in parts]))\n"
    )
    root = Path(__file__).resolve().parents[1]
    results = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=root,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(results) == 1


@pytest.fixture(scope="module")
def joined() -> tuple[list[Part], str]:
    document = _document()
    schemas = document["components"]["schemas"]
    parts = split_schemas(schemas, minimum=1)
    modules = []
    for part in parts:
        result = run_part(part_document(document, part), "pkg", "spec.json")
        assert result.module is not None, result.error
        modules.append(result.module)
    module = join_parts(parts, modules, list(schemas))
    assert module is not None
    return parts, module.source


def test_join_keeps_every_class_once_and_renames_clashing_made_up_ones(
    joined: tuple[list[Part], str],
) -> None:
    _, source = joined
    tree = ast.parse(source)
    classes = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
    assert len(classes) == len(set(classes))
    assert set(_document()["components"]["schemas"]) <= set(classes)
    # both parts made up a class for `extra`; the second one's is renumbered, not lost
    made_up = sorted(set(classes) - set(_document()["components"]["schemas"]))
    assert len(made_up) >= 2 and len({name.rstrip("0123456789") for name in made_up}) < len(made_up)


def test_joined_module_defines_bases_first_and_validates(joined: tuple[list[Part], str]) -> None:
    _, source = joined
    import pydantic

    package = types.ModuleType("pkg")
    runtime = types.ModuleType("pkg._models")
    runtime.BaseModel = pydantic.BaseModel  # type: ignore[attr-defined]
    runtime.mark_non_nullable = mark_non_nullable  # type: ignore[attr-defined]
    sys.modules["pkg"], sys.modules["pkg._models"] = package, runtime
    try:  # a package (models/__init__.py): `from .._models import ...` is pkg._models
        namespace: dict[str, Any] = {"__name__": "pkg.models", "__package__": "pkg.models"}
        exec(compile(source, "models.py", "exec"), namespace)  # our own generated code
    finally:
        del sys.modules["pkg"], sys.modules["pkg._models"]
    for cls in namespace.values():
        if (
            isinstance(cls, type)
            and issubclass(cls, pydantic.BaseModel)
            and cls.__module__ == "pkg.models"
        ):
            cls.model_rebuild(_types_namespace=namespace)
    order = namespace["Order5"].model_validate(
        {"id": 1, "owner": {"login": "a"}, "previous": {"id": 2, "label": "x"}}
    )
    assert order.previous.id == 2 and order.owner.login == "a"
    assert isinstance(order, namespace["OrderBase"])


SPEC_PATHS = {
    "/things": {
        "get": {
            "operationId": "listThings",
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {"application/json": {"schema": _ref("Order5")}},
                }
            },
        }
    }
}


def _spec(tmp_path: Path) -> Path:
    document = _document()
    document["info"] = {"title": "Parts", "version": "1.0.0"}
    document["servers"] = [{"url": "https://api.example.com"}]
    document["paths"] = SPEC_PATHS
    path = tmp_path / "parts.json"
    path.write_text(json.dumps(document))
    return path


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_parts_side_by_side_make_the_same_package_as_parts_in_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The serial and the forking runner (both parts and the checks in workers) agree."""
    spec = _spec(tmp_path)
    monkeypatch.setattr(partition, "MIN_SCHEMAS", 1)
    monkeypatch.setattr(runner, "BIG_SPEC_BYTES", 0)
    outputs = []
    for label, chosen in (("pool", runner.ForkingRunner()), ("inline", runner.SerialRunner())):
        out = tmp_path / label
        config = ClientConfig(spec=spec, out=out, package="parts_client")
        try:
            generate_client(config, runner=chosen)
        finally:
            chosen.close()
        outputs.append(_files(out))
    assert outputs[0] == outputs[1]
    models = [name for name in outputs[0] if "/models/" in name]
    assert len(models) > 5  # one module per group of classes
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            str(tmp_path / "pool" / "src"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:]


def test_a_cycle_shares_one_closure_and_what_it_references() -> None:
    own = {"A": 0b0001, "B": 0b0010, "C": 0b0100, "D": 0b1000}
    deps = {"A": {"B"}, "B": {"A", "C"}, "C": set(), "D": set()}
    closure = partition._closures(list(own), deps, own)
    assert closure == {"A": 0b0111, "B": 0b0111, "C": 0b0100, "D": 0b1000}


def test_bit_runs_are_weights_in_units_and_never_empty() -> None:
    own, width = partition._bit_runs(["A", "B"], {"A": 3, "B": 0})
    assert (own, width) == ({"A": 0b0111, "B": 0b1000}, 4)


def test_a_schema_goes_where_it_adds_least_unless_that_part_runs_ahead() -> None:
    # part 0 already holds half the closure: it grows least and takes it
    assert partition._choose([0b0011, 0b0000], 0b1111, margin=10) == 0
    # ... but not when it would end far ahead of part 1 for nothing
    assert partition._choose([0b00111111, 0b0], 0b11000001, margin=1) == 1


def test_reach_stops_at_other_schemas_classes() -> None:
    module = _module(
        "class A(BaseModel):\n    x: A1 | B\n\n\n"
        "class A1(BaseModel):\n    y: A2\n\n\n"
        "class A2(BaseModel):\n    z: int\n\n\n"
        "class B(BaseModel):\n    w: B1\n\n\n"
        "class B1(BaseModel):\n    v: int\n"
    )
    by_name = {c.name: c for c in module.classes}
    assert partition._reached(["A"], by_name, {"A", "B"}) == {"A", "A1", "A2"}


def test_definition_order_puts_evaluated_names_first_and_survives_a_cycle() -> None:
    module = _module(
        "class C(B):\n    pass\n\n\n"
        "class A(BaseModel):\n    x: C\n\n\n"
        "class B(BaseModel):\n    pass\n\n\n"
        "class D(E):\n    pass\n\n\n"
        "class E(D):\n    pass\n"
    )
    ordered = partition._definition_order(module.classes)
    assert [c.name for c in ordered] == ["B", "C", "A", "E", "D"]


def _module(classes: str) -> ModelSource:
    return analyse("from __future__ import annotations\n\n\n" + classes, {})


_PART_A = """from __future__ import annotations

from typing import Annotated
from pkg._models import BaseModel
from pydantic import Field
from typing_extensions import TypeAliasType

Temperature = TypeAliasType("Temperature", Annotated[float, Field(ge=0)])


class A(BaseModel):
    t: Temperature | None = None
    a: A | None = None


A.model_rebuild()
"""

_PART_B = (
    _PART_A.replace("float, Field(ge=0)", "int, Field(le=3)")
    .replace("class A(", "class B(")
    .replace("a: A |", "b: B |")
    .replace("A.model_rebuild", "B.model_rebuild")
)


def test_join_renames_made_up_aliases_and_keeps_rebuild_calls() -> None:
    """Made-up type aliases clash like made-up classes; ``model_rebuild()`` calls follow."""
    from generator.model_source import expand_aliases

    parts = [Part(("A",), ("A",)), Part(("B",), ("B",))]
    modules = [analyse(_PART_A, {}), analyse(_PART_B, {})]
    joined = join_parts(parts, modules, ("A", "B"))
    assert joined is not None and joined.plain
    source = joined.source
    assert 'Temperature1 = TypeAliasType("Temperature1", Annotated[int, Field(le=3)])' in source
    assert "t: Temperature1 | None = None" in source
    assert source.rstrip().endswith("A.model_rebuild()\nB.model_rebuild()")
    fields = {
        c.name: {f.name: f.annotation for f in c.model.fields}
        for c in expand_aliases(joined).classes
        if c.kind == "class"
    }
    assert fields["B"]["t"] == "int | None" and fields["A"]["t"] == "float | None"
    import pydantic

    package, runtime = types.ModuleType("pkg"), types.ModuleType("pkg._models")
    runtime.BaseModel = pydantic.BaseModel  # type: ignore[attr-defined]
    runtime.mark_non_nullable = lambda model, *fields: None  # type: ignore[attr-defined]
    sys.modules["pkg"], sys.modules["pkg._models"] = package, runtime
    try:
        namespace: dict[str, Any] = {"__name__": "pkg.models", "__package__": "pkg.models"}
        exec(compile(source, "models.py", "exec"), namespace)  # our own generated code
    finally:
        del sys.modules["pkg"], sys.modules["pkg._models"]
    with pytest.raises(pydantic.ValidationError):
        namespace["B"].model_validate({"t": 4})
    assert namespace["B"].model_validate({"b": {"t": 2}}).b.t == 2
