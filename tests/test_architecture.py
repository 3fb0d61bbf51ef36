"""The layering in DEVELOPERS.md, enforced.

``model``/``errors`` ← ``store`` ← core packages (layered among themselves)
← ``services`` ← front ends (``cli``, ``tui``, independent of each other).
The contracts live in ``pyproject.toml`` (``[tool.importlinter]``) and run
here through import-linter; import cycles between modules (imports inside
functions count) fail too; importing the store or the CLI loads no heavy
library (checked in a fresh interpreter).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "qualcode"


def test_import_contracts_are_kept():
    pytest.importorskip("importlinter")
    code = (
        "import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports('pyproject.toml', no_cache=True, no_logo=True))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, modules: set[str], package: Path = PACKAGE) -> set[str]:
    """The package's modules ``path`` imports anywhere, outside ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for n in ast.walk(node)
    }
    name, found = module_name(path, package), set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            found |= {base} | {f"{base}.{a.name}" for a in node.names}
    return {m for m in found if m in modules and m != name}


def import_cycles(package: Path) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), like ``shared/tools/import_cycles.py``."""
    files = {module_name(p, package): p for p in package.rglob("*.py")}
    graph = {m: imported_modules(p, set(files), package) for m, p in files.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while (w := stack.pop()) != v:
                group.append(w)
            if group:
                cycles.append(sorted([v, *group]))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in graph:
        if v not in index:
            visit(v)
    return cycles


def test_no_import_cycles_between_modules():
    assert import_cycles(PACKAGE) == []


def test_the_cycle_finder_sees_a_cycle(tmp_path):
    # Guards the test above against silently checking nothing.
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg import b\n")
    (pkg / "b.py").write_text("def f():\n    from pkg.a import x\n")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n")
    (pkg / "d.py").write_text("from .c import y\n")
    assert import_cycles(pkg) == [["pkg.a", "pkg.b"]]


def loaded_after(statement: str) -> set[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {m.split(".")[0] for m in json.loads(out.stdout)}


@pytest.mark.parametrize(
    ("statement", "forbidden"),
    [
        # (sqlite-utils imports pandas when it is installed: the store hides it while sqlite-utils loads.)
        ("import qualcode.store", {"spacy", "bertopic", "textual", "sklearn", "torch", "pandas"}),
        ("import qualcode.cli.main", {"spacy", "bertopic", "textual", "sklearn", "torch", "matplotlib", "pandas"}),
    ],
)
def test_light_imports_in_a_fresh_interpreter(statement, forbidden):
    loaded = loaded_after(statement)
    assert "qualcode" in loaded
    assert loaded & forbidden == set()


def test_test_modules_import_no_other_test_module():
    # Shared builders are conftest fixtures; a test module importing another couples their lifetimes.
    tests = ROOT / "tests"
    found = []
    for path in tests.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            found += [
                f"{path.relative_to(tests)}: {n}"
                for n in names
                if n.split(".")[-1] in ("conftest", "helpers") or n.split(".")[-1].startswith("test_")
            ]
    assert found == []
