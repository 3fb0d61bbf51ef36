"""Snapshot tests of the Themes, Review and Tables screens (F5-F7).

Deterministic: fixed projects, a seeded theme run made before the app
starts (no clock shown), cursor blinking off. Update after an intended
change with ``pytest tests/test_tui_snapshots_more.py --snapshot-update``.
"""

from __future__ import annotations

import pytest

pytest.importorskip("pytest_textual_snapshot")


@pytest.fixture(autouse=True)
def coder(monkeypatch):
    monkeypatch.setenv("QUALCODE_CODER", "tester")


def test_themes(snap_compare, tmp_path, build_themes, screen_size, workbench):
    from qualcode.store import open_project
    from qualcode.themes import SuggestParams, suggest

    path = tmp_path / "themes.db"
    with open_project(path) as project:
        build_themes(project)
        suggest(project, SuggestParams(topics=3, seed=0))
    assert snap_compare(workbench(path), press=["f5", "down"], terminal_size=screen_size)


def test_review(snap_compare, tmp_path, build_review_project, screen_size, workbench):
    app = workbench(build_review_project(tmp_path / "study.db"))
    assert snap_compare(app, press=["f6", "down"], terminal_size=screen_size)


def test_tables(snap_compare, tmp_path, build_tables_project, screen_size, workbench):
    app = workbench(build_tables_project(tmp_path / "study.db"))

    async def counted(pilot):  # the table is counted in a worker: wait for it after each change
        for key in ("f7", "g"):
            await pilot.press(key)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

    assert snap_compare(app, run_before=counted, press=["down", "down"], terminal_size=screen_size)
