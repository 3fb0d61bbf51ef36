"""The Documents screen on a big project: the first page only, and the filter in a worker."""

from __future__ import annotations

import asyncio

import pytest

from qualcode.model import ParsedDocument

pytest.importorskip("textual")


@pytest.fixture
def db(tmp_path, monkeypatch):
    from qualcode.store import open_project

    monkeypatch.setenv("QUALCODE_CODER", "tester")
    path = tmp_path / "big.db"
    with open_project(path) as project:
        project.documents.add_many(
            [
                ParsedDocument(name=f"R{i:04d}", kind="survey", text=f"answer {i} about buses", participant=f"P{i}")
                for i in range(30)
            ]
        )
    return path


def test_first_page_only_and_threaded_filter(db, monkeypatch):
    from qualcode.tui import make_app
    from qualcode.tui.screens import home

    monkeypatch.setattr(home, "PAGE", 10)
    monkeypatch.setattr(home, "THREADED_FILTER", 5)  # 30 documents count as "big" here

    async def go():
        app = make_app(db, coder="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            table = screen.query_one("#documents")
            assert table.row_count == 10 and screen.total == 30
            assert screen.query_one("#participants").row_count == 10
            await pilot.press(*"R001")
            for _ in range(200):  # the worker posts its page back
                await pilot.pause(0.01)
                if table.row_count == 10 and [r.name for r in screen.rows][0] == "R0010":
                    break
            assert [r.name for r in screen.rows] == [f"R{i:04d}" for i in range(10, 20)]
            await pilot.press(*"9")
            for _ in range(200):
                await pilot.pause(0.01)
                if table.row_count == 1:
                    break
            assert [r.name for r in screen.rows] == ["R0019"]

    asyncio.run(go())
