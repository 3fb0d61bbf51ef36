"""Undo/redo through the event log: linear, persistent, audited."""

from __future__ import annotations

import pytest

from qualcode.errors import NothingToUndoError
from qualcode.store import open_project


def test_undo_redo_survive_reopening(tmp_path, transcript):
    path = tmp_path / "p.db"
    with open_project(path) as p:
        p.documents.add(transcript("d", [("Ana", "some words")]))
        p.codes.add("X")
        p.codings.apply("d", 5, 9, ["X"])
    with open_project(path) as p:
        assert p.history.undo().action == "code"
        assert p.codings.all() == []
    with open_project(path) as p:
        p.history.redo()
        assert len(p.codings.all()) == 1


def test_new_action_discards_redo_stack(project):
    project.codes.add("A")
    project.history.undo()
    project.codes.add("B")
    with pytest.raises(NothingToUndoError):
        project.history.redo()
    assert [c.name for c in project.codes.all()] == ["B"]


def test_undo_everything_returns_to_empty_project(project, transcript):
    project.documents.add(transcript("d", [("Ana", "x y z")], participants={"Ana": {"org": "SME"}}))
    project.codes.ensure_path("T > C", keywords=["x"])
    project.codings.apply("d", 5, 6, ["C"])
    project.memos.add("document", project.documents.find("d").id, "note")
    while project.history.can_undo():
        project.history.undo()
    for table in ("documents", "turns", "participants", "codes", "codings", "memos"):
        assert project.query(f"SELECT count(*) AS n FROM {table}")[0]["n"] == 0, table
    assert project.search("x") == []  # the FTS index follows
    while project.history.can_redo():
        project.history.redo()
    assert project.search("x")[0].document == "d"
    assert len(project.codings.all()) == 1


def test_events_are_an_audit_trail(project):
    project.codes.add("A")
    project.history.undo()
    actions = [e.action for e in project.history.events()]
    assert actions == ["undo", "code-add"]
    assert project.history.events()[1].state == "undone"
