"""Builders shared by the auto-tagging tests, and tests of unit coverage."""

from __future__ import annotations

import random

from qualcode.model import ParsedDocument, ParsedTurn
from qualcode.store import NewCoding

TOPICS = {
    "Feedback": ["the feedback came late", "reviews were slow and the deadline passed", "nobody commented on the draft"],
    "Meetings": ["too many meetings every week", "the stand-up ran long", "we gathered every single day"],
    "Money": ["the budget was tight", "the cost of the bid hurt", "we lost money on it"],
}
TAILS = ["honestly", "and so on", "for months", "as usual"]


def build(project, n_docs: int = 24, coded_docs: int = 16, seed: int = 1):  # noqa: ANN001, ANN201
    """Interviews with one interviewer and one participant turn per exchange.

    The first ``coded_docs`` documents get manual codings on every
    participant turn (its topic). Returns ``[(doc_id, start, end, topic)]``
    for every participant turn.
    """
    rng = random.Random(seed)
    project.codes.add("Feedback", keywords=["late feedback", "feedback came late", "/dead ?lines?/", "-draft"])
    project.codes.add("Meetings", keywords=["meeting"])
    project.codes.add("Money")
    turns_out = []
    for d in range(n_docs):
        text, turns, spans = "", [], []
        for _ in range(6):
            q = "What happened then?"
            s = len(text) + 3
            text += f"I: {q}\n"
            turns.append(ParsedTurn("I", s, s + len(q), role="interviewer"))
            topic = rng.choice(sorted(TOPICS))
            a = f"{rng.choice(TOPICS[topic])} {rng.choice(TAILS)}"
            s = len(text) + 3
            text += f"P: {a}\n"
            turns.append(ParsedTurn("P", s, s + len(a)))
            spans.append((s, s + len(a), topic))
        doc, _ = project.documents.add(ParsedDocument(f"doc{d:02}", "interview", text, turns))
        turns_out.extend((doc.id, s, e, t) for s, e, t in spans)
    codes = {c.name: c.id for c in project.codes.all()}
    coded = {doc.id for doc in project.documents.all() if int(doc.name[3:]) < coded_docs}
    project.codings.add_many(
        [NewCoding(codes[t], d, s, e, coder="ana") for d, s, e, t in turns_out if d in coded],
        summary="human coding",
    )
    return turns_out


def dump(project) -> list[tuple]:  # noqa: ANN001
    """Every coding row, every column, in id order."""
    return [tuple(r.values()) for r in project.query("SELECT * FROM codings ORDER BY id")]


def test_covers_and_unit_codes(project) -> None:  # noqa: ANN001
    from qualcode.autotag.units import build_units, covers, unit_codes
    from qualcode.store.autotag import SpanKey

    assert covers(0, 10, 0, 10) and covers(0, 10, 4, 6)  # a coding inside the unit
    assert covers(0, 10, 5, 40)  # half the unit
    assert not covers(0, 10, 6, 40) and not covers(0, 10, 10, 20)
    turns = build(project, n_docs=2, coded_docs=0)
    units = build_units(project, "turn")
    assert [(u.document_id, u.start, u.end) for u in units] == [(d, s, e) for d, s, e, _ in turns]
    d, s, e, _ = turns[3]
    labels = unit_codes(units, [SpanKey(7, d, s, e), SpanKey(8, d, s + 1, s + 2)])
    assert labels[3] == {7, 8} and sum(map(len, labels)) == 2
    sentences = build_units(project, "sentence")
    assert len(sentences) >= len(units) and all(u.text.strip() for u in sentences)
    assert len(build_units(project, "turn", include_interviewer=True)) == 2 * len(units)
