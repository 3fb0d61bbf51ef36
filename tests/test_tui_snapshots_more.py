"""Snapshot tests of the Themes, Review and Tables screens (F5-F7).

Deterministic: fixed projects, a seeded theme run made before the app
starts (no clock shown), cursor blinking off. Update after an intended
change with ``pytest tests/test_tui_snapshots_more.py --snapshot-update``.
"""

from __future__ import annotations

import pytest

pytest.importorskip("pytest_textual_snapshot")

from test_themes_corpus import build  # noqa: E402
from test_tui_flows import SIZE  # noqa: E402
from test_tui_review import build_review_project  # noqa: E402
from test_tui_tables import build_tables_project  # noqa: E402


@pytest.fixture(autouse=True)
def coder(monkeypatch):
    monkeypatch.setenv("QUALCODE_CODER", "tester")


def _app(path):
    from qualcode.tui import make_app

    return make_app(path, blink=False, coder="tester")


def test_themes(snap_compare, tmp_path):
    from qualcode.store import open_project
    from qualcode.themes import SuggestParams, suggest

    path = tmp_path / "themes.db"
    with open_project(path) as project:
        build(project)
        suggest(project, SuggestParams(topics=3, seed=0))
    assert snap_compare(_app(path), press=["f5", "down"], terminal_size=SIZE)


def test_review(snap_compare, tmp_path):
    app = _app(build_review_project(tmp_path / "study.db"))
    assert snap_compare(app, press=["f6", "down"], terminal_size=SIZE)


def test_tables(snap_compare, tmp_path):
    app = _app(build_tables_project(tmp_path / "study.db"))
    assert snap_compare(app, press=["f7", "g", "down", "down"], terminal_size=SIZE)
