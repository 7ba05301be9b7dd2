"""The pathway's modules as source: their names, syntax trees, and which of them the daily
judgement runs (what `pathway.evaluation` imports, directly or not)."""

import ast
from functools import cache
from pathlib import Path

import pathway

ROOT = Path(pathway.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_path(name: str) -> Path | None:
    base = ROOT.parent.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


ALL = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


@cache
def tree(name: str) -> ast.Module:
    path = ALL[name]
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def _package(name: str) -> list[str]:
    is_package = ALL[name].name == "__init__.py"
    return name.split(".") if is_package else name.split(".")[:-1]


def imported(name: str) -> set[str]:
    """The pathway modules ``name`` imports (``from .x import y`` names module x, or module
    x.y when y is one)."""
    found: set[str] = set()
    for node in ast.walk(tree(name)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _package(name)[: len(_package(name)) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            targets = [module, *(f"{module}.{alias.name}" for alias in node.names)]
        else:
            continue
        found |= {t for t in targets if t in ALL}
    return found


def reached_from(start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += imported(name) - seen
    return seen
