"""Pilot tests of the coding workbench: each flow, checked in the store."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("textual")


@pytest.fixture
def db(tmp_path, monkeypatch, build_flows_project) -> Path:
    monkeypatch.setenv("QUALCODE_CODER", "tester")
    return build_flows_project(tmp_path / "study.db")


def store(db: Path):
    from qualcode.store import open_project

    return open_project(db, create=False)


def doc_text(db: Path, name: str) -> str:
    with store(db) as p:
        return p.documents.resolve(name).text


async def open_doc(pilot, name: str = "interview_a"):
    """Filter the home table to ``name`` and open it."""
    await pilot.press(*name)
    await pilot.press("enter")
    await pilot.pause()
    from qualcode.tui.screens.document import DocumentScreen

    assert isinstance(pilot.app.screen, DocumentScreen)
    return pilot.app.screen.view


def codings(db: Path):
    with store(db) as p:
        return [(p.codes.get(c.code_id).name, c.start, c.end, c.coder) for c in p.codings.all()]


async def test_open_document_from_home(db, screen_size, workbench):
    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        from qualcode.tui.screens.home import HomeScreen

        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one("#documents")
        assert table.row_count == 2
        await pilot.press(*"view_b")  # filter as you type
        assert table.row_count == 1
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.document.name == "interview_b"
        assert app.sub_title.endswith("coder: tester")


async def test_keyboard_selection_and_code_key(db, screen_size, workbench):
    text = doc_text(db, "interview_a")
    start = text.index("It took")
    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        view = await open_doc(pilot)
        await pilot.press("]")  # to Alice's turn
        assert view.position == start
        await pilot.press("w", "w", "ctrl+shift+right")  # extend by three words
        assert view.selection == (start, start + len("It took five"))
        await pilot.press("1")
        await pilot.pause()
    assert codings(db) == [("Timeliness", start, start + len("It took five"), "tester")]


async def test_shift_arrows_and_sentence_extension(db, screen_size, workbench):
    text = doc_text(db, "interview_a")
    start = text.index("It took")
    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        view = await open_doc(pilot)
        await pilot.press("]", ")")  # next turn, then next sentence
        second = text.index("The feedback was")
        assert view.position == second
        await pilot.press("s")  # extend to the end of the sentence
        assert view.selection == (second, text.index("one line.") + len("one line."))
        await pilot.press("escape", "[", "shift+right", "shift+right")
        assert view.selection == (start, start + 3)


async def test_whole_turn_when_nothing_selected_and_repeat(db, flows_turns, screen_size, workbench):
    text = doc_text(db, "interview_a")
    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        await open_doc(pilot)
        await pilot.press("]", "2")  # Alice's whole turn
        await pilot.press("]", "]", "full_stop")  # repeat on her second turn
        await pilot.pause()
    a1 = text.index("It took")
    a2 = text.index("Scores were")
    turn2 = "Scores were inconsistent between tenders. Nobody explained the moderation."
    assert sorted(codings(db)) == [
        ("Quality", a1, a1 + len(flows_turns["interview_a"][1][2]), "tester"),
        ("Quality", a2, a2 + len(turn2), "tester"),
    ]


async def test_apply_by_picker_and_create_code(db, flows_turns, screen_size, workbench):
    text = doc_text(db, "interview_a")
    a1 = text.index("It took")
    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        await open_doc(pilot)
        await pilot.press("]", "c", *"qual", "enter")
        await pilot.pause()
        await pilot.press("c", *"Mistrust", "enter")  # no such code: the create row, last and only
        await pilot.pause()
        assert "under" in str(app.screen.query_one(".dialog-title").render())  # asks for the parent
        await pilot.press("enter")  # top level
        await pilot.pause()
    with store(db) as p:
        made = p.codes.resolve("Mistrust")
        assert made.parent_id is None
    got = sorted(codings(db))
    whole = (a1, a1 + len(flows_turns["interview_a"][1][2]))
    assert got == [("Mistrust", *whole, "tester"), ("Quality", *whole, "tester")]


async def test_picker_prefers_existing_codes_and_creates_under_a_parent(db, flows_turns, screen_size, workbench):
    text = doc_text(db, "interview_a")
    a1 = text.index("It took")
    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        await open_doc(pilot)
        # "time" is a prefix of an existing code: enter applies it, nothing is created.
        await pilot.press("]", "c", *"time", "enter")
        await pilot.pause()
        # ctrl+n creates what was typed even when it matches, then asks for the parent.
        await pilot.press("c", *"Tone", "ctrl+n")
        await pilot.pause()
        await pilot.press(*"feedb", "enter")
        await pilot.pause()
    with store(db) as p:
        assert p.codes.resolve("Feedback > Tone").parent_id == p.codes.resolve("Feedback").id
        assert [c.name for c in p.codes.all()].count("time") == 0
    whole = (a1, a1 + len(flows_turns["interview_a"][1][2]))
    assert sorted(codings(db)) == [("Timeliness", *whole, "tester"), ("Tone", *whole, "tester")]


def test_picker_ranking_exact_then_prefix_then_fuzzy():
    from qualcode.model import Code
    from qualcode.tui.modals.picker import rank_codes

    codes = [
        Code(1, "Bidding burden for SMEs", path="Bidding burden for SMEs"),
        Code(2, "Cost of bidding", 1, path="Bidding burden for SMEs > Cost of bidding"),
        Code(3, "Costly delays", path="Costly delays"),
        Code(4, "Cost", path="Cost", key="9"),
        Code(5, "Feedback quality", path="Feedback quality"),
    ]
    names = [c.name for c, _ in rank_codes("cost", codes)]
    assert names[:3] == ["Cost", "Cost of bidding", "Costly delays"]  # exact, then name prefixes by path
    assert [c.name for c, _ in rank_codes("9", codes)][0] == "Cost"  # the shortcut key
    assert [c.name for c, _ in rank_codes("bidding", codes)][:2] == ["Bidding burden for SMEs", "Cost of bidding"]
    assert [c.name for c, _ in rank_codes("feedbak", codes)] == ["Feedback quality"]  # fuzzy


async def test_undo_redo_and_persistence(db, screen_size, workbench):
    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        view = await open_doc(pilot)
        await pilot.press("]", "3")
        await pilot.pause()
        assert len(codings(db)) == 1
        assert len(view.index.all()) == 1
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert codings(db) == []
        assert view.index.all() == []  # the view refreshed after undo
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert len(codings(db)) == 1
        assert len(view.index.all()) == 1
    # The history lives in the project file: a new session can undo it.
    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        await pilot.press("ctrl+z")
        await pilot.pause()
    assert codings(db) == []


async def test_memo_on_turn_and_coding(db, screen_size, workbench):
    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        view = await open_doc(pilot)
        turn = view.current_turn()
        await pilot.press("m", *"why ask", "ctrl+s")
        await pilot.pause()
        await pilot.press("]", "1", "m", *"late", "ctrl+s")
        await pilot.pause()
    with store(db) as p:
        assert [m.text for m in p.memos.for_target("turn", turn.id)] == ["why ask"]
        coding = p.codings.all()[0]
        assert [m.text for m in p.memos.for_target("coding", coding.id)] == ["late"]


async def test_search_and_jump(db, screen_size, workbench):
    text = doc_text(db, "interview_a")
    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        await pilot.press("ctrl+f")
        await pilot.press(*"moderation")
        await pilot.pause()
        from qualcode.tui.modals.search import SearchModal

        assert isinstance(app.screen, SearchModal)
        assert len(app.screen.choices) == 1
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.document.name == "interview_a"
        assert app.screen.view.position == text.index("moderation")


async def test_remove_and_recode_under_cursor(db, screen_size, workbench):
    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        await open_doc(pilot)
        await pilot.press("]", "1", "]", "]", "2")
        await pilot.pause()
        await pilot.press("r", *"Burden", "enter")  # recode Quality -> Burden
        await pilot.pause()
        await pilot.press("[", "[", "x")  # remove the Timeliness coding
        await pilot.pause()
    assert [c[0] for c in codings(db)] == ["Burden"]


async def test_next_previous_coding(db, screen_size, workbench):
    text = doc_text(db, "interview_a")
    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        view = await open_doc(pilot)
        await pilot.press("]", "1", "]", "]", "1", "ctrl+home")
        await pilot.press("n")
        assert view.position == text.index("It took")
        await pilot.press("n")
        assert view.position == text.index("Scores")
        await pilot.press("N")
        assert view.position == text.index("It took")


async def test_mouse_drag_selects(db, screen_size, workbench):
    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        view = await open_doc(pilot)
        row = view.layout.row_of(view.motion.next_turn(view.position))
        y = row - int(view.scroll_offset.y)
        await pilot.mouse_down(view, offset=(2, y))
        await pilot.hover(view, offset=(8, y))
        await pilot.mouse_up(view, offset=(8, y))
        line = view.layout.lines[row]
        assert view.selection == (line.start, line.start + 7)


async def test_merge_codes_in_codebook(db, flows_turns, screen_size, workbench):
    text = doc_text(db, "interview_a")
    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        await open_doc(pilot)
        await pilot.press("]", "2")
        await pilot.press("f3")
        await pilot.pause()
        from qualcode.tui.screens.codebook import CodebookScreen

        screen = app.screen
        assert isinstance(screen, CodebookScreen)
        quality = next(c for c in screen.codes if c.name == "Quality")
        screen.selected_id = quality.id
        await pilot.press("g", *"Timeliness", "enter")
        await pilot.pause()
        with store(db) as p:
            assert [c.name for c in p.codes.all()] == ["Feedback", "Timeliness", "Burden"]
        a1 = text.index("It took")
        assert codings(db) == [("Timeliness", a1, a1 + len(flows_turns["interview_a"][1][2]), "tester")]
        await pilot.press("ctrl+z")  # undo restores the merged code
        await pilot.pause()
        assert [
            str(n.label).split(" (")[0].lstrip("■ ") for n in screen.query_one("Tree").root.children[0].children
        ] == ["Timeliness", "Quality"]
    assert codings(db)[0][0] == "Quality"


async def test_codebook_rename_error_is_a_notification(db, notices, screen_size, workbench):
    app = workbench(db)
    async with app.run_test(size=screen_size, message_hook=notices.hook) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        screen = app.screen
        screen.selected_id = next(c.id for c in screen.codes if c.name == "Quality")
        await pilot.press("r", *["backspace"] * 7, *"Timeliness", "enter")
        await pilot.pause()
        assert any("already exists" in n for n in notices)
        assert app.is_running
    with store(db) as p:
        assert p.codes.resolve("Quality")


async def test_excerpts_jump_to_context(db, screen_size, workbench):
    text = doc_text(db, "interview_a")
    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        await open_doc(pilot)
        await pilot.press("]", "w", "1", "f4")
        await pilot.pause()
        from qualcode.tui.screens.excerpts import ExcerptsScreen

        assert isinstance(app.screen, ExcerptsScreen)
        ex = app.screen.excerpts
        assert [(e.document, e.speaker, e.participant, e.attributes, e.text) for e in ex] == [
            ("interview_a", "Alice", "Alice", "org_size=SME", "It")
        ]
        await pilot.press("enter")
        await pilot.pause()
        start = text.index("It took")
        assert app.screen.view.selection == (start, start + 2)


async def test_command_palette_reaches_screen_actions(db, screen_size, workbench):
    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        await open_doc(pilot)
        await pilot.press("ctrl+p", *"Memo")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        from qualcode.tui.modals.memo import MemoModal

        assert isinstance(app.screen, MemoModal)


async def test_help_lists_every_binding_with_an_id(db, screen_size, workbench):
    from qualcode.tui.app import QualcodeApp
    from qualcode.tui.screens.help import binding_rows

    rows = binding_rows(QualcodeApp.BINDINGS)
    assert all(r[3] for r in rows)
    assert len({r[3] for r in rows}) == len(rows)
    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        table = app.screen.query_one("#help-table")
        assert table.row_count == len(rows) + 4  # plus the four code keys


async def test_set_coder_is_used_for_codings(db, screen_size, workbench):
    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        await pilot.press("ctrl+t", *["backspace"] * 6, *"maria", "enter")
        assert app.sub_title.endswith("coder: maria")
        await open_doc(pilot)
        await pilot.press("]", "3")
        await pilot.pause()
    assert codings(db)[0][3] == "maria"


async def test_import_runs_in_a_worker(db, tmp_path, notices, screen_size, workbench, monkeypatch):
    source = tmp_path / "new.txt"
    source.write_text("Interviewer: Hello?\n\nCarol: Hello, I run a small firm.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # a short relative path: every key typed costs a Pilot round trip
    app = workbench(db)
    async with app.run_test(size=screen_size, message_hook=notices.hook) as pilot:
        await pilot.press("ctrl+o", *source.name, "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "1 imported" in notices
        assert app.is_running
    with store(db) as p:
        assert len(p.documents.all()) == 3, notices


def test_cli_import_does_not_load_textual():
    import subprocess
    import sys

    code = "import sys, qualcode.cli.main; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
