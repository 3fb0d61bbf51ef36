"""Documents and turns: storing, offsets, re-import, replacement, atomicity."""

from __future__ import annotations

import pytest

from qualcode.errors import ValidationError
from qualcode.model import ParsedDocument, ParsedTurn


def test_turn_offsets_point_at_utterances(project, transcript):
    parsed = transcript("int1", [("Interviewer", "How was feedback?"), ("Ana", "Late, and thin — très mince.")])
    doc, status = project.documents.add(parsed)
    assert status == "imported"
    turns = project.documents.turns(doc.id)
    assert [doc.text[t.start : t.end] for t in turns] == ["How was feedback?", "Late, and thin — très mince."]
    assert [t.role for t in turns] == ["interviewer", "participant"]
    assert project.participants.get(turns[1].participant_id).name == "Ana"
    assert turns[0].participant_id is None


def test_identical_reimport_is_skipped_and_different_one_needs_replace(project, transcript):
    first = transcript("int1", [("Ana", "one")])
    project.documents.add(first)
    _, status = project.documents.add(transcript("int1", [("Ana", "one")]))
    assert status == "skipped"
    changed = transcript("int1", [("Ana", "two")])
    changed.sha256 = "other"
    with pytest.raises(ValidationError):
        project.documents.add(changed)
    doc, status = project.documents.add(changed, replace=True)
    assert status == "replaced"
    assert doc.text.endswith("two")
    assert len(project.documents.all()) == 1


def test_replace_drops_old_codings_and_undo_restores_them(project, transcript):
    doc, _ = project.documents.add(transcript("int1", [("Ana", "feedback was late")]))
    code, _ = project.codes.ensure_path("Feedback")
    project.codings.apply("int1", 5, 13, ["Feedback"])
    changed = transcript("int1", [("Ana", "entirely new")])
    changed.sha256 = "v2"
    project.documents.add(changed, replace=True)
    assert project.query("SELECT count(*) AS n FROM codings")[0]["n"] == 0
    project.history.undo()
    restored = project.documents.find("int1")
    assert restored.text.endswith("feedback was late")
    assert len(project.codings.for_document(restored.id)) == 1


@pytest.mark.parametrize(
    "turns",
    [
        [ParsedTurn("A", 0, 99)],  # beyond the text
        [ParsedTurn("A", 0, 5), ParsedTurn("B", 3, 8)],  # overlapping
        [ParsedTurn("A", 0, 5, role="boss")],  # unknown role
    ],
)
def test_invalid_parsed_document_writes_nothing(project, turns):
    bad = ParsedDocument("bad", "interview", "hello world", turns, participants={"X": {}})
    with pytest.raises(ValidationError):
        project.documents.add(bad)
    assert project.documents.all() == []
    assert project.participants.all() == []


def test_document_without_turns_gets_one_whole_turn(project):
    doc, _ = project.documents.add(
        ParsedDocument(
            "R001", "survey", "Too much paperwork.", participant="R001", participants={"R001": {"org_size": "SME"}}
        )
    )
    turns = project.documents.turns(doc.id)
    assert [(t.start, t.end) for t in turns] == [(0, len(doc.text))]
    assert project.participants.find("R001").attributes == {"org_size": "SME"}
    assert doc.participant_id == project.participants.find("R001").id


def test_resolve_by_prefix_and_ambiguity(project, transcript):
    project.documents.add(transcript("interview_01", [("Ana", "a")]))
    project.documents.add(transcript("interview_02", [("Ben", "b")]))
    assert project.documents.resolve("interview_01").name == "interview_01"
    with pytest.raises(Exception, match="several"):
        project.documents.resolve("interview_0")


def test_exception_inside_action_rolls_everything_back(project):
    with pytest.raises(RuntimeError):
        with project.action("test") as act:
            act.insert("participants", {"name": "ghost", "attributes": "{}"})
            raise RuntimeError("boom")
    assert project.participants.find("ghost") is None
    assert project.history.events() == []
