"""TUI: the tables screen's explain listing (x) and the speakers modal (palette) on the messy study."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("textual")

SIZE = (140, 40)


def _run(coro):
    return asyncio.run(coro)


def _app(proj):
    from qualcode.tui import make_app

    path = proj.path
    proj.close()
    return make_app(path, blink=False, coder="ann")


async def _wait_for(pilot, predicate, tries: int = 50) -> None:
    for _ in range(tries):
        await pilot.pause(0.05)
        if predicate():
            return
    raise AssertionError("condition not reached")


def test_tables_explain_lists_the_row(messy_study):
    from qualcode.tui.modals.explain import ExplainModal
    from qualcode.tui.screens.tables import TablesScreen

    proj, ids = messy_study
    app = _app(proj)

    async def go():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f7")
            await pilot.pause()
            screen = pilot.app.screen
            assert isinstance(screen, TablesScreen)
            paths = list(screen.frame["path"])
            screen.query_one("#freq-table").move_cursor(row=paths.index("Quality"))
            await pilot.press("x")
            await _wait_for(pilot, lambda: isinstance(pilot.app.screen, ExplainModal) and pilot.app.screen.found)
            modal = pilot.app.screen
            # Quality: c2 counted, c4 interviewer-only, c7 outside turns (hand counts in test_analysis_attribution).
            assert [i.coding_id for i in modal.found.items if i.counted] == [ids["c2"]]
            assert modal.query_one("#explain-table").row_count == 3
            assert "1 codings counted" in str(modal.query_one("#explain-totals").render())
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(pilot.app.screen, TablesScreen)

    _run(go())


def test_speakers_modal_rename_and_undo(messy_study):
    from qualcode.tui.modals.speakers import SpeakersModal

    proj, _ = messy_study
    app = _app(proj)

    async def go():
        async with app.run_test(size=SIZE) as pilot:
            pilot.app.action_speakers()
            await pilot.pause()
            modal = pilot.app.screen
            assert isinstance(modal, SpeakersModal)
            row = [(r.document, r.speaker) for r in modal.rows].index(("int1", "Particpant"))
            modal.query_one("#speakers-table").move_cursor(row=row)
            await pilot.press("r")
            await pilot.pause()
            await pilot.press("enter")  # the prompt is pre-filled with the similar label, "Participant"
            await pilot.pause()
            assert ("int1", "Particpant") not in [(r.document, r.speaker) for r in modal.rows]
            assert pilot.app.project.participants.find("Particpant") is None
            await pilot.press("ctrl+z")
            await pilot.pause()
            assert pilot.app.project.participants.find("Particpant") is not None

    _run(go())
