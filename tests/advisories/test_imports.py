"""The advisories package imports at the top of its modules only: no import hides a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import fixright.advisories

PACKAGE = Path(fixright.advisories.__file__).parent


def _late_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    late = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            late += [f"{path.name}:{inner.lineno}" for inner in ast.walk(node)
                     if isinstance(inner, ast.Import | ast.ImportFrom)]
    return late


def test_no_import_inside_a_function() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 10
    assert [where for path in files for where in _late_imports(path)] == []


def test_planning_builds_on_the_index_and_the_index_not_on_planning() -> None:
    def imported(name: str) -> set[str]:
        tree = ast.parse((PACKAGE / name).read_text())
        return {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}

    assert "fixright.advisories.index" in imported("planning.py")
    assert not imported("index.py") & {"fixright.advisories.planning", "fixright.advisories.results"}
    assert not {m for m in imported("results.py") if m.startswith("fixright.advisories")}
