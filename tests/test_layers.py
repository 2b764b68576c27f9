"""The house as drawn from the imports: every import statement of mplat's packages (module level and
function-local alike: a lazy import is still an arrow) is read with ``ast``, and the graph must have
no arrow pointing up a floor and no cycle.

The floors, from the ground up: compiler -> generators -> operations, review -> mplat (the face).
operations and review share a floor and do not import each other.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = {"compiler": 0, "generators": 1, "operations": 2, "review": 2, "mplat": 3,
         "newcomer": 2.5}   # init, explain, graph, completion: the face registers them


def _modules() -> dict[str, Path]:
    mods = {}
    for package in FLOOR:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            mods[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return mods


def _imports(name: str, path: Path) -> set[str]:
    """Every dotted name ``path`` imports (relative imports resolved against ``name``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                base = base[:len(base) - node.level + 1]
                module = ".".join(base + ([module] if module else []))
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    graph: dict[str, set[str]] = {name: set() for name in mods}
    for name, path in mods.items():
        for target in _imports(name, path):
            while target and target not in mods:         # `from compiler.x import NAME` -> compiler.x
                target = target.rpartition(".")[0]
            if target and target != name:
                graph[name].add(target)
    return graph


def test_the_graph_is_read_from_the_code():
    graph = _graph()
    # the reader itself must see the arrows that exist, or the checks below prove nothing
    assert "compiler.diagnostics" in graph["mplat.cli"]
    assert "operations.cli" in graph["mplat.cli"]          # a function-local import
    assert "compiler" in graph["review.basecode"]           # `from compiler import ROOT`


def test_no_arrow_points_up_or_sideways():
    graph = _graph()
    wrong = sorted(f"{a} -> {b}" for a, targets in graph.items() for b in targets
                   if a.split(".")[0] != b.split(".")[0]
                   and FLOOR[b.split(".")[0]] >= FLOOR[a.split(".")[0]])
    assert wrong == [], "imports that point up (or sideways) a floor:\n" + "\n".join(wrong)


def test_the_shim_compiler_cli_imports_nothing_above_it():
    """``python -m compiler.cli`` runs the face by module name (runpy) only as a script."""
    graph = _graph()
    assert graph["compiler.cli"] == set()
    assert "runpy.run_module(\"mplat\"" in (ROOT / "compiler" / "cli.py").read_text()


def test_no_import_cycle():
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:                        # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    assert cycles == []


def test_exit_codes_are_defined_once():
    """compiler/exits.py is the one place an exit code is named; the commands return its names."""
    import re

    owners = []
    for package in ("compiler", "operations", "review", "mplat", "newcomer"):
        for path in sorted((ROOT / package).rglob("*.py")):
            text = path.read_text()
            if re.search(r"^\s*EXIT_[A-Z]+\s*(,\s*EXIT_[A-Z]+\s*)*=", text, re.M):
                owners.append(path.relative_to(ROOT).as_posix())
            if package in ("operations", "review", "mplat"):
                assert not re.search(r"^\s*return [0-3]$", text, re.M), path
    assert owners == ["compiler/exits.py"]
