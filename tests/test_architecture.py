"""The layering in DEVELOPERS.md, enforced.

``model`` ← ``store`` ← core (``text``, ``ingest``, ``codebook``, ``analysis``,
``themes``, ``autotag``, ``export`` …) ← front ends (``cli``, ``tui``).
Nothing imports to its right; the core never imports Textual; importing the
store or the CLI loads no heavy library (checked in a fresh interpreter).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "qualcode"
LAYERS = {
    "model": 0,
    "errors": 0,
    "store": 1,
    "cli": 3,
    "tui": 3,
}
CORE = 2  # every other module or package of qualcode


def layer(module: str) -> int:
    parts = module.split(".")
    if parts[0] != "qualcode" or len(parts) == 1:
        return -1
    return LAYERS.get(parts[1], CORE)


def imports_of(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def test_nothing_imports_to_its_right():
    violations = []
    for path in sorted(PACKAGE.rglob("*.py")):
        mod = module_name(path)
        here = layer(mod)
        for target, line in imports_of(path):
            there = layer(target)
            if there > here:
                violations.append(f"{path.relative_to(PACKAGE.parent)}:{line} {mod} -> {target}")
            if target.split(".")[0] == "textual" and here < 3:
                violations.append(f"{path.relative_to(PACKAGE.parent)}:{line} core imports textual")
    assert violations == []


def test_the_layer_map_sees_real_modules():
    # Guards the test above against silently checking nothing.
    assert layer("qualcode.store.project") == 1
    assert layer("qualcode.cli.main") == 3
    assert layer("qualcode.text") == CORE
    assert layer("qualcode.model") == 0
    assert any(imports_of(p) for p in PACKAGE.rglob("*.py"))


def loaded_after(statement: str) -> set[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {m.split(".")[0] for m in json.loads(out.stdout)}


@pytest.mark.parametrize(
    ("statement", "forbidden"),
    [
        # (sqlite-utils itself imports pandas when it is installed, so pandas is not listed.)
        ("import qualcode.store", {"spacy", "bertopic", "textual", "sklearn", "torch"}),
        ("import qualcode.cli.main", {"spacy", "bertopic", "textual", "sklearn", "torch", "matplotlib"}),
    ],
)
def test_light_imports_in_a_fresh_interpreter(statement, forbidden):
    loaded = loaded_after(statement)
    assert "qualcode" in loaded
    assert loaded & forbidden == set()
