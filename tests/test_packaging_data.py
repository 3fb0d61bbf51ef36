"""Every non-Python file inside the package is shipped in the wheel.

Why: the wheel carries only files matched by ``package-data`` in
pyproject.toml; a new stylesheet or data file that no pattern matches works
from a checkout and breaks once installed. ``make test-install`` catches it
slowly; this catches it in a second.
"""

from __future__ import annotations

import tomllib
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "qualcode"


def test_package_data_patterns_cover_every_data_file():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["qualcode"]
    data = [
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    ]
    assert "tui/styles/app.tcss" in data and "data/demo/participants.csv" in data
    unshipped = [f for f in data if not any(_glob(f, pat) for pat in patterns)]
    assert unshipped == []


def _glob(path: str, pattern: str) -> bool:
    """setuptools' package-data glob: ``*`` never crosses a ``/``."""
    return len(PurePosixPath(path).parts) == len(PurePosixPath(pattern).parts) and PurePosixPath(path).match(pattern)


def test_glob_is_as_strict_as_setuptools():
    assert _glob("data/demo/a.csv", "data/demo/*") and not _glob("data/demo/sub/a.csv", "data/demo/*")
    assert not _glob("x/data/demo/a.csv", "data/demo/*") and not _glob("tui/styles/app.tcss", "tui/*.tcss")


def test_checkout_links_resolve_into_the_package():
    assert (ROOT / "corpora" / "demo").is_symlink()
    assert (ROOT / "corpora" / "demo").resolve() == (PACKAGE / "data" / "demo").resolve()
    assert (ROOT / "codebooks" / "social_value.yaml").resolve() == (
        PACKAGE / "data" / "codebooks" / "social_value.yaml"
    )
