"""Streaming import and batch coding: memory that does not grow with the rows, all or nothing, exact undo."""

from __future__ import annotations

import csv
import gc
import json
import tracemalloc

import pytest

from qualcode.coding_batch import apply_batch
from qualcode.errors import ImportFormatError
from qualcode.ingest import ImportOptions, import_paths
from qualcode.store import open_project

OPTS = ImportOptions(survey=True, id_column="rid", text_columns=("answer",))
REPLACE = ImportOptions(survey=True, id_column="rid", text_columns=("answer",), replace=True)
TABLES = ("documents", "turns", "participants", "codings", "codes", "memos")


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    """Chunks of 500 instead of 5,000, so a few thousand rows take several chunks (and the tests stay fast)."""
    import qualcode.coding_batch
    import qualcode.store.documents

    monkeypatch.setattr(qualcode.store.documents, "CHUNK", 500)
    monkeypatch.setattr(qualcode.coding_batch, "CHUNK", 500)


def _survey(path, n, *, version=0, blank_id_at=None, prefix="R"):
    """``n`` respondents; every 9th leaves the answer blank (a participant without a document)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["rid", "region", "age", "answer"])
        for i in range(n):
            rid = "" if i == blank_id_at else f"{prefix}{i:06d}"
            answer = "" if i % 9 == 4 else f"Buses to ward {i % 50} are late, says {i} (v{version})."
            w.writerow([rid, ("North", "South", "East")[i % 3], ("18-34", "35-54", "55+")[i % 3], answer])
    return path


def _batch(path, names, *, bad_at=None):
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["document", "code", "coder", "start", "end"])
        for i, name in enumerate(names):
            w.writerow(["nobody" if i == bad_at else name, f"Themes/t{i % 5}", "alice", "", ""])
            w.writerow([name, f"Themes/t{(i + 1) % 5}", "bob", "0", "5"])
    return path


def _dump(project):
    return {t: project.query(f"SELECT * FROM [{t}] ORDER BY id") for t in TABLES}


def _fts_ok(project, triggers):
    """The turn index matches the turns (FTS5's own check) and its triggers are as they were."""
    project.db.execute("INSERT INTO turns_fts (turns_fts, rank) VALUES ('integrity-check', 1)")  # against the turns
    assert project.query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name") == triggers


def _names(project):
    return [r["name"] for r in project.query("SELECT name FROM documents ORDER BY id")]


def _peak(fn):
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_import_and_batch_memory_does_not_grow_with_the_rows(tmp_path):
    """Peak Python memory for 4× the rows stays within 1.3× (+ 0.3 MB): chunks, not the file, are held.

    Holding every parsed row, as before, made the peak grow with the rows
    (about 1.7 KB per answer); here 500 answers are stored per chunk.
    """
    peaks = {}
    for n in (800, 3200):
        survey = _survey(tmp_path / f"s{n}.csv", n)
        with open_project(tmp_path / f"p{n}.db") as proj:
            imported = _peak(lambda proj=proj, survey=survey: import_paths(proj, [survey], OPTS))
            names = _names(proj)
            batch = _batch(tmp_path / f"b{n}.csv", names)
            coded = _peak(lambda proj=proj, batch=batch: apply_batch(proj, batch, create_codes=True))
            assert proj.documents.count() == len(names) == n - len(range(4, n, 9))
            assert proj.participants.count() == n
            assert proj.query("SELECT count(*) AS c FROM codings")[0]["c"] == 2 * len(names)
        peaks[n] = (imported, coded)
    (small_import, small_batch), (big_import, big_batch) = peaks[800], peaks[3200]
    assert big_import < 1.3 * small_import + 300_000, peaks
    assert big_batch < 1.3 * small_batch + 300_000, peaks


def test_an_error_at_a_late_row_names_it_and_leaves_the_project_unchanged(project, tmp_path):
    _survey(tmp_path / "ok.csv", 100)
    import_paths(project, [tmp_path / "ok.csv"], OPTS)
    before = _dump(project)
    bad = _survey(tmp_path / "bad.csv", 2000, blank_id_at=1900)
    [res] = import_paths(project, [bad], OPTS)
    assert res.status == "error" and f"{bad}:1902" in res.error and "empty 'rid'" in res.error
    assert _dump(project) == before

    # A clash found while storing the third chunk: the two chunks stored before it are rolled back.
    clash = tmp_path / "clash.csv"
    rows = (tmp_path / "ok.csv").read_text(encoding="utf-8").splitlines()
    other = _survey(tmp_path / "other.csv", 2000, version=1).read_text(encoding="utf-8").splitlines()
    clash.write_text("\n".join(other[:1500]).replace("\nR0", "\nX0") + f"\n{rows[52]}\n")
    [res] = import_paths(project, [clash], OPTS)
    assert res.status == "error" and "R000051" in res.error and "--replace" in res.error
    assert _dump(project) == before

    # A batch whose row 3,004 names no document (its seventh chunk): nothing coded, no code created.
    big = _survey(tmp_path / "big.csv", 2000, prefix="B")
    assert import_paths(project, [big], OPTS)[0].status == "imported"
    before = _dump(project)
    batch = _batch(tmp_path / "b.csv", _names(project), bad_at=1501)
    with pytest.raises(ImportFormatError) as err:
        apply_batch(project, batch, create_codes=True)
    assert f"{batch}:3004" in str(err.value) and "nobody" in str(err.value)
    assert _dump(project) == before


def test_undo_and_redo_of_a_chunked_import_replace_and_batch_restore_exactly(project, tmp_path):
    empty = _dump(project)
    triggers = project.query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
    assert [t["name"] for t in triggers if t["name"].startswith("turns_")] == ["turns_ad", "turns_ai", "turns_au"]
    [first] = import_paths(project, [_survey(tmp_path / "v0.csv", 2000)], OPTS)
    assert first.status == "imported"
    _fts_ok(project, triggers)  # indexed in bulk, not by the trigger
    apply_batch(project, _batch(tmp_path / "b.csv", _names(project)), create_codes=True)
    project.memos.add("document", 5, "a memo on a document the replace removes")
    coded = _dump(project)
    hits = len(project.search("ward", limit=100000))

    [rep] = import_paths(project, [_survey(tmp_path / "v1.csv", 2000, version=1)], REPLACE)
    assert rep.status == "replaced"
    replaced = _dump(project)
    assert replaced["codings"] == [] and replaced["memos"] == []
    assert {d["text"][-4:] for d in replaced["documents"]} == {"v1)."}
    event = project.query("SELECT changes FROM events WHERE state = 'done' ORDER BY id DESC LIMIT 1")[0]["changes"]
    assert len(event) < 5000 and "Buses" not in event  # ranges and moves, no row copied into the log
    assert {c[0] for c in json.loads(event)} <= {"r", "m", "u"}

    project.history.undo()
    assert _dump(project) == coded
    assert len(project.search("ward", limit=100000)) == hits
    _fts_ok(project, triggers)
    project.history.redo()
    assert _dump(project) == replaced
    _fts_ok(project, triggers)
    for _ in range(4):  # the replace, the memo, the batch, the import
        project.history.undo()
    assert _dump(project) == empty
    for _ in range(4):
        project.history.redo()
    assert _dump(project) == replaced
    _fts_ok(project, triggers)
    project.codes.add("later")  # a plain action after all that still works
    project.db.execute(
        "INSERT INTO turns (document_id, seq, start, [end], text) VALUES (?, 9, 0, 1, 'zebra')",
        [replaced["documents"][0]["id"]],
    )
    assert len(project.search("zebra")) == 1  # the per-row trigger is back
    assert project.query("SELECT count(*) AS n FROM moved_rows WHERE step >= 0")[0]["n"] > 0  # the replaced rows
