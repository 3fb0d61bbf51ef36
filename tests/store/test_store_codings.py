"""Codings: validation, idempotence, batches all-or-none, recode, status."""

from __future__ import annotations

import pytest

from qualcode.errors import ValidationError
from qualcode.store import NewCoding


@pytest.fixture
def doc(project, transcript):
    d, _ = project.documents.add(transcript("d", [("Interviewer", "Why?"), ("Ana", "Feedback came weeks late.")]))
    project.codes.ensure_path("Feedback > Late")
    return d


def test_apply_validates_offsets(project, doc):
    with pytest.raises(ValidationError):
        project.codings.apply("d", 5, 5, ["Late"])
    with pytest.raises(ValidationError):
        project.codings.apply("d", 0, len(doc.text) + 1, ["Late"])
    assert project.codings.all() == []


def test_reapplying_is_a_noop(project, doc):
    a = project.codings.apply("d", 20, 30, ["Late"])
    b = project.codings.apply("d", 20, 30, ["Late"])
    assert [c.id for c in a] == [c.id for c in b]
    assert len(project.codings.all()) == 1


def test_add_many_is_all_or_none(project, doc):
    code = project.codes.resolve("Late")
    good = NewCoding(code.id, doc.id, 0, 4)
    bad = NewCoding(code.id, doc.id, 10, 10_000)
    with pytest.raises(ValidationError, match="item 2"):
        project.codings.add_many([good, bad])
    assert project.codings.all() == []


def test_machine_codings_are_pending_and_separate_from_human(project, doc):
    code = project.codes.resolve("Late")
    project.codings.apply("d", 20, 30, ["Late"])
    project.codings.add_many([NewCoding(code.id, doc.id, 20, 30, coder="autotag", origin="auto", confidence=0.8)])
    human, machine = sorted(project.codings.all(), key=lambda c: c.origin != "manual")
    assert (human.origin, human.status) == ("manual", "confirmed")
    assert (machine.origin, machine.status, machine.confidence) == ("auto", "pending", 0.8)
    project.codings.set_status([machine.id], "rejected")
    assert [c.id for c in project.codings.for_document(doc.id)] == [human.id]


def test_recode_remove_and_at(project, doc):
    project.codes.add("Other")
    (c,) = project.codings.apply("d", 20, 30, ["Late"])
    project.codings.apply("d", 18, 40, ["Feedback"])
    assert [x.id for x in project.codings.at(doc.id, 25)][0] == c.id  # innermost first
    assert project.codings.recode(c.id, "Other").code_id == project.codes.resolve("Other").id
    project.codings.remove(c.id)
    assert c.id not in {x.id for x in project.codings.all()}
    project.history.undo()
    assert project.codings.get(c.id).code_id == project.codes.resolve("Other").id


def test_turn_coding(project, doc):
    turn = project.documents.turns(doc.id)[1]
    (c,) = project.codings.apply_turn(turn.id, ["Late"])
    assert doc.text[c.start : c.end] == "Feedback came weeks late."


def test_a_span_repeated_within_one_batch_is_stored_once_and_both_get_its_id(project, doc):
    code = project.codes.resolve("Late")
    other = project.codes.resolve("Feedback")
    ids = project.codings.add_many(
        [
            NewCoding(code.id, doc.id, 20, 30),
            NewCoding(other.id, doc.id, 20, 30),
            NewCoding(code.id, doc.id, 20, 30),
        ]
    )
    assert len(project.codings.all()) == 2
    assert ids[0] == ids[2] and ids[0] != ids[1]
    assert {project.codings.get(i).code_id for i in ids} == {code.id, other.id}


def test_a_few_codings_find_duplicates_without_reading_the_documents_codings(project, doc):
    """A key press (one coding) looks its duplicate up at its start; a batch reads the documents' codings."""
    late = project.codes.resolve("Late").id
    many = [NewCoding(late, doc.id, i, i + 2, coder="ana") for i in range(0, 40, 2)]  # over the few-item path
    with project.action("code", "batch"):
        first = project.codings.add_many(many)
    statements: list[str] = []
    project.db.conn.set_trace_callback(statements.append)
    try:
        with project.action("code", "one key"):
            again = project.codings.add_many([NewCoding(late, doc.id, 10, 12, coder="ana")])
            fresh = project.codings.add_many([NewCoding(late, doc.id, 10, 13, coder="ana")])
    finally:
        project.db.conn.set_trace_callback(None)
    assert list(again) == [first.ids[5]] and again.added == []  # the existing coding, not a second one
    assert len(fresh.added) == 1 and fresh.ids[0] not in first.ids
    assert not [s for s in statements if "FROM codings WHERE document_id IN" in s]
    with project.action("code", "batch again"):
        repeat = project.codings.add_many(many)  # the bulk path gives the same ids
    assert list(repeat) == list(first) and repeat.added == []
