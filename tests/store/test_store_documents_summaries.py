"""Document summaries computed in SQL give what the Python listing gave (reference below)."""

from __future__ import annotations

import pytest

from qualcode.model import ParsedDocument, ParsedTurn
from qualcode.store import NewCoding


@pytest.fixture
def listed(project):
    text = "Q: hello there\n\nAna: the pump broke\n\nBen: and the valve"
    turns = [
        ParsedTurn("Q", 3, 14, "interviewer", None),
        ParsedTurn("Ana", 21, 35, "participant", "Ana"),
        ParsedTurn("Ben", 42, 55, "participant", "Ben"),
    ]
    project.documents.add(ParsedDocument(name="Focus b", kind="focus_group", text=text, turns=turns))
    for i, name in enumerate(["ans_2", "Ans_10", "zed"]):
        project.documents.add(
            ParsedDocument(name=name, kind="survey", text=f"answer number {i} here", participant=f"R{i}")
        )
    code = project.codes.add("Pump")
    doc = project.documents.find("Focus b")
    done = project.codings.add_many(
        [
            NewCoding(code.id, doc.id, 21, 35),
            NewCoding(code.id, doc.id, 42, 55),
            NewCoding(code.id, doc.id, 3, 14, origin="auto"),
        ]
    )
    project.codings.set_status([done.ids[2]], "rejected")
    return project


def _reference(project):
    """The listing as the CLI and the home screen computed it before (Python over every row)."""
    people = {p.id: p.name for p in project.participants.all()}
    by_doc: dict[int, set[int]] = {}
    for t in project.documents.all_turns():
        if t.participant_id is not None:
            by_doc.setdefault(t.document_id, set()).add(t.participant_id)
    out = []
    for d in project.documents.all():
        ids = set(by_doc.get(d.id, set())) | ({d.participant_id} if d.participant_id else set())
        out.append(
            (
                d.id,
                d.name,
                d.kind,
                len(d.text.split()),
                len(project.documents.turns(d.id)),
                len(project.codings.for_document(d.id)),
                len(d.text),
                people.get(d.participant_id) if d.participant_id else None,
                ", ".join(sorted(people[i] for i in ids)),
                d.metadata.get("encoding"),
            )
        )
    return out


def _row(s):
    return (s.id, s.name, s.kind, s.words, s.turns, s.codings, s.chars, s.participant, s.participants, s.encoding)


def test_summaries_match_the_python_listing_and_pages_join_up(listed):
    want = _reference(listed)
    assert [_row(s) for s in listed.documents.summaries()] == want
    assert [_row(s) for s in listed.documents.iter_summaries(chunk=2)] == want
    focus = next(s for s in listed.documents.summaries() if s.name == "Focus b")
    assert (focus.turns, focus.codings, focus.participants) == (3, 2, "Ana, Ben")  # hand count; rejected left out
    assert [s.participants for s in listed.documents.summaries(names=False)] == [""] * 4
    assert listed.documents.count() == 4


def test_filter_finds_names_kinds_and_participants_best_first(listed):
    names = lambda q: [s.name for s in listed.documents.summaries(query=q)]  # noqa: E731
    assert names("ans") == ["Ans_10", "ans_2"]  # name matches, earliest position, then name (casefolded)
    assert names("survey") == ["Ans_10", "ans_2", "zed"]  # kind matches keep name order
    assert names("ben") == ["Focus b"]  # a participant speaking in the document
    assert names("r1") == ["Ans_10"]  # the document's own participant
    assert names("b") == ["Focus b"]
    assert names("50%") == []
    assert names("s") == ["Ans_10", "ans_2", "Focus b", "zed"]  # "s" at 3, 3, 5, then a kind match
    assert [s.name for s in listed.documents.summaries(query="s", limit=2)] == ["Ans_10", "ans_2"]


def test_participant_summaries_count_documents(listed):
    got = {s.participant.name: s.documents for s in listed.participants.summaries()}
    assert got == {"Ana": 1, "Ben": 1, "R0": 1, "R1": 1, "R2": 1}
    assert [s.participant.name for s in listed.participants.summaries(limit=2)] == ["Ana", "Ben"]
