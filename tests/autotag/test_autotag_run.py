"""Auto-tagging runs: provenance, guards, dry run, idempotence, review, undo."""

from __future__ import annotations

import pytest

from qualcode.autotag import AutotagOptions, accept, autotag, bulk_ids, reject, review_queue, undo_run
from qualcode.errors import NotFoundError, ValidationError


def _auto(project) -> list[dict]:  # noqa: ANN001
    return project.query("SELECT * FROM codings WHERE origin = 'auto' ORDER BY id")


def test_rules_provenance_and_hand_count(project, build_autotag) -> None:
    turns = build_autotag(project)
    res = autotag(project, AutotagOptions(methods=("rules",)))
    rows = _auto(project)
    # Hand count: rules fire on Feedback turns saying "feedback came late" or
    # "deadline", and on Meetings turns saying "meetings"; never on "draft".
    # Those in coded documents are skipped (a human coded them already).
    coded = {r["document_id"] for r in project.query("SELECT document_id FROM codings WHERE origin='manual'")}
    text = {d.id: d.text for d in project.documents.all()}
    expect = [
        (d, s, e)
        for d, s, e, _ in turns
        if d not in coded and any(k in text[d][s:e] for k in ("feedback came late", "deadline", "meetings"))
    ]
    assert res.added == len(rows) == len(expect) > 0
    assert sorted((r["document_id"], r["start"], r["end"]) for r in rows) == sorted(expect)
    assert res.skipped_human == sum(
        1
        for d, s, e, _ in turns
        if d in coded and any(k in text[d][s:e] for k in ("feedback came late", "deadline", "meetings"))
    )
    run = project.runs.get(res.run_id)
    assert run.kind == "autotag" and run.summary["added"] == res.added
    for r in rows:
        assert r["origin"] == "auto" and r["status"] == "pending" and r["method"] == "rules"
        assert r["run_id"] == res.run_id
        assert r["rule"] in {"kw:feedback came late", "re:dead ?lines?", "kw:meeting", "lemma:meeting"}
        assert r["confidence"] == (0.9 if r["rule"].startswith("lemma:") else 1.0)
    # "meetings" only matches the "meeting" keyword through its lemma.
    assert any(r["rule"] == "lemma:meeting" for r in rows)
    # Interviewer turns are never tagged.
    roles = {(t.document_id, t.start): t.role for t in project.documents.all_turns()}
    assert all(roles[(r["document_id"], r["start"])] == "participant" for r in rows)


def test_model_provenance_and_human_codings_untouched(project, build_autotag, dump_codings) -> None:
    build_autotag(project)
    before = [r for r in dump_codings(project)]
    res = autotag(project, AutotagOptions(methods=("model",), seed=3))
    assert res.model_id and res.model_id.startswith("model:")
    rows = _auto(project)
    assert rows and all(r["method"] == "model" and r["rule"] == res.model_id for r in rows)
    assert all(0.0 <= r["confidence"] <= 1.0 for r in rows)
    # Human codings are exactly as they were (every column).
    assert dump_codings(project)[: len(before)] == before
    assert project.query("SELECT count(*) AS n FROM codings WHERE origin='manual'")[0]["n"] == len(before)
    # No machine coding on a unit+code a human coded.
    clash = project.query(
        "SELECT count(*) AS n FROM codings a JOIN codings m ON a.code_id = m.code_id AND a.document_id ="
        " m.document_id AND a.start = m.start AND a.[end] = m.[end] WHERE a.origin='auto' AND m.origin='manual'"
    )
    assert clash[0]["n"] == 0
    # Same data and params -> same model id.
    again = autotag(project, AutotagOptions(methods=("model",), seed=3, dry_run=True))
    assert again.model_id == res.model_id


def test_precedence_rules_over_model(project, build_autotag) -> None:
    build_autotag(project)
    res = autotag(project, AutotagOptions(methods=("rules", "model"), dry_run=True))
    keys = [(c.document_id, c.start, c.code_id) for c in res.codings]
    assert len(keys) == len(set(keys))  # one coding per unit and code
    rules_only = autotag(project, AutotagOptions(methods=("rules",), dry_run=True))
    by_key = {(c.document_id, c.start, c.code_id): c.method for c in res.codings}
    assert all(by_key[(c.document_id, c.start, c.code_id)] == "rules" for c in rules_only.codings)


def test_dry_run_writes_nothing(project, build_autotag, dump_codings) -> None:
    build_autotag(project)
    before = dump_codings(project)
    events = project.query("SELECT count(*) AS n FROM events")[0]["n"]
    res = autotag(project, AutotagOptions(methods=("rules", "model"), dry_run=True))
    assert res.added > 0 and res.run_id is None
    assert dump_codings(project) == before
    assert project.query("SELECT count(*) AS n FROM events")[0]["n"] == events
    assert project.runs.all() == []


def test_rerun_idempotent_and_rejections_remembered(project, build_autotag) -> None:
    build_autotag(project)
    first = autotag(project, AutotagOptions(methods=("rules",), batch_size=3))
    assert first.added > 3
    # Each batch is one action.
    n_actions = project.query("SELECT count(*) AS n FROM events WHERE action='autotag'")[0]["n"]
    assert n_actions == -(-first.added // 3)
    second = autotag(project, AutotagOptions(methods=("rules",)))
    assert second.added == 0 and second.skipped_existing == first.added
    ids = [r["id"] for r in _auto(project)]
    assert reject(project, ids[:2]) == 2
    undo_run(project, second.run_id)  # removes nothing, fine
    third = autotag(project, AutotagOptions(methods=("rules",)))
    assert third.added == 0
    assert {r["status"] for r in project.query(f"SELECT status FROM codings WHERE id IN ({ids[0]}, {ids[1]})")} == {
        "rejected"
    }


def test_review_queue_accept_reject_bulk(project, build_autotag) -> None:
    build_autotag(project)
    autotag(project, AutotagOptions(methods=("rules", "model")))
    queue = review_queue(project)
    confs = [i.confidence for i in queue]
    assert confs == sorted(confs, reverse=True) and len(queue) == len(_auto(project))
    assert all(i.excerpt for i in queue)
    top = queue[0]
    assert accept(project, [top.id]) == 1
    row = project.codings.get(top.id)
    assert row.status == "confirmed" and row.origin == "auto"
    assert top.id not in [i.id for i in review_queue(project)]
    manual_id = project.query("SELECT id FROM codings WHERE origin='manual' LIMIT 1")[0]["id"]
    with pytest.raises(ValidationError):
        reject(project, [manual_id])
    with pytest.raises(NotFoundError):
        accept(project, [10**9])
    run_id = top.run_id
    sure = bulk_ids(project, run_id=run_id, min_confidence=0.9)
    assert sure == [i.id for i in review_queue(project) if i.confidence >= 0.9]
    accept(project, sure)
    assert all(i.confidence < 0.9 for i in review_queue(project, run_id=run_id))
    limited = review_queue(project, code="Money", limit=2)
    assert len(limited) <= 2 and all(i.code == "Money" for i in limited)


def test_undo_run_removes_only_that_run(project, build_autotag, dump_codings) -> None:
    build_autotag(project)
    human = dump_codings(project)
    a = autotag(project, AutotagOptions(methods=("rules",), codes=("Feedback",)))
    b = autotag(project, AutotagOptions(methods=("rules",), codes=("Meetings",)))
    assert a.added and b.added
    assert undo_run(project, a.run_id) == a.added
    assert {r["run_id"] for r in _auto(project)} == {b.run_id}
    assert project.query("SELECT status FROM runs WHERE id = ?", [a.run_id])[0]["status"] == "undone"
    assert undo_run(project, b.run_id) == b.added
    assert dump_codings(project) == human
    project.history.undo()  # the undo of a run is itself undoable
    assert len(_auto(project)) == b.added
    with pytest.raises(NotFoundError):
        undo_run(project, 999)


def test_sentence_units_and_document_filter(project, build_autotag) -> None:
    build_autotag(project)
    res = autotag(project, AutotagOptions(methods=("rules",), unit="sentence", documents=("doc20",), dry_run=True))
    assert {c.document for c in res.codings} <= {"doc20"}
    with pytest.raises(ValidationError):
        autotag(project, AutotagOptions(unit="paragraph"))
    with pytest.raises(NotFoundError):
        autotag(project, AutotagOptions(codes=("Nope",)))


def test_themes_method_maps_accepted_suggestions(project, build_autotag) -> None:
    build_autotag(project, coded_docs=0)
    code_id = project.codes.resolve("Money").id
    turn = next(t for t in project.documents.all_turns() if t.role == "participant")
    with project.action("themes-test", "fake theme run") as act:
        run_id = act.insert("runs", {"kind": "themes", "params": "{}", "summary": "{}", "status": "done"})
        act.insert(
            "suggestions", {"run_id": run_id, "topic": 0, "label": "money", "status": "accepted", "code_id": code_id}
        )
        act.insert(
            "suggestion_segments",
            {
                "run_id": run_id,
                "topic": 0,
                "document_id": turn.document_id,
                "start": turn.start,
                "end": turn.end,
                "probability": 0.7,
            },
        )
    res = autotag(project, AutotagOptions(methods=("themes",)))
    assert res.added == 1
    row = _auto(project)[0]
    assert (row["method"], row["rule"], row["confidence"]) == ("themes", f"theme:run{run_id}:topic0", 0.7)
    assert (row["document_id"], row["start"], row["end"]) == (turn.document_id, turn.start, turn.end)
