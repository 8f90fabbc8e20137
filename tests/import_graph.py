"""The import graph of a package, read from its source, and the layering rules checked on it.

Every ``import`` statement counts: at module level, inside functions (a lazy import is still a
dependency) and under ``if TYPE_CHECKING:`` (a cycle hidden there is a cycle in all but name).
``from a.b import c`` is an edge to ``a.b.c`` when ``c`` is a module of the package, else to
``a.b``; importing a submodule is not counted as importing every package above it (Python
runs those ``__init__`` files, but they are not what the importing code depends on).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

Graph = dict[str, set[str]]


def modules(root: Path, package: str) -> dict[str, Path]:
    """Every module of ``package`` (its folder is ``root``): dotted name → file."""
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join([package, *parts])] = path
    return found


def _resolve(name: str, level: int, here: str, is_package: bool) -> str:
    if level == 0:
        return name
    base = here.split(".") if is_package else here.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, name] if name else base)


def graph(root: Path, package: str) -> Graph:
    """Edges from each module to the modules of the same package it imports."""
    known = modules(root, package)
    edges: Graph = {name: set() for name in known}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets: Iterable[str] = (alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                source = _resolve(node.module or "", node.level, name, is_package)
                targets = [
                    f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source
                    for alias in node.names
                ]
            else:
                continue
            for target in targets:
                if target in known and target != name:
                    edges[name].add(target)
    return edges


def cycles(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def part(module: str, parts: Mapping[str, str]) -> str:
    """The part a module belongs to: its own entry in ``parts``, else the longest dotted
    prefix there naming it (the top-level package's entry names only its ``__init__``)."""
    if module in parts:
        return parts[module]
    best = ""
    for prefix in parts:
        if "." in prefix and module.startswith(prefix + ".") and len(prefix) > len(best):
            best = prefix
    return parts.get(best, module)


def violations(
    edges: Mapping[str, set[str]],
    parts: Mapping[str, str],
    forbidden: Mapping[str, set[str]],
    allowed: Iterable[tuple[str, str]] = (),
) -> list[str]:
    """``importer -> imported`` for every edge from a part to a part it may not import.

    ``allowed`` lists exact (importer part, imported module) pairs excepted from the rules.
    """
    exceptions = set(allowed)
    bad = []
    for source, targets in sorted(edges.items()):
        for target in sorted(targets):
            here, there = part(source, parts), part(target, parts)
            if there in forbidden.get(here, set()) and (here, target) not in exceptions:
                bad.append(f"{source} -> {target} ({here} may not import {there})")
    return bad
