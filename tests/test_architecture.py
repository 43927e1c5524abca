"""The house: stage folders import each other without cycles, plugins use the documented API."""

from __future__ import annotations

import ast
from pathlib import Path

import cchc_pipeline

PACKAGE = Path(cchc_pipeline.__file__).resolve().parent
REPO = Path(__file__).resolve().parent.parent
STAGES = ("intake", "checks", "render", "publish", "workflow")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """The package's modules that ``path`` imports at module level (not inside functions)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("cchc_pipeline"):
                continue
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in MODULES else target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("cchc_pipeline"))
    return {m for m in found if m in MODULES and m != name}


MODULES = {
    _module_name(p): p
    for p in PACKAGE.rglob("*.py")
    if "_shipped" not in p.relative_to(PACKAGE).parts
}


def test_stage_folders_exist_and_import() -> None:
    import importlib

    for stage in STAGES:
        assert (PACKAGE / stage / "__init__.py").is_file()
        importlib.import_module(f"cchc_pipeline.{stage}")


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph as a list of nodes (first repeated last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for name in sorted(graph):
        if name not in state and (cycle := visit(name)):
            return cycle
    return None


def test_no_import_cycle() -> None:
    cycle = find_cycle({name: _imports(path) for name, path in MODULES.items()})
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_cycle_detector_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


DOCUMENTED = {
    "cchc_pipeline",
    "cchc_pipeline.department",
    "cchc_pipeline.catalogue",
    "cchc_pipeline.testing",
    "cchc_pipeline.intake.narrative",
    "cchc_pipeline.intake.nominations",
    "cchc_pipeline.intake.textfiles",
    "cchc_pipeline.intake.yearly",
}


def test_shipped_plugins_import_only_the_documented_api() -> None:
    for path in sorted((REPO / "plugins").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cchc_pipeline"):
                assert node.module in DOCUMENTED, f"{path}: {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("cchc_pipeline"):
                        assert alias.name in DOCUMENTED, f"{path}: {alias.name}"
