"""What the modules of a package import, read from their source with `ast` (nothing is run).

Imports inside functions count as much as those at the top of a module: they run all the
same, only later. Imports under `if TYPE_CHECKING:` are kept apart: they never run, and are
how a type names a class without the import it would otherwise need.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(kw_only=True, frozen=True)
class Import:
    """One name a module imports: `import a.b` names a.b; `from a.b import c` names a.b
    and a.b.c (c may be a submodule or an attribute: the caller knows which modules exist)."""

    module: str
    names: tuple[str, ...]
    line: int
    type_checking: bool


def modules(package: Path) -> dict[str, Path]:
    """Every module of the package at `package` (a folder), by its dotted name."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(module: str, path: Path) -> Iterator[Import]:
    """The imports of one module, relative ones made absolute."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    yield from _visit(ast.parse(path.read_text(encoding="utf-8")), package, module, False)


def _visit(node: ast.AST, package: str, module: str, type_checking: bool) -> Iterator[Import]:
    if isinstance(node, ast.If) and _is_type_checking(node.test):
        for child in node.body:
            yield from _visit(child, package, module, True)
        for child in node.orelse:
            yield from _visit(child, package, module, type_checking)
        return
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield Import(
                module=module, names=(alias.name,), line=node.lineno, type_checking=type_checking
            )
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            parents = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*parents, *([node.module] if node.module else [])])
        names = (base, *(f"{base}.{alias.name}" for alias in node.names))
        yield Import(module=module, names=names, line=node.lineno, type_checking=type_checking)
    for child in ast.iter_child_nodes(node):
        yield from _visit(child, package, module, type_checking)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


# An edge of an import graph, and the imports that make it: (importer, imported) → where.
Edges = dict[tuple[str, str], list[str]]


def import_graph(
    package: Path,
    *,
    node_of: Callable[[str], str] = lambda m: m,
    type_checking: bool = False,
) -> Edges:
    """Who imports whom among the modules of `package`, at run time (TYPE_CHECKING imports
    left out unless `type_checking`). `node_of` groups modules into nodes (by default each
    module is its own)."""
    known = modules(package)
    edges: Edges = {}
    for module, path in known.items():
        for found in imports(module, path):
            if found.type_checking and not type_checking:
                continue
            for name in found.names:
                if name not in known:
                    continue
                source, target = node_of(module), node_of(name)
                if source != target:
                    where = f"{module}:{found.line} imports {name}"
                    edges.setdefault((source, target), []).append(where)
    return edges


def package_of(module: str) -> str:
    """The node of a module in the graph of packages: frontdoor.web.app → frontdoor.web; a
    module directly under frontdoor (frontdoor.settings) is a node of its own."""
    return ".".join(module.split(".")[:2])


def cyclic_edges(edges: Edges) -> set[tuple[str, str]]:
    """The edges that lie on a cycle: a → b where b leads back to a. A new cycle always adds
    at least one such edge, and an edge leaves the set only when no cycle goes through it."""
    successors: dict[str, set[str]] = {}
    for source, target in edges:
        successors.setdefault(source, set()).add(target)
    return {(source, target) for source, target in edges if source in _reach(target, successors)}


def _reach(start: str, successors: Mapping[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    stack = [start]
    while stack:
        for following in successors.get(stack.pop(), ()):
            if following not in seen:
                seen.add(following)
                stack.append(following)
    return seen
