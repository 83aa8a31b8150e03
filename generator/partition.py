"""Big schema sets split into parts for datamodel-code-generator, and the outputs joined.

datamodel-code-generator works on one document in one process; on a spec with
thousands of schemas it is most of a run, and its time grows faster than the number
of schemas (GitHub's 2,581 schemas: 19.8 s in one run, 14.6 s in four parts).
:func:`split_schemas` cuts the schemas into parts of about :data:`PART_SCHEMAS`
schemas, which can be generated separately (side by side on the cores there are, and
each remembered on its own, so that an edit regenerates only the parts it touches): each part
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

__all__ = ["MIN_SCHEMAS", "PART_SCHEMAS", "Part", "join_parts", "part_document", "split_schemas"]

#: below this many schemas one run is quicker than two processes and a join
MIN_SCHEMAS = 800
#: about how many schemas a part owns. datamodel-code-generator's total time is flat from
#: here to twice as many (GitHub's 2,581 schemas in 8 parts took no longer than in 6, one
#: machine, one run each), while smaller parts balance two cores better and make an edit
#: regenerate less: the biggest of GitHub's parts took 2.8 s instead of 4.8 s
PART_SCHEMAS = 320
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
    schemas: Mapping[str, Any], *, parts: int | None = None, minimum: int | None = None
) -> list[Part]:
    """Cut ``schemas`` (class name -> schema, refs as ``#/components/schemas/Name``) into parts.

    ``parts`` defaults to one per :data:`PART_SCHEMAS` schemas (at least two).

    Greedy: schemas are taken biggest closure first; each goes to the part whose work
    grows least, unless that part would then run well ahead of another. Work is the
    number of schema objects (a rough count of fields), summed with bit sets so that
    the cut stays linear in practice. One part comes back when the set is smaller than
    ``minimum`` (:data:`MIN_SCHEMAS`) or when no cut saves enough work.
    """
    names = list(schemas)
    whole = [Part(tuple(names), tuple(names))]
    if parts is None:
        parts = max(2, len(names) // PART_SCHEMAS)
    if parts < 2 or len(names) < (MIN_SCHEMAS if minimum is None else minimum):
        return whole
    weight, deps = _weigh(schemas)
    own_bits, width = _bit_runs(names, weight)
    closure = _closures(names, deps, own_bits)
    held, owned = _assign(names, closure, parts, BALANCE_MARGIN * width)
    taken = [(mine, bits) for mine, bits in zip(owned, held, strict=True) if mine]
    if len(taken) < 2 or max(bits.bit_count() for _, bits in taken) > MAX_SHARE * width:
        return whole  # one closure holds (nearly) everything: parts would repeat it
    return [_part(names, set(mine), bits, own_bits) for mine, bits in taken]


def _part(names: Sequence[str], mine: Set[str], bits: int, own_bits: Mapping[str, int]) -> Part:
    """The part owning ``mine`` and holding the schemas whose bits are in ``bits``, both in
    document order (``names``)."""
    return Part(
        owned=tuple(n for n in names if n in mine),
        schemas=tuple(n for n in names if bits & own_bits[n]),
    )


def _weigh(schemas: Mapping[str, Any]) -> tuple[dict[str, int], dict[str, set[str]]]:
    """Each schema's weight (its object count) and the other schemas it references directly.

    References to names not in ``schemas`` (and to itself) are dropped: only schemas
    that can be placed in a part matter to the cut.
    """
    weight: dict[str, int] = {}
    deps: dict[str, set[str]] = {}
    for name, schema in schemas.items():
        refs: set[str] = set()
        weight[name] = _scan(schema, refs)
        refs.discard(name)
        deps[name] = {r for r in refs if r in schemas}
    return weight, deps


def _bit_runs(names: Sequence[str], weight: Mapping[str, int]) -> tuple[dict[str, int], int]:
    """Each schema as a run of bits, as many as its weight in units; and the bits in all.

    A set of schemas is then the OR of their runs and its work the popcount, so adding
    a schema already held (in part) costs nothing. Weights are scaled to about
    :data:`_RESOLUTION` bits in all; every schema gets at least one.
    """
    unit = max(1, sum(weight.values()) // _RESOLUTION)
    own_bits: dict[str, int] = {}
    start = 0
    for name in names:
        width = max(1, weight[name] // unit)
        own_bits[name] = ((1 << width) - 1) << start
        start += width
    return own_bits, start


def _closures(
    names: Sequence[str], deps: Mapping[str, set[str]], own_bits: Mapping[str, int]
) -> dict[str, int]:
    """Each schema's bits ORed with those of everything it references, directly or not.

    Cycles are strongly connected groups that share one closure; groups come
    dependencies first, so every outside dependency's closure is ready when needed.
    """
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
    return closure


def _assign(
    names: Sequence[str], closure: Mapping[str, int], parts: int, margin: float
) -> tuple[list[int], list[list[str]]]:
    """Deal the schemas out, biggest closure first (ties in document order).

    Returns each part's bits (its work) and the names it owns, in the order taken.
    """
    position = {name: i for i, name in enumerate(names)}
    order = sorted(names, key=lambda n: (-closure[n].bit_count(), position[n]))
    held = [0] * parts
    owned: list[list[str]] = [[] for _ in range(parts)]
    for name in order:
        best = _choose(held, closure[name], margin)
        held[best] |= closure[name]
        owned[best].append(name)
    return held, owned


def _choose(held: Sequence[int], bits: int, margin: float) -> int:
    """The part to take a schema whose closure is ``bits``, given what the parts hold.

    The part that has to take on least (most of a closure is often there already) ...
    unless that leaves it more than ``margin`` ahead of where another would be, and
    giving it to that other keeps the biggest part smaller.
    """
    size = [h.bit_count() for h in held]
    grown = [(h | bits).bit_count() for h in held]
    indices = range(len(held))
    best = min(indices, key=lambda i: (grown[i] - size[i], size[i], i))
    for other in sorted(indices, key=lambda i: (grown[i], i)):
        if other == best:
            break
        ahead = grown[best] > grown[other] + margin
        if ahead and _largest(grown, size, other) < _largest(grown, size, best):
            return other
    return best


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
    for part, module in zip(parts, modules, strict=True):
        kept += _contributed(part, module, schemas, taken)
    imports, imported = _merged_imports(modules)
    joined = ModelSource(
        header=modules[0].header,
        imports=tuple(imports),
        imported=imported,
        classes=tuple(_definition_order(kept)),
        source="",
    )
    return replace(joined, source=assemble(joined))


def _contributed(
    part: Part, module: ModelSource, schemas: Set[str], taken: set[str]
) -> list[ClassSource]:
    """The classes ``part`` contributes from its ``module``, in module order, renamed.

    Made-up classes whose name is in ``taken`` are renumbered; the final names of all
    the made-up classes kept are added to ``taken`` for the parts after this one.
    """
    by_name = {c.name: c for c in module.classes}
    reached = _reached(part.owned, by_name, schemas)
    mapping: dict[str, str] = {}
    for cls in module.classes:  # module order: numbering follows the module
        if cls.name in reached and cls.name not in schemas:
            if cls.name in taken:
                mapping[cls.name] = _free(cls.name, taken | by_name.keys())
            taken.add(mapping.get(cls.name, cls.name))
    return [rename_class(c, mapping) for c in module.classes if c.name in reached]


def _reached(
    owned: Sequence[str], by_name: Mapping[str, ClassSource], schemas: Set[str]
) -> set[str]:
    """The ``owned`` classes and the made-up classes they use, directly or through others.

    The walk stops at schema classes: one the part does not own is another part's to
    contribute, with whatever it reaches.
    """
    start = [name for name in owned if name in by_name]
    seen = set(start)
    queue = list(start)
    while queue:
        for ref in sorted(by_name[queue.pop()].names & by_name.keys()):
            if ref not in schemas and ref not in seen:
                seen.add(ref)
                queue.append(ref)
    return seen


def _merged_imports(
    modules: Sequence[ModelSource],
) -> tuple[list[str], dict[str, tuple[str, str]]]:
    """The modules' import lines, each once in first-seen order, and what they import.

    A name imported by several modules keeps the origin of the first.
    """
    imports: list[str] = []
    imported: dict[str, tuple[str, str]] = {}
    for module in modules:
        imports += [line for line in module.imports if line not in imports]
        for name, origin in module.imported.items():
            imported.setdefault(name, origin)
    return imports, imported


def _definition_order(classes: Sequence[ClassSource]) -> list[ClassSource]:
    """``classes`` in their order, except that a class comes after those it evaluates.

    A class statement needs its bases and assigned values defined when it runs
    (:attr:`ClassSource.eager`); annotations are lazy and impose nothing. A cycle
    (impossible in valid output) is broken where it is met rather than refused.
    """
    by_name = {c.name: c for c in classes}
    ordered: list[ClassSource] = []
    placed: set[str] = set()

    def place(cls: ClassSource, visiting: set[str]) -> None:
        if cls.name in placed or cls.name in visiting:
            return
        visiting.add(cls.name)
        for dep in sorted(cls.eager & by_name.keys()):
            place(by_name[dep], visiting)
        placed.add(cls.name)
        ordered.append(cls)

    for cls in classes:
        place(cls, set())
    return ordered


def _free(name: str, taken: Set[str]) -> str:
    """``name`` renumbered: its trailing number replaced by the lowest one not taken."""
    stem = name.rstrip("0123456789") or name
    number = 1
    while f"{stem}{number}" in taken:
        number += 1
    return f"{stem}{number}"
