"""Small graph helpers shared by the stages that reason about which schema needs which.

Both work on plain names: ``deps[name]`` is the set of names ``name`` refers to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set

__all__ = ["strongly_connected"]


def strongly_connected(order: Sequence[str], deps: Mapping[str, Set[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan, iterative), dependencies first.

    Each component lists its members in ``order``; components come out so that every
    one follows the components it depends on. Names in ``deps`` values that are not in
    ``deps`` itself are ignored. The result depends only on the arguments, never on
    hashing, so callers can build deterministic output from it.
    """
    position = {name: i for i, name in enumerate(order)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0

    def children_of(name: str) -> list[str]:
        return sorted(child for child in deps[name] if child in deps)

    for root in order:
        if root in index:
            continue
        work = [(root, iter(children_of(root)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(children_of(child))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                result.append(sorted(group, key=position.__getitem__))
    return result
