"""The shared unit builder gives the units the old per-pipeline builders gave (reference copies below)."""

from __future__ import annotations

import pytest

from qualcode.autotag.units import build_units as autotag_units
from qualcode.model import ParsedDocument, ParsedTurn, Segment
from qualcode.text import count_words, paragraph_spans, sentence_spans_many
from qualcode.themes.params import SuggestParams
from qualcode.themes.units import build_units as theme_units
from qualcode.themes.units import windows


def _doc(name, turns, participant=None, kind="interview"):
    text, parsed = "", []
    for speaker, said in turns:
        label = f"{speaker}: "
        start = len(text) + len(label)
        text += label + said
        parsed.append(
            ParsedTurn(
                speaker,
                start,
                start + len(said),
                "interviewer" if speaker == "Q" else "participant",
                None if speaker == "Q" else speaker,
            )
        )
        text += "\n\n"
    return ParsedDocument(
        name=name,
        kind=kind,
        text=text,
        turns=parsed,
        participant=participant,
        participants={t.participant: {"team": "a" if "A" in t.participant else "b"} for t in parsed if t.participant},
    )


@pytest.fixture
def study(project):
    long = "The pump broke twice. We called the crew at night. Nobody came until Monday morning. " * 3
    project.documents.add(
        _doc(
            "one",
            [
                ("Q", "How was the winter?"),
                ("Ana", long),
                ("Q", "And money?"),
                ("Ana", "Budget is tight.\n\nGrants are late again."),
            ],
        )
    )
    project.documents.add(_doc("two", [("Q", "Tell me."), ("Ben", "Staff leave after training. " * 4), ("Ben", "   ")]))
    project.documents.add(
        ParsedDocument(
            name="ans",
            kind="survey",
            text="Bus fares keep rising every year.",
            participant="Cy",
            participants={"Cy": {"team": "a"}},
        )
    )
    return project


def _old_theme_pieces(project, params):
    """The themes builder before the shared module (without the short-unit cut)."""
    docs = {d.id: d for d in project.documents.all()}
    if params.kinds:
        docs = {i: d for i, d in docs.items() if d.kind in params.kinds}
    people = {p.id: p for p in project.participants.all()}
    pieces = []
    for turn in project.documents.all_turns():
        doc = docs.get(turn.document_id)
        if doc is None or turn.end <= turn.start:
            continue
        if turn.role == "interviewer" and not params.include_interviewer:
            continue
        pid = turn.participant_id or doc.participant_id
        if params.where:
            attrs = people[pid].attributes if pid in people else {}
            if any(attrs.get(k) != v for k, v in params.where):
                continue
        pieces.append((doc.id, turn.start, turn.end, turn.speaker, pid, turn.id))
    if params.unit == "paragraph":
        pieces = [
            (d, s + ps, s + pe, spk, pid, tid)
            for d, s, e, spk, pid, tid in pieces
            for ps, pe in paragraph_spans(docs[d].text[s:e])
        ]
    texts = [docs[p[0]].text[p[1] : p[2]] for p in pieces]
    needs = [i for i, t in enumerate(texts) if params.unit == "sentence" or count_words(t) > params.max_words]
    spans_of = dict(zip(needs, sentence_spans_many(texts[i] for i in needs)))
    units = []
    for i, (d, s, e, spk, pid, tid) in enumerate(pieces):
        if i not in spans_of:
            ranges = [(s, e)]
        elif params.unit == "sentence":
            ranges = [(s + a, s + b) for a, b in spans_of[i]]
        else:
            ranges = windows(spans_of[i], texts[i], s, params.max_words)
        units += [
            (d, docs[d].name, a, b, docs[d].text[a:b], spk, pid, tid) for a, b in ranges if docs[d].text[a:b].strip()
        ]
    return units


@pytest.mark.parametrize("unit", ["turn", "sentence", "paragraph"])
@pytest.mark.parametrize(
    "extra", [{}, {"include_interviewer": True}, {"where": (("team", "a"),)}, {"kinds": ("survey",)}]
)
def test_theme_units_match_the_old_builder(study, unit, extra):
    params = SuggestParams(unit=unit, max_words=8, min_content_words=0, **extra)
    got = [
        (u.document_id, u.document, u.start, u.end, u.text, u.speaker, u.participant_id, u.turn_id)
        for u in theme_units(study, params)
    ]
    assert got == _old_theme_pieces(study, params)
    assert got  # the fixture has units for every case


@pytest.mark.parametrize("unit", ["turn", "sentence"])
@pytest.mark.parametrize("interviewer", [False, True])
def test_autotag_units_match_the_old_builder(study, unit, interviewer):
    texts = {d.id: d.text for d in study.documents.all()}
    turns = [
        t
        for t in study.documents.all_turns()
        if (interviewer or t.role != "interviewer")
        and t.end > t.start
        and texts[t.document_id][t.start : t.end].strip()
    ]
    if unit == "turn":
        want = [
            Segment(
                t.document_id,
                t.start,
                t.end,
                texts[t.document_id][t.start : t.end],
                t.speaker,
                t.role,
                t.participant_id,
                t.id,
            )
            for t in turns
        ]
    else:
        want = [
            Segment(
                t.document_id,
                t.start + s,
                t.start + e,
                texts[t.document_id][t.start + s : t.start + e],
                t.speaker,
                t.role,
                t.participant_id,
                t.id,
            )
            for t, spans in zip(turns, sentence_spans_many([texts[t.document_id][t.start : t.end] for t in turns]))
            for s, e in spans
        ]
    assert autotag_units(study, unit, include_interviewer=interviewer) == want
    doc = study.documents.find("two").id
    only = autotag_units(study, unit, document_ids=[doc], include_interviewer=interviewer)
    assert only == [s for s in want if s.document_id == doc] and only
