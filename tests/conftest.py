"""Shared fixtures: a fresh project, the shared corpora, the demo study."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("QUALCODE_SHARED", ROOT.parent / "shared"))


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A new, empty project in a temporary folder."""
    from qualcode.store import open_project

    monkeypatch.setenv("QUALCODE_CODER", "tester")
    proj = open_project(tmp_path / "study.db")
    yield proj
    proj.close()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` (read-only third-party corpora); skips when absent."""
    if not (SHARED / "corpora").is_dir():
        pytest.skip(f"shared corpora not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def corpora_dir(shared_dir) -> Path:
    return shared_dir / "corpora"


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    """The demo study shipped in ``corpora/demo``."""
    return ROOT / "corpora" / "demo"


@pytest.fixture(scope="session")
def codebooks_dir() -> Path:
    return ROOT / "codebooks"
