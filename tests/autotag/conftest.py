"""Builders of the auto-tagging tests."""

from __future__ import annotations

import random

import pytest

from qualcode.model import ParsedDocument, ParsedTurn
from qualcode.store import NewCoding

# -- auto-tagging builders -------------------------------------------------------------------


TOPICS = {
    "Feedback": [
        "the feedback came late",
        "reviews were slow and the deadline passed",
        "nobody commented on the draft",
    ],
    "Meetings": ["too many meetings every week", "the stand-up ran long", "we gathered every single day"],
    "Money": ["the budget was tight", "the cost of the bid hurt", "we lost money on it"],
}


TAILS = ["honestly", "and so on", "for months", "as usual"]


def _build_autotag(project, n_docs: int = 24, coded_docs: int = 16, seed: int = 1):  # noqa: ANN001, ANN201
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


def _dump_codings(project) -> list[tuple]:  # noqa: ANN001
    """Every coding row, every column, in id order."""
    return [tuple(r.values()) for r in project.query("SELECT * FROM codings ORDER BY id")]


@pytest.fixture(scope="session")
def build_autotag():
    """A builder: ``build_autotag(project, n_docs=24, coded_docs=16, seed=1)`` → [(doc_id, start, end, topic)]."""
    return _build_autotag


@pytest.fixture(scope="session")
def dump_codings():
    """``dump_codings(project)``: every coding row, every column, in id order."""
    return _dump_codings
