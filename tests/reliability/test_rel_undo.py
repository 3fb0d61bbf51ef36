"""Undo is yours: undo/redo act on the current coder's own last action unless --any."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from qualcode.cli.main import app
from qualcode.errors import NothingToUndoError
from qualcode.store import open_project

pytest.importorskip("textual")


@pytest.fixture
def shared_study(tmp_path, transcript):
    path = tmp_path / "study.db"
    with open_project(path) as p:
        p.documents.add(transcript("a", [("Interviewer", "Why?"), ("Ann", "Because feedback was slow and thin.")]))
        p.codes.add("Feedback")
        p.codes.add("Speed")
    with open_project(path) as p:
        p.coder = "alice"
        p.codings.apply("a", 0, 4, ["Feedback"], coder="alice")
    with open_project(path) as p:
        p.coder = "bob"
        p.codings.apply("a", 6, 10, ["Speed"], coder="bob")  # bob's is the latest action
    return path


def _codings(path) -> list[tuple[str, int]]:
    with open_project(path) as p:
        return sorted((c.coder, c.start) for c in p.codings.all())


def test_undo_reverts_my_last_action_not_a_colleagues(shared_study):
    out = CliRunner().invoke(app, ["undo", "-p", str(shared_study), "--coder", "alice"])
    assert out.exit_code == 0, out.output
    assert _codings(shared_study) == [("bob", 6)]


def test_undo_with_nothing_of_mine_names_the_other_coder(shared_study):
    out = CliRunner().invoke(app, ["undo", "-p", str(shared_study), "--coder", "carol"])
    assert out.exit_code == 1
    assert "bob" in out.output and "--any" in out.output and "[E301]" in out.output
    assert len(_codings(shared_study)) == 2


def test_undo_any_takes_the_latest_of_anyone(shared_study):
    out = CliRunner().invoke(app, ["undo", "--any", "-p", str(shared_study), "--coder", "alice"])
    assert out.exit_code == 0, out.output
    assert _codings(shared_study) == [("alice", 0)]
    # alice undid it, so alice's redo brings it back.
    assert CliRunner().invoke(app, ["redo", "-p", str(shared_study), "--coder", "alice"]).exit_code == 0
    assert len(_codings(shared_study)) == 2


def test_a_colleagues_new_action_keeps_my_redo(shared_study):
    with open_project(shared_study) as p:
        p.history.undo("alice")
        p.coder = "bob"
        p.memos.add("project", None, "bob writes a memo")
        with pytest.raises(NothingToUndoError):
            p.history.redo("bob")
        p.history.redo("alice")
    assert len(_codings(shared_study)) == 2


def test_tui_ctrl_z_asks_before_undoing_another_coders_coding(shared_study):
    import asyncio

    from qualcode.tui.app import make_app
    from qualcode.tui.modals.choice import ChoiceModal

    async def run(answer: str) -> str:
        app_ = make_app(shared_study, coder="carol")
        async with app_.run_test(size=(120, 40)) as pilot:
            await pilot.press("ctrl+z")
            await pilot.pause()
            assert isinstance(app_.screen, ChoiceModal)
            title = app_.screen.title_text
            if answer == "yes":
                await pilot.press("up", "enter")
            else:
                await pilot.press("escape")
            await pilot.pause()
        return title

    title = asyncio.run(run("no"))
    assert "bob" in title and "carol" in title
    assert len(_codings(shared_study)) == 2
    asyncio.run(run("yes"))
    assert _codings(shared_study) == [("alice", 0)]


def test_a_deleted_rows_id_is_never_given_again_so_its_undo_works(shared_study, transcript):
    """Alice removes her coding (the newest id), Bob codes: his gets a new id, and Alice's undo still works.

    SQLite gives the largest id + 1, so Bob's coding used to take the removed id
    and Alice's undo failed on it ("a later action changed the same rows").
    """
    with open_project(shared_study) as p:
        p.coder = "alice"
        [mine] = p.codings.apply("a", 12, 20, ["Feedback"], coder="alice")
        p.codings.remove(mine.id)
    with open_project(shared_study) as p:
        p.coder = "bob"
        [his] = p.codings.apply("a", 22, 26, ["Speed"], coder="bob")
        assert his.id > mine.id
    with open_project(shared_study) as p:
        p.history.undo("alice")  # the removal
        assert p.codings.get(mine.id).start == 12 and p.codings.get(his.id).start == 22
    # The same for rows stored as a range (a batch import): undone, another import, then redone.
    with open_project(shared_study) as p:
        p.coder = "alice"
        with p.action("import", "two"):
            p.documents.add_many([transcript(n, [("Ann", f"Text {n}.")]) for n in ("b", "c")])
        ids = sorted(d.id for d in p.documents.all() if d.name in ("b", "c"))
        p.history.undo("alice")
    with open_project(shared_study) as p:
        p.coder = "bob"
        with p.action("import", "one"):
            p.documents.add_many([transcript("d", [("Bo", "Text d.")])])
        assert p.documents.find("d").id > max(ids)
    with open_project(shared_study) as p:
        p.history.redo("alice")
        assert sorted(d.id for d in p.documents.all() if d.name in ("b", "c")) == ids
