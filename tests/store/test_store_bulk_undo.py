"""Bulk writes (survey import, batch coding) logged as id ranges: undo, redo, same results."""

from __future__ import annotations

import hashlib
import json

import pytest

from qualcode.coding_batch import apply_batch
from qualcode.ingest import ImportOptions, import_paths
from qualcode.ingest.importer import _keyed, _sha
from qualcode.store import NewCoding, open_project

SURVEY_OPTS = ImportOptions(survey=True, id_column="rid", text_columns=("answer",))


def _survey(path, n=30):
    lines = ["rid,region,answer"]
    for i in range(n):
        answer = f"The bus to ward {i} is late again, price {i * 0.1:.1f}" if i % 7 else ""
        lines.append(f'R{i:03d},{"North" if i % 2 else "South"},"{answer}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _dump(project, table):
    return project.query(f"SELECT * FROM [{table}] ORDER BY id")


def test_bulk_import_is_logged_as_ranges_and_undo_redo_restore_it(project, tmp_path):
    csv = _survey(tmp_path / "s.csv")
    [res] = import_paths(project, [csv], SURVEY_OPTS)
    assert res.status == "imported" and len(res.documents) == 30 - 5  # rows 0, 7, 14, 21, 28 are blank
    before = {t: _dump(project, t) for t in ("documents", "turns", "participants")}
    assert len(before["participants"]) == 30  # blank answers still make respondents
    ev = project.query("SELECT changes FROM events WHERE state = 'done' ORDER BY id DESC LIMIT 1")[0]
    changes = json.loads(ev["changes"])
    assert {c[0] for c in changes} == {"r"}
    assert {c[1] for c in changes} == {"documents", "participants", "turns"}
    assert len(changes) == 3  # respondents (with or without an answer, in row order), documents, turns
    assert "bus to ward" not in ev["changes"]  # no row copied into the log
    hits = len(project.search("ward"))

    project.history.undo()
    for t in before:
        assert _dump(project, t) == []
    assert project.search("ward") == []
    project.history.redo()
    for t, rows in before.items():
        assert _dump(project, t) == rows
    assert len(project.search("ward")) == hits > 0
    assert project.query("SELECT count(*) AS n FROM undone_rows")[0]["n"] == 0
    assert project.query("SELECT count(*) AS n FROM moved_rows")[0]["n"] == 0


def test_reimport_of_the_same_survey_is_skipped_and_replace_replaces(project, tmp_path):
    csv = _survey(tmp_path / "s.csv")
    import_paths(project, [csv], SURVEY_OPTS)
    ids = [d["id"] for d in _dump(project, "documents")]
    [again] = import_paths(project, [csv], SURVEY_OPTS)
    assert again.status == "skipped"
    [rep] = import_paths(
        project, [csv], ImportOptions(survey=True, id_column="rid", text_columns=("answer",), replace=True)
    )
    assert rep.status == "replaced"
    assert len(_dump(project, "documents")) == len(ids)
    assert len(_dump(project, "participants")) == 30


def test_keyed_digest_equals_hashing_the_whole_file_again():
    data = b"rid,answer\nR1,hello\n" * 50
    base = hashlib.sha256(data)
    for key in ("R1", "R1 \u00b7 answer", None):
        assert _keyed(base, key) == _sha(data, key)
    assert base.hexdigest() == _sha(data)  # the copy left the file digest untouched


def test_ensure_many_gives_what_ensure_in_order_gives(tmp_path):
    calls = [
        ("Ana", {"region": "North", "age": ""}),
        ("Ben", None),
        ("Ana", {"age": "35", "region": ""}),  # blank never overwrites; new value fills a blank
        ("Cy", {"x": "1"}),
        ("Ben", {"x": "2"}),
        ("Ana", {"region": "South"}),
        ("ANA ", {"x": "3"}),  # the same person, case and spaces aside
        ("ben", None),
        ("Interview 1 \u00b7 Interviewee", {"a": "1"}),
        ("INTERVIEW 1 \u00b7 Interviewee", {"a": "2"}),  # document-scoped names match exactly: another person
        ("Émile", None),
        ("ÉMILE", {"y": "1"}),  # beyond ASCII too
    ]
    with open_project(tmp_path / "a.db") as one, open_project(tmp_path / "b.db") as many:
        one.participants.ensure("Ben", {"pre": "yes"})
        many.participants.ensure("Ben", {"pre": "yes"})
        for name, attrs in calls:
            one.participants.ensure(name, attrs)
        ids = many.participants.ensure_many(calls)
        assert _dump(one, "participants") == _dump(many, "participants")
        by_name = {p.name: p.id for p in many.participants.all()}
        assert {n: ids[n] for n in by_name} == by_name
        assert ids["ANA"] == ids["Ana"] and ids["ben"] == ids["Ben"] and ids["ÉMILE"] == ids["Émile"]


def test_batch_coding_undo_redo_and_what_add_many_returns(project, tmp_path):
    import_paths(project, [_survey(tmp_path / "s.csv")], SURVEY_OPTS)
    names = [d["name"] for d in _dump(project, "documents")]
    rows = ["document,code,coder"]
    for i, name in enumerate(names):
        rows += [f"{name},Themes/bus,alice", f"{name},Themes/{'price' if i % 2 else 'bus'},bob"]
    rows.append(f"{names[0]},Themes/bus,alice")  # a duplicate within the file
    batch = tmp_path / "batch.csv"
    batch.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = apply_batch(project, batch, create_codes=True)
    assert (result.rows, result.added, result.duplicates, result.codes_created) == (51, 50, 1, 2)
    before = _dump(project, "codings")
    assert len(before) == 50
    project.history.undo()
    assert _dump(project, "codings") == []
    project.history.redo()
    assert _dump(project, "codings") == before

    doc = project.documents.find(names[0])
    bus = project.codes.resolve("Themes/bus").id
    done = project.codings.add_many(
        [
            NewCoding(bus, doc.id, 0, 3, coder="alice"),  # new
            NewCoding(bus, doc.id, 0, len(doc.text), coder="alice"),  # already there
            NewCoding(bus, doc.id, 0, 3, coder="alice"),  # repeated in this batch
        ]
    )
    assert len(done.added) == 1 and done.duplicates == 2
    new = done.added[0]
    assert (new.start, new.end, new.coder, new.status, new.origin) == (0, 3, "alice", "confirmed", "manual")
    assert project.codings.get(new.id) == new
    assert done.ids == [new.id, before[0]["id"], new.id] and list(done) == done.ids


def test_a_new_action_after_undo_drops_the_kept_rows(project, tmp_path):
    import_paths(project, [_survey(tmp_path / "s.csv")], SURVEY_OPTS)
    project.history.undo()
    assert project.query("SELECT count(*) AS n FROM moved_rows")[0]["n"] > 0
    project.codes.add("New")
    assert project.query("SELECT count(*) AS n FROM moved_rows")[0]["n"] == 0
    assert not project.history.can_redo()


def test_event_rows_written_row_by_row_still_undo_and_redo(project):
    """Projects written before id ranges carry ["i", table, id, row] changes."""
    with project.db.atomic():
        project.db.execute("INSERT INTO codes (id, name) VALUES (7, 'Old')")
        project.db.execute(
            "INSERT INTO events (action, summary, actor, created_at, state, changes) VALUES (?, ?, ?, ?, ?, ?)",
            ["code", "old-style", "tester", "2025", "done", json.dumps([["i", "codes", 7, {"id": 7, "name": "Old"}]])],
        )
    project.history.undo()
    assert project.codes.all() == []
    project.history.redo()
    assert [c.name for c in project.codes.all()] == ["Old"]


@pytest.mark.parametrize("n", [1, 3])
def test_documents_add_many_statuses(project, n):
    from qualcode.model import ParsedDocument

    docs = [ParsedDocument(name=f"d{i}", kind="other", text=f"text {i}", sha256=f"s{i}") for i in range(n)]
    assert project.documents.add_many(docs) == ["imported"] * n
    assert project.documents.add_many(docs) == ["skipped"] * n
    assert [t.start for t in project.documents.turns(project.documents.find("d0").id)] == [0]
