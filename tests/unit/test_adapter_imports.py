"""The adapters' layout keeps its shape: no import cycle between adapter modules, the floor
(`common`, `outbox/`, `line/`) imports nothing above it, and no module grows past about 400
lines."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADAPTERS = ROOT / "adapters"
MAX_LINES = 400
# Over the limit already: each may not grow until it is split.
OVER_THE_LIMIT = {"adapters/postgres/orders/credit.py": 403}
# What each part of the floor may import of the adapters, besides itself.
FLOOR = {
    "adapters.postgres.common": {"adapters.errors"},
    "adapters.postgres.outbox": {"adapters.errors", "adapters.postgres.common"},
    "adapters.postgres.line": {
        "adapters.errors",
        "adapters.postgres.common",
        "adapters.postgres.outbox",
    },
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(ADAPTERS.rglob("*.py"))}


def imported(path: Path) -> set[str]:
    """The adapter modules `path` imports, wherever the import stands (in a function or
    under TYPE_CHECKING too): `from a.b import c` names module `a.b.c` when there is one."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import"
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in MODULES}


GRAPH = {name: imported(path) - {name} for name, path in MODULES.items()}


def a_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of `graph` (its modules in import order, the first again last), or
    None when it has none."""
    done: set[str] = set()
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        path.append(name)
        for other in sorted(graph[name]):
            if (cycle := visit(other)) is not None:
                return cycle
        path.pop()
        done.add(name)
        return None

    for name in sorted(graph):
        if (cycle := visit(name)) is not None:
            return cycle
    return None


def test_the_cycle_finder_finds_one() -> None:
    assert a_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert a_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_adapter_module_imports_itself_back() -> None:
    assert GRAPH["adapters.postgres.line.ledger"], "the graph is read from the tree"
    cycle = a_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_floor_imports_nothing_above_it() -> None:
    for name, imports in GRAPH.items():
        floor = next((f for f in FLOOR if name == f or name.startswith(f + ".")), None)
        if floor is None:
            continue
        above = {
            i
            for i in imports
            if not (i == floor or i.startswith(floor + "."))
            and not any(i == allowed or i.startswith(allowed + ".") for allowed in FLOOR[floor])
        }
        assert not above, f"{name} imports {sorted(above)}"


def test_no_adapter_module_is_over_about_400_lines() -> None:
    for path in MODULES.values():
        relative = str(path.relative_to(ROOT))
        lines = len(path.read_text().splitlines())
        limit = OVER_THE_LIMIT.get(relative, MAX_LINES)
        assert lines <= limit, f"{relative} has {lines} lines (at most {limit}): split it"
