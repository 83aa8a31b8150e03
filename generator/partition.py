"""Big schema sets split in two for datamodel-code-generator, and the two outputs joined.

datamodel-code-generator works on one document in one process; on a spec with
thousands of schemas it is most of a run. :func:`split_schemas` cuts the schemas
into parts that can be generated separately (in parallel, one per core): each part
*owns* some schemas and its document also holds everything they reference, so every
class is generated seeing exactly the schemas it needs. :func:`join_parts` keeps,
from each part's module, the classes it owns plus the ones datamodel-code-generator
made up for them (inline unions, variants) and renames made-up classes whose name is
taken elsewhere.

The split is a function of the schemas alone, never of the machine (core count,
hashing), so the generated package is byte-identical everywhere; only whether the
parts run one after the other or side by side depends on the machine.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, replace
from typing import Any

from generator.graph import strongly_connected
from generator.model_source import ClassSource, ModelSource, assemble, rename_class

__all__ = ["MIN_SCHEMAS", "Part", "join_parts", "part_document", "split_schemas"]

#: below this many schemas one run is quicker than two processes and a join
MIN_SCHEMAS = 800
#: a split is only worth it when no part has to hold more than this share of the work
MAX_SHARE = 0.8
#: how far (a share of all work) the part taking least may run ahead of another before
#: the other takes the schema instead: small enough to balance, big enough to let shared
#: schemas gather in one part
BALANCE_MARGIN = 0.05
#: about how many units of weight the whole set is measured in (bit-set resolution)
_RESOLUTION = 16384
_PREFIX = "#/components/schemas/"


@dataclass(frozen=True, slots=True)
class Part:
    """One run of datamodel-code-generator: the schemas it owns and those its document holds."""

    owned: tuple[str, ...]
    #: ``owned`` plus everything they reference, in document order
    schemas: tuple[str, ...]


def _scan(node: Any, refs: set[str]) -> int:
    """Collect the schema names ``node`` references; return how many objects it holds."""
    count = 0
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            count += 1
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith(_PREFIX):
                refs.add(ref[len(_PREFIX) :])
            stack.extend(v for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, dict | list))
    return count


def split_schemas(
    schemas: Mapping[str, Any], *, parts: int = 2, minimum: int | None = None
) -> list[Part]:
    """Cut ``schemas`` (class name -> schema, refs as ``#/components/schemas/Name``) into parts.

    Greedy: schemas are taken biggest closure first; each goes to the part whose work
    grows least, unless that part would then run well ahead of another. Work is the number of schema objects (a rough count of fields),
    summed with bit sets so that the cut stays linear in practice. One part comes back
    when the set is smaller than ``minimum`` (:data:`MIN_SCHEMAS`) or when no cut
    saves enough work.
    """
    names = list(schemas)
    whole = [Part(tuple(names), tuple(names))]
    if parts < 2 or len(names) < (MIN_SCHEMAS if minimum is None else minimum):
        return whole
    deps: dict[str, set[str]] = {}
    weight: dict[str, int] = {}
    for name in names:
        refs: set[str] = set()
        weight[name] = _scan(schemas[name], refs)
        refs.discard(name)
        deps[name] = {r for r in refs if r in schemas}
    total = sum(weight.values())
    unit = max(1, total // _RESOLUTION)
    # every schema is a run of bits, as many as its weight in units: popcount = work
    own_bits: dict[str, int] = {}
    start = 0
    for name in names:
        width = max(1, weight[name] // unit)
        own_bits[name] = ((1 << width) - 1) << start
        start += width
    closure: dict[str, int] = {}
    for group in strongly_connected(names, deps):  # dependencies first
        mask = 0
        for member in group:
            mask |= own_bits[member]
            for dep in deps[member]:
                if dep not in group:
                    mask |= closure[dep]
        for member in group:
            closure[member] = mask
    position = {name: i for i, name in enumerate(names)}
    order = sorted(names, key=lambda n: (-closure[n].bit_count(), position[n]))
    held = [0] * parts
    owned: list[list[str]] = [[] for _ in range(parts)]
    margin = BALANCE_MARGIN * start
    for name in order:
        size = [h.bit_count() for h in held]
        grown = [(h | closure[name]).bit_count() for h in held]
        # the part that has to take on least (most of a closure is often there already) ...
        best = min(range(parts), key=lambda i: (grown[i] - size[i], size[i], i))
        # ... unless that leaves it well ahead of where another would be, for nothing
        for other in sorted(range(parts), key=lambda i: (grown[i], i)):
            if other == best:
                break
            ahead = grown[best] > grown[other] + margin
            if ahead and _largest(grown, size, other) < _largest(grown, size, best):
                best = other
                break
        held[best] |= closure[name]
        owned[best].append(name)
    width_all = start
    if (
        any(not group for group in owned)
        or max(h.bit_count() for h in held) > MAX_SHARE * width_all
    ):
        return whole
    result = []
    for index in range(parts):
        mine = set(owned[index])
        result.append(
            Part(
                owned=tuple(n for n in names if n in mine),
                schemas=tuple(n for n in names if held[index] & own_bits[n]),
            )
        )
    return result


def _largest(grown: list[int], size: list[int], chosen: int) -> int:
    """The biggest part's work if part ``chosen`` grows to ``grown[chosen]``."""
    return max(grown[i] if i == chosen else size[i] for i in range(len(size)))


def part_document(document: Mapping[str, Any], part: Part) -> dict[str, Any]:
    """``document`` (a models document) holding only the schemas of ``part``."""
    schemas = document["components"]["schemas"]
    return {
        **document,
        "components": {"schemas": {name: schemas[name] for name in part.schemas}},
    }


def join_parts(
    parts: Sequence[Part], modules: Sequence[ModelSource], schema_names: Sequence[str]
) -> ModelSource | None:
    """One module from the parts' modules; ``None`` when one holds more than imports and classes.

    Each part contributes the classes it owns and the made-up classes they reach
    without passing through another schema's class. A made-up name already used (by a
    schema anywhere, or by an earlier part) is renumbered: the lowest free number
    replaces its own, the way datamodel-code-generator numbers its clashes. Classes
    come in part order, each after the classes its statement evaluates (bases first).
    """
    if len(modules) != len(parts) or not all(m.plain for m in modules):
        return None
    schemas = set(schema_names)
    taken: set[str] = schemas | set(keyword.kwlist)
    for module in modules:
        taken |= set(module.imported)
    kept: list[ClassSource] = []
    imports: list[str] = []
    imported: dict[str, tuple[str, str]] = {}
    for part, module in zip(parts, modules, strict=True):
        imports += [line for line in module.imports if line not in imports]
        for name, origin in module.imported.items():
            imported.setdefault(name, origin)
        by_name = {c.name: c for c in module.classes}
        reached = [name for name in part.owned if name in by_name]
        seen = set(reached)
        queue = list(reached)
        while queue:
            for ref in sorted(by_name[queue.pop()].names & by_name.keys()):
                if ref not in schemas and ref not in seen:
                    seen.add(ref)
                    queue.append(ref)
        mapping: dict[str, str] = {}
        for cls in module.classes:  # module order: numbering follows the module
            if cls.name in seen and cls.name not in schemas:
                if cls.name in taken:
                    mapping[cls.name] = _free(cls.name, taken | by_name.keys())
                taken.add(mapping.get(cls.name, cls.name))
        kept += [rename_class(c, mapping) for c in module.classes if c.name in seen]
    by_final = {c.name: c for c in kept}
    ordered: list[ClassSource] = []
    placed: set[str] = set()

    def place(cls: ClassSource, visiting: set[str]) -> None:
        if cls.name in placed or cls.name in visiting:
            return
        visiting.add(cls.name)
        for dep in sorted(cls.eager & by_final.keys()):
            place(by_final[dep], visiting)
        placed.add(cls.name)
        ordered.append(cls)

    for cls in kept:
        place(cls, set())
    joined = ModelSource(
        header=modules[0].header,
        imports=tuple(imports),
        imported=imported,
        classes=tuple(ordered),
        source="",
    )
    return replace(joined, source=assemble(joined))


def _free(name: str, taken: Set[str]) -> str:
    """``name`` renumbered: its trailing number replaced by the lowest one not taken."""
    stem = name.rstrip("0123456789") or name
    number = 1
    while f"{stem}{number}" in taken:
        number += 1
    return f"{stem}{number}"
