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


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch):
    """Text cursors do not blink in tests, so screenshots and timings are steady.

    Why here and not in the app: blinking is a property of Textual's widgets;
    the switch flips their default for the test session instead of threading a
    test-only flag through every screen.
    """
    try:
        from textual.widgets import Input, TextArea
    except ImportError:  # pragma: no cover - Textual is a dependency
        return
    for widget in (Input, TextArea):
        monkeypatch.setattr(widget.__dict__["cursor_blink"], "_default", False)


class Notices(list):
    """The notifications an app showed, collected through ``run_test(message_hook=...)``."""

    def hook(self, message) -> None:
        from textual.notifications import Notify

        if isinstance(message, Notify):
            self.append(message.notification.message)


@pytest.fixture
def notices() -> Notices:
    """Pass ``message_hook=notices.hook`` to ``app.run_test``; read the notifications' texts."""
    return Notices()


@pytest.fixture(scope="session")
def copy_db():
    """A builder: ``copy_db(src, target)`` copies a project file (WAL included) and returns ``target``."""
    import sqlite3

    def copy(src: Path, target: Path) -> Path:
        source, dest = sqlite3.connect(src), sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            source.close()
            dest.close()
        return target

    return copy


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo study, built once per test process. Read only: take a ``demo_copy`` to change it."""
    from qualcode.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(path)
    return path


@pytest.fixture
def demo_copy(demo_db, copy_db, tmp_path) -> Path:
    """A private copy of the demo study, free to change."""
    return copy_db(demo_db, tmp_path / "demo.db")
