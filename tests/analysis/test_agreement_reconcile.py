"""Reconcile two coders into a consensus coder: the service, the CLI, and the TUI screen with Pilot.

Hand-built study (turn units = the three participant turns a1, a3, b1):

    alice: Timeliness a1 "five weeks", Quality a1 "one line", Quality a3 "Scores were inconsistent",
           Burden b1 "cannot afford"
    bob:   Timeliness a1 "five weeks", Quality a3 "Nobody explained", Burden a3 "Scores were inconsistent",
           Timeliness b1 "weeks of work"

Disagreements, code by code (codebook order), documents in order:
    1 Timeliness b1 (bob only)   2 Quality a1 (alice only)   3 Burden a3 (bob only)   4 Burden b1 (alice only)
Start: alice's codings outside disagreements: Timeliness a1, Quality a3 -> consensus has 2.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from qualcode.model import ParsedDocument, ParsedTurn

TURNS = {
    "interview_a": [
        ("Interviewer", "interviewer", "How do you find the feedback after a bid?"),
        ("Alice", "participant", "It took five weeks to get a reply. The feedback was one line. One line!"),
        ("Interviewer", "interviewer", "And the scoring?"),
        ("Alice", "participant", "Scores were inconsistent between tenders. Nobody explained the moderation."),
    ],
    "interview_b": [
        ("Interviewer", "interviewer", "Tell me about social value questions."),
        ("Bob", "participant", "They add weeks of work for a small firm. We cannot afford a bid writer."),
    ],
}
PLAN = [  # coder, code, document, phrase
    ("alice", "Timeliness", "interview_a", "five weeks"),
    ("alice", "Quality", "interview_a", "one line"),
    ("alice", "Quality", "interview_a", "Scores were inconsistent"),
    ("alice", "Burden", "interview_b", "cannot afford"),
    ("bob", "Timeliness", "interview_a", "five weeks"),
    ("bob", "Quality", "interview_a", "Nobody explained"),
    ("bob", "Burden", "interview_a", "Scores were inconsistent"),
    ("bob", "Timeliness", "interview_b", "weeks of work"),
]


def _doc(name: str) -> ParsedDocument:
    text, turns = "", []
    for speaker, role, said in TURNS[name]:
        start = len(text) + len(speaker) + 2
        text += f"{speaker}: {said}\n\n"
        turns.append(ParsedTurn(speaker, start, start + len(said), role))
    return ParsedDocument(name=name, kind="interview", text=text, turns=turns)


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    from qualcode.store import open_project

    monkeypatch.setenv("QUALCODE_CODER", "tester")
    path = tmp_path / "team.db"
    with open_project(path) as p:
        for name in TURNS:
            p.documents.add(_doc(name))
        p.codes.add("Feedback")
        p.codes.add("Timeliness", "Feedback")
        p.codes.add("Quality", "Feedback")
        p.codes.add("Burden")
        for coder, code, doc, phrase in PLAN:
            d = p.documents.find(doc)
            at = d.text.index(phrase)
            p.codings.apply(d.id, at, at + len(phrase), [code], coder=coder)
    return path


def consensus(path: Path) -> Counter:
    """(code, document, phrase) of every consensus coding."""
    from qualcode.store import open_project

    with open_project(path) as p:
        docs = {d.id: d for d in p.documents.all()}
        codes = {c.id: c.name for c in p.codes.all()}
        return Counter(
            (codes[c.code_id], docs[c.document_id].name, docs[c.document_id].text[c.start : c.end])
            for c in p.codings.all()
            if c.coder == "consensus"
        )


def test_agenda_start_decisions_and_undo(db):
    from qualcode.services.reconcile import decide, open_session
    from qualcode.store import open_project

    with open_project(db) as p:
        state = open_session(p, "alice", "bob", "consensus")
        assert [(i.code, i.document, i.applied_by) for i in state.items] == [
            ("Feedback > Timeliness", "interview_b", ("bob",)),
            ("Feedback > Quality", "interview_a", ("alice",)),
            ("Burden", "interview_a", ("bob",)),
            ("Burden", "interview_b", ("alice",)),
        ]
        assert state.seeded == 2
        first = state.remaining[0]
        assert decide(p, state, [first], "b") == 1
        p.history.undo()  # takes back the decision AND its coding
        assert len(open_session(p, "alice", "bob", "consensus").remaining) == 4
    assert consensus(db) == Counter(
        {("Timeliness", "interview_a", "five weeks"): 1, ("Quality", "interview_a", "Scores were inconsistent"): 1}
    )
    with open_project(db) as p:
        with pytest.raises(Exception, match="new name"):
            open_session(p, "alice", "bob", "bob")
        with pytest.raises(Exception, match="no codings by coder carol"):
            open_session(p, "alice", "carol", "consensus")


def test_cli_keep_json_and_interactive(db):
    from typer.testing import CliRunner

    from qualcode.cli.main import app

    runner = CliRunner()
    base = ["agreement", "reconcile", "--coders", "alice", "bob", "--into", "consensus", "-p", str(db)]
    out = runner.invoke(app, [*base, "--interactive"], input="b\ns\nq\n")
    assert out.exit_code == 0, out.output
    assert "keep [a] alice" in out.output
    status = runner.invoke(app, [*base, "--json"])
    data = json.loads(status.stdout)
    assert (data["total"], data["decided"], data["remaining"], data["consensus_codings"]) == (4, 1, 3, 3)
    assert data["coders"] == ["alice", "bob"] and data["into"] == "consensus" and data["seeded"] == 0
    assert [i["code"] for i in data["items"]] == ["Feedback > Quality", "Burden", "Burden"]
    assert data["items"][1]["b_spans"] and not data["items"][1]["a_spans"]
    done = runner.invoke(app, [*base, "--keep", "both", "--json"])
    assert json.loads(done.stdout)["remaining"] == 0 and json.loads(done.stdout)["added"] == 3
    bad = runner.invoke(app, ["agreement", "reconcile", "--coders", "alice", "--into", "x", "-p", str(db)])
    assert bad.exit_code == 1 and "two coders" in bad.output


def test_tui_resolve_three_quit_reopen_finish(db):
    pytest.importorskip("textual")
    import asyncio

    from qualcode.tui import make_app

    async def session(keys: list[str]) -> list[str]:
        app = make_app(db, coder="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            app.action_reconcile()
            await pilot.pause()
            screen = app.screen
            assert screen.screen_name == "reconcile"
            before = [i.code for i in screen.items]
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
            assert "decided" in str(screen.query_one("#reconcile-title").render())
            await pilot.press("ctrl+q")
        return before

    first = asyncio.run(session(["b", "n", "o"]))  # Timeliness b1: bob's; Quality a1: neither; Burden a3: both
    assert len(first) == 4
    assert consensus(db) == Counter(
        {
            ("Timeliness", "interview_a", "five weeks"): 1,
            ("Quality", "interview_a", "Scores were inconsistent"): 1,
            ("Timeliness", "interview_b", "weeks of work"): 1,
            ("Burden", "interview_a", "Scores were inconsistent"): 1,
        }
    )
    second = asyncio.run(session(["a"]))  # reopened: only Burden b1 is left; keep alice's
    assert second == ["Burden"]
    final = consensus(db)
    assert final == Counter(
        {
            ("Timeliness", "interview_a", "five weeks"): 1,
            ("Quality", "interview_a", "Scores were inconsistent"): 1,
            ("Timeliness", "interview_b", "weeks of work"): 1,
            ("Burden", "interview_a", "Scores were inconsistent"): 1,
            ("Burden", "interview_b", "cannot afford"): 1,
        }
    )
    # The consensus coder is an ordinary coder: by code, 2 Timeliness, 1 Quality, 2 Burden (hand count).
    assert Counter(code for code, _, _ in final.elements()) == {"Timeliness": 2, "Quality": 1, "Burden": 2}


def test_tui_undo_takes_a_decision_back(db):
    pytest.importorskip("textual")
    import asyncio

    from qualcode.tui import make_app

    async def run() -> tuple[int, int, int]:
        app = make_app(db, coder="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            app.action_reconcile()
            await pilot.pause()
            screen = app.screen
            start = len(screen.items)
            await pilot.press("b")
            await pilot.pause()
            after = len(screen.items)
            await pilot.press("ctrl+z")
            await pilot.pause()
            return start, after, len(screen.items)

    assert asyncio.run(run()) == (4, 3, 4)
    assert sum(consensus(db).values()) == 2  # only the start's codings remain
