"""The import layers of the product, function-local imports included: `python -m dev.layers`.

Rules (docs/architecture.md): the domain imports nothing of Freigabe outside the domain;
services import no adapter and no HTTP or web code; adapters, routes and services never import
the composition root (the entry layer does: app.py, chalicelib/handlers, the audit command);
nothing imports `app`; and no two modules import each other, however indirectly. Exit status 1
when any rule is broken.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

LAYERED = ("domain", "services", "adapters", "http", "web", "handlers")
ROOT_MODULE = "chalicelib.bootstrap"


def module_of(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the project modules it imports anywhere in its body."""
    files = [root / "app.py", *sorted((root / "chalicelib").rglob("*.py"))]
    modules = {module_of(root, f): f for f in files if f.exists()}

    def resolve(name: str) -> str | None:
        while name:
            if name in modules:
                return name
            name = name.rpartition(".")[0]
        return None

    edges: dict[str, set[str]] = {m: set() for m in modules}
    for mod, path in modules.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")
                    up = up[: len(up) - (node.level - 1)] if node.level > 1 else up
                    base = ".".join(up + ([base] if base else []))
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            for target in targets:
                found = resolve(target)
                if found and found != mod:
                    edges[mod].add(found)
    return edges


def layer(module: str) -> str:
    parts = module.split(".")
    if module == "app":
        return "entry"
    if len(parts) > 1 and parts[0] == "chalicelib" and parts[1] in LAYERED:
        return parts[1]
    return "other"


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in edges:
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
                    work.append((child, iter(sorted(edges[child]))))
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


def problems(root: Path) -> list[str]:
    edges = import_graph(root)
    said = []
    for module, targets in sorted(edges.items()):
        for target in sorted(targets):
            source_layer, target_layer = layer(module), layer(target)
            if target == "app":
                said.append(f"{module} imports app")
            if source_layer == "domain" and target_layer != "domain":
                said.append(f"domain imports outside the domain: {module} -> {target}")
            if source_layer == "services" and target_layer in ("adapters", "http", "web", "handlers"):
                said.append(f"service imports an outer layer: {module} -> {target}")
            if target == ROOT_MODULE and source_layer in ("domain", "services", "adapters", "http",
                                                          "web"):
                said.append(f"reaches into the composition root: {module} -> {target}")
    said += ["import circle: " + " <-> ".join(c) for c in circles(edges)]
    return said


def main() -> int:
    root = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]
    said = problems(root)
    for line in said:
        print(line)
    print(f"{len(said)} layer rules broken" if said else "layers hold")
    return 1 if said else 0


if __name__ == "__main__":
    sys.exit(main())
