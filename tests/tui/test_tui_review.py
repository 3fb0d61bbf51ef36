"""Pilot tests of the Review screen (F6): decide by key, filter, undo, jump."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("textual")


# (code, phrase in interview_a/b, confidence, run)


@pytest.fixture
def db(tmp_path, monkeypatch, build_review_project) -> Path:
    monkeypatch.setenv("QUALCODE_CODER", "tester")
    return build_review_project(tmp_path / "study.db")


def statuses(db: Path) -> dict[str, str]:
    """``{rule: status}`` of the auto codings."""
    from qualcode.store import open_project

    with open_project(db, create=False) as p:
        return {c.rule: c.status for c in p.codings.all(origin="auto")}


async def open_review(pilot):
    from qualcode.tui.screens.review import ReviewScreen

    await pilot.press("f6")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ReviewScreen)
    return pilot.app.screen


async def test_queue_by_confidence_accept_reject_undo(db, planned_autotags, screen_size, workbench):
    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        screen = await open_review(pilot)
        # Most confident first, as planted.
        expected = sorted(planned_autotags, key=lambda p: -p[2])
        assert [i.confidence for i in screen.items] == [p[2] for p in expected]
        assert screen.query_one("#review-table").row_count == 4
        # The context pane shows the turn with the span.
        context = str(screen.query_one("#review-context").render())
        assert "It took five weeks to get a reply" in context
        await pilot.press("y")  # accept five weeks → next is "one line"
        await pilot.pause()
        assert statuses(db)["kw:five weeks"] == "confirmed"
        assert screen.current.rule == "kw:one line"
        await pilot.press("n")  # reject one line
        await pilot.pause()
        assert statuses(db)["kw:one line"] == "rejected"
        assert [i.rule for i in screen.items] == ["kw:cannot afford", "kw:Scores were inconsistent"]
        await pilot.press("a", "r")  # the alternative keys
        await pilot.pause()
        assert statuses(db) == {
            "kw:five weeks": "confirmed",
            "kw:one line": "rejected",
            "kw:cannot afford": "confirmed",
            "kw:Scores were inconsistent": "rejected",
        }
        assert screen.items == []
        # Undo twice through the app: the last two decisions are pending again and back in the queue.
        await pilot.press("ctrl+z")
        await pilot.pause()
        await pilot.press("ctrl+z")
        await pilot.pause()
        s = statuses(db)
        assert s["kw:cannot afford"] == "pending" and s["kw:Scores were inconsistent"] == "pending"
        assert s["kw:five weeks"] == "confirmed"
        assert [i.rule for i in screen.items] == ["kw:cannot afford", "kw:Scores were inconsistent"]


async def test_filters_and_open_in_document(db, planned_autotags, screen_size, workbench):
    from qualcode.tui.screens.document import DocumentScreen

    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        screen = await open_review(pilot)
        await pilot.press("c")  # next code filter: the first code with pending items (sorted)
        await pilot.pause()
        codes = sorted({p[0] for p in planned_autotags})
        assert {i.code for i in screen.items} == {codes[0]}
        assert len(screen.items) == sum(1 for p in planned_autotags if p[0] == codes[0])
        await pilot.press("c", "c", "c")  # back to all codes after the last one
        await pilot.pause()
        assert len(screen.items) == 4
        await pilot.press("u", "u")  # second run only
        await pilot.pause()
        assert {i.rule for i in screen.items} == {f"kw:{p[1]}" for p in planned_autotags if p[3] == 2}
        item = screen.current
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DocumentScreen)
        doc = app.screen.document
        phrase = item.rule.removeprefix("kw:")
        start = doc.text.index(phrase)
        assert app.screen.view.selection == (start, start + len(phrase))
