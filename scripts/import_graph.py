"""Print the package's import graph: which parts of thidua import which, at module level and
hidden inside functions, the cycles among the parts, and the modules that cannot be imported
first in a fresh interpreter.

    .venv/bin/python scripts/import_graph.py            # the whole report
    .venv/bin/python scripts/import_graph.py --no-alone # skip the (slower) fresh-interpreter check

A "part" is a subpackage (thidua.review) or a top-level module (thidua.workflow). An edge A -> B
means some module of A imports some module of B when it is imported (module level) or only when
one of its functions runs (deferred).
"""
from __future__ import annotations

import argparse
import ast
import subprocess
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "thidua"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def part_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def imports_of(path: Path) -> tuple[set[str], set[str]]:
    """The thidua modules a file imports at module level, and those it imports inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    this = module_name(path)
    is_package = path.name == "__init__.py"
    top: set[str] = set()
    deferred: set[str] = set()

    def targets(node: ast.AST) -> list[str]:
        if isinstance(node, ast.Import):
            return [alias.name for alias in node.names]
        assert isinstance(node, ast.ImportFrom)
        if node.level:
            base = this.split(".") if is_package else this.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            module = ".".join(base + ([node.module] if node.module else []))
        else:
            module = node.module or ""
        found = [module]
        for alias in node.names:  # `from thidua.review import services` imports a module
            if (PACKAGE.joinpath(*module.split(".")[1:], alias.name + ".py")).exists():
                found.append(f"{module}.{alias.name}")
        return found

    def visit(node: ast.AST, inside_function: bool, type_checking: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for grandchild in child.body:
                    visit(ast.Module(body=[grandchild], type_ignores=[]), inside_function, True)
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)) and not type_checking:
                for name in targets(child):
                    if name == "thidua" or name.startswith("thidua."):
                        (deferred if inside_function else top).add(name)
            visit(child, inside_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)),
                  type_checking)

    visit(tree, False, False)
    return top, deferred


def count_deferred(path: Path) -> int:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    count = 0
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("thidua")):
                    count += 1
                elif isinstance(node, ast.Import) and any(a.name.startswith("thidua") for a in node.names):
                    count += 1
    return count


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def connect(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def cannot_import_alone(modules: list[str]) -> list[tuple[str, str]]:
    def attempt(module: str) -> tuple[str, str] | None:
        result = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True,
                                text=True)
        if result.returncode:
            last = (result.stderr.strip().splitlines() or ["?"])[-1]
            return module, last
        return None

    with ThreadPoolExecutor(max_workers=4) as pool:
        return sorted(filter(None, pool.map(attempt, modules)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-alone", action="store_true", help="skip importing each module in a fresh interpreter")
    args = parser.parse_args()

    files = sorted(PACKAGE.rglob("*.py"))
    modules = [module_name(path) for path in files]
    top_edges: dict[str, set[str]] = defaultdict(set)
    deferred_edges: dict[str, set[str]] = defaultdict(set)
    module_graph: dict[str, set[str]] = defaultdict(set)
    deferred_total = 0
    for path in files:
        this = module_name(path)
        top, deferred = imports_of(path)
        deferred_total += count_deferred(path)
        module_graph[this] |= {name for name in top if name in modules and name != this}
        for name in top:
            if part_of(name) != part_of(this):
                top_edges[part_of(this)].add(part_of(name))
        for name in deferred - top:
            if part_of(name) != part_of(this) and part_of(name) not in top_edges[part_of(this)]:
                deferred_edges[part_of(this)].add(part_of(name))

    parts = sorted({part_of(m) for m in modules if m != "thidua"})
    print(f"{len(modules)} modules in {len(parts)} parts; {deferred_total} imports of thidua inside functions\n")
    print("Imports at module level (part -> the parts it imports; '(+ ...)' imported only inside functions):")
    for part in parts:
        out = sorted(top_edges.get(part, set()) - {"thidua"})
        later = sorted(deferred_edges.get(part, set()) - {"thidua"} - set(out))
        short = lambda names: ", ".join(n.removeprefix("thidua.") for n in names)  # noqa: E731
        line = f"  {part.removeprefix('thidua.'):<14} -> {short(out) or '-'}"
        if later:
            line += f"   (+ {short(later)})"
        print(line)

    part_graph = {p: {q for q in top_edges.get(p, set()) if q != "thidua"} for p in parts}
    cycles = strongly_connected(part_graph)
    print(f"\nCycles among parts at module level: {len(cycles)}")
    for component in cycles:
        print("  " + " <-> ".join(c.removeprefix("thidua.") for c in component))
    module_cycles = strongly_connected(module_graph)
    print(f"Cycles among modules at module level: {len(module_cycles)}"
          + (f" (largest: {max(len(c) for c in module_cycles)} modules)" if module_cycles else ""))

    if not args.no_alone:
        failures = cannot_import_alone(modules)
        print(f"\nModules that cannot be imported first in a fresh interpreter: {len(failures)} of {len(modules)}")
        for module, error in failures:
            print(f"  {module}: {error[:110]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
