"""Pilot tests of the Themes screen (F5): run, accept, reject, merge, jump.

The project has three planted themes (``tests/test_themes_corpus.py``);
the run is started from the screen and its results are checked in the store.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("textual")

from test_themes_corpus import THEMES, build  # noqa: E402
from test_tui_flows import SIZE, aio  # noqa: E402


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    from qualcode.store import open_project

    monkeypatch.setenv("QUALCODE_CODER", "tester")
    path = tmp_path / "themes.db"
    with open_project(path) as project:
        build(project)
    return path


def make(db: Path):
    from qualcode.tui import make_app

    return make_app(db, blink=False, coder="tester")


def store(db: Path):
    from qualcode.store import open_project

    return open_project(db, create=False)


async def start_run(pilot, topics: str = "3") -> None:
    """F5, s, set the number of topics, enter; wait for the worker."""
    from qualcode.tui.screens.themes import ThemesScreen

    await pilot.press("f5")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ThemesScreen)
    await pilot.press("s")
    await pilot.pause()
    box = pilot.app.screen.query_one("#opt-topics")
    assert box.has_focus and box.value == "auto"
    box.value = topics
    await pilot.press("enter")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def theme_of(keywords) -> str:
    """The planted theme whose vocabulary the keywords come from."""
    best = max(THEMES, key=lambda name: len(set(keywords) & set(THEMES[name])))
    return best


@aio
async def test_run_accept_apply_reject_and_undo(db):
    from qualcode.tui.screens.themes import ThemesScreen

    app = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await start_run(pilot)
        screen = app.screen
        assert isinstance(screen, ThemesScreen)
        assert screen.run is not None
        bar = screen.query_one("#themes-progress")
        assert not bar.display and bar.total == 5 and bar.progress == 5  # driven by on_progress
        real = [t for t in screen.topics if t.topic >= 0]
        assert len(real) == 3
        # The three planted themes come back, 20 turns each.
        assert sorted(theme_of(t.keywords) for t in real) == sorted(THEMES)
        assert sorted(t.size for t in real) == [20, 20, 20]
        table = screen.query_one("#suggestions")
        assert table.row_count == len(screen.topics)
        first = screen.current
        # Accept the highlighted suggestion under another name, applied.
        await pilot.press("a")
        await pilot.pause()
        name = app.screen.query_one("#accept-name")
        assert name.value == first.label  # prefilled with the label
        name.value = "Planted A"
        app.screen.query_one("#accept-apply").value = True
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        with store(db) as p:
            code = p.codes.resolve("Planted A")
            codings = p.codings.for_code(code.id)
            assert len(codings) == first.size
            assert {(c.origin, c.status) for c in codings} == {("suggested", "pending")}
        assert screen.current.status == "accepted"
        # Reject the next one.
        await pilot.press("down")
        second = screen.current
        await pilot.press("r")
        await pilot.pause()
        from qualcode.themes import load_run

        with store(db) as p:
            by_topic = {t.topic: t for t in load_run(p, screen.run.id).topics}
        assert by_topic[second.topic].status == "rejected"
        assert by_topic[first.topic].status == "accepted"
        # Accepting the accepted one again is a user error: a notification, not a crash.
        table.move_cursor(row=[t.topic for t in screen.topics].index(first.topic))
        await pilot.press("a", "enter")
        await pilot.pause()
        assert app.screen is screen
        assert any("already accepted" in n.message for n in app._notifications)
        with store(db) as p:
            assert len(p.codes.all()) == 1
        # Undo the rejection through the app's undo.
        table.move_cursor(row=[t.topic for t in screen.topics].index(second.topic))
        await pilot.press("ctrl+z")
        await pilot.pause()
        with store(db) as p:
            assert {t.topic: t for t in load_run(p, screen.run.id).topics}[second.topic].status == "open"
        assert next(t for t in screen.topics if t.topic == second.topic).status == "open"


@aio
async def test_merge_and_open_excerpt(db):
    from qualcode.tui.screens.document import DocumentScreen
    from qualcode.tui.screens.themes import ThemesScreen

    app = make(db)
    async with app.run_test(size=SIZE) as pilot:
        await start_run(pilot, topics="4")
        screen = app.screen
        assert isinstance(screen, ThemesScreen)
        real = [t for t in screen.topics if t.topic >= 0]
        assert len(real) == 4
        source = screen.current
        await pilot.press("m")
        await pilot.pause()
        options = app.screen.choices
        target = options[0][1]
        assert target != source.topic
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        merged = next(t for t in screen.topics if t.topic == target)
        gone = next(t for t in screen.topics if t.topic == source.topic)
        assert gone.status == "merged" and gone.merged_into == target
        assert merged.size == source.size + next(t for t in real if t.topic == target).size
        # enter on the table moves to the excerpts; enter there opens the document at the excerpt.
        excerpt = merged.excerpts[0]
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DocumentScreen)
        assert app.screen.document_id == excerpt.document_id
        assert app.screen.view.selection == (excerpt.start, excerpt.end)
