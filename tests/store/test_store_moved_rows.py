"""Bulk deletes moved into ``moved_rows`` in SQL: exact values back on undo; the FTS trigger swap in bulk_index."""

from __future__ import annotations

import json

from qualcode.model import ParsedDocument
from qualcode.store import NewCoding
from qualcode.store.fts import bulk_index

FLOATS = [0.1 + 0.2, 1e-310, 2 / 3, None, 1.0]


def _codings(project):
    return project.query("SELECT * FROM codings ORDER BY id")


def test_a_bulk_delete_is_moved_and_undo_brings_back_every_value_exactly(project):
    project.documents.add(ParsedDocument(name="d", kind="other", text="one two three four five", sha256="s"))
    doc = project.documents.find("d")
    code = project.codes.add("C")
    items = [
        NewCoding(code.id, doc.id, i, i + 3, origin="auto", confidence=c, method="m") for i, c in enumerate(FLOATS)
    ]
    done = project.codings.add_many(items)
    project.memos.add("coding", done.ids[0], "on the first coding")
    before = _codings(project)
    assert [r["confidence"] for r in before] == FLOATS

    project.codings.remove_many(done.ids)
    changes = json.loads(project.query("SELECT changes FROM events ORDER BY id DESC LIMIT 1")[0]["changes"])
    assert [c[0] for c in changes] == ["m", "m"] and [c[1] for c in changes] == ["memos", "codings"]
    assert _codings(project) == [] and project.memos.all() == []

    project.history.undo()
    after = _codings(project)
    assert after == before
    assert [repr(r["confidence"]) for r in after] == [repr(c) for c in FLOATS]  # bit for bit, not 15 digits
    assert [m.text for m in project.memos.all()] == ["on the first coding"]
    project.history.redo()
    assert _codings(project) == [] and project.memos.all() == []
    project.history.undo()
    assert _codings(project) == before


def test_an_action_that_deletes_nothing_leaves_no_event(project):
    n = project.query("SELECT count(*) AS n FROM events")[0]["n"]
    with project.action("nothing", "delete nothing") as act:
        assert act.delete_where("codings", "id < 0") == 0
    assert project.query("SELECT count(*) AS n FROM events")[0]["n"] == n


def test_bulk_index_swaps_the_insert_trigger_and_leaves_others_alone(project):
    conn = project.db.conn
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall()
    with project.db.atomic(), bulk_index(conn, "turns") as index:
        assert "turns_ai" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        index("id < 0", [])
    assert (
        conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall() == triggers
    )

    # A trigger of another shape (two statements) is not touched, and index() does nothing.
    with project.db.atomic():
        conn.execute("DROP TRIGGER turns_ai")
        conn.execute(
            "CREATE TRIGGER turns_ai AFTER INSERT ON turns BEGIN"
            " INSERT INTO turns_fts (rowid, text, speaker) VALUES (new.rowid, new.text, new.speaker);"
            " UPDATE turns SET speaker = speaker WHERE 0; END"
        )
    other = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'turns_ai'").fetchone()
    with project.db.atomic(), bulk_index(conn, "turns") as index:
        assert conn.execute("SELECT sql FROM sqlite_master WHERE name = 'turns_ai'").fetchone() == other
        index("id > 0", [])
    project.documents.add(ParsedDocument(name="e", kind="other", text="zebra crossing", sha256="z"))
    assert len(project.search("zebra")) == 1  # indexed once, by the trigger
