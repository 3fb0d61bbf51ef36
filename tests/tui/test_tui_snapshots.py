"""Snapshot tests of the workbench's main screens (pytest-textual-snapshot).

Deterministic by construction: a fixed project, a fixed coder, no clock in
the header, cursor blinking off. Update after an intended change with
``pytest tests/test_tui_snapshots.py --snapshot-update`` and review the SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytest_textual_snapshot")


@pytest.fixture
def app(tmp_path, monkeypatch, build_flows_project):
    from qualcode.store import open_project
    from qualcode.tui import make_app

    monkeypatch.setenv("QUALCODE_CODER", "tester")
    db = build_flows_project(tmp_path / "study.db")
    with open_project(db) as p:
        doc = p.documents.resolve("interview_a")
        start = doc.text.index("It took")
        p.codings.apply(doc.id, start, start + 34, ["Timeliness"], coder="tester")
        p.codings.apply(doc.id, start + 8, start + 60, ["Quality"], coder="tester")  # overlaps
        scores = doc.text.index("Scores")
        p.codings.apply(doc.id, scores, scores + 41, ["Burden"], coder="tester")
        turn = p.documents.turn_at(doc.id, scores)
        p.memos.add("turn", turn.id, "ask about moderation", author="tester")
    return make_app(Path(db), coder="tester")


def test_home(snap_compare, app, screen_size):
    assert snap_compare(app, terminal_size=screen_size)


def test_document_with_codings(snap_compare, app, screen_size):
    assert snap_compare(app, press=[*"view_a", "enter", "]", "w", "w"], terminal_size=screen_size)


def test_codebook(snap_compare, app, screen_size):
    assert snap_compare(app, press=["f3", "down", "down"], terminal_size=screen_size)


def test_help(snap_compare, app, screen_size):
    assert snap_compare(app, press=["f1"], terminal_size=screen_size)
