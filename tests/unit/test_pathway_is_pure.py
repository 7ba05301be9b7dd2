"""The clinical domain is pure (ARCHITECTURE): no database, scheduler, web or application code."""

import ast
from pathlib import Path

import pytest

import pathway

FORBIDDEN = {
    "persistence",
    "scheduler",
    "ildpath",
    "sqlalchemy",
    "sqlmodel",
    "apscheduler",
    "fastapi",
}
SOURCES = sorted(Path(pathway.__file__).parent.rglob("*.py"))


def imported_roots(source: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"), str(source))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_pathway_package_has_modules_to_check():
    names = {p.name for p in SOURCES}

    assert {"evaluation.py", "machine.py", "safety.py", "policy.py"} <= names


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_pathway_module_imports_no_infrastructure(source):
    assert imported_roots(source) & FORBIDDEN == set()
