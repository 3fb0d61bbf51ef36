"""The Documents screen's filter on a "big" project (worker path): what it lists, its count, stale pages dropped."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from qualcode.model import ParsedDocument, ParsedTurn

pytest.importorskip("textual")


@pytest.fixture
def db(tmp_path, monkeypatch):
    """30 survey answers R0000…R0029 (participants P0…P29) and one interview where Mara Okafor speaks."""
    from qualcode.store import open_project

    monkeypatch.setenv("QUALCODE_CODER", "tester")
    path = tmp_path / "big.db"
    text = "I: How was it?\n\nMara: The bus was late."
    turns = [
        ParsedTurn("I", 3, 14, "interviewer", None),
        ParsedTurn("Mara", 22, len(text), "participant", "Mara Okafor"),
    ]
    with open_project(path) as project:
        project.documents.add_many(
            [
                ParsedDocument(name=f"R{i:04d}", kind="survey", text=f"answer {i} about buses", participant=f"P{i}")
                for i in range(30)
            ]
            + [ParsedDocument(name="Site visit", kind="interview", text=text, turns=turns)]
        )
    return path


@pytest.fixture
def big(monkeypatch):
    """Make 31 documents count as a big project: the filter runs in a worker."""
    from qualcode.tui.screens import home

    monkeypatch.setattr(home, "THREADED_FILTER", 5)


async def shown_after(pilot, keys: str | list[str]) -> tuple[list[str], str]:
    """Type ``keys``; the names listed and the count under the filter once the workers are done."""
    await pilot.press(*keys)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    box = screen.query_one("#filter")
    assert screen.shown_query == box.value
    return [r.name for r in screen.rows], str(box.border_subtitle or "")


async def test_filter_lists_names_participants_kinds_and_short_queries(db, big, workbench, screen_size):
    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        assert await shown_after(pilot, "R001") == ([f"R{i:04d}" for i in range(10, 20)], "10 of 31 documents match")
        back = ["backspace"] * 4
        # one character: names holding "9" (same position, so name order); P9, P19, P29 are the same documents
        assert await shown_after(pilot, [*back, "9"]) == (["R0009", "R0019", "R0029"], "3 of 31 documents match")
        # two characters, then more: a participant who only speaks in the interview
        assert await shown_after(pilot, ["backspace", *"ok"]) == (["Site visit"], "1 of 31 documents match")
        assert await shown_after(pilot, list("afor")) == (["Site visit"], "1 of 31 documents match")
        # a document kind; a participant's own document (P7 answered R0007); nothing
        assert (await shown_after(pilot, [*["backspace"] * 6, *"interv"]))[0] == ["Site visit"]
        assert (await shown_after(pilot, [*["backspace"] * 6, *"p7"]))[0] == ["R0007"]
        assert await shown_after(pilot, [*["backspace"] * 2, *"zz%"]) == ([], "0 of 31 documents match")
        names, count = await shown_after(pilot, ["backspace"] * 3)
        assert len(names) == 31 and count == ""  # back to the unfiltered list
        assert await shown_after(pilot, "s") == (
            ["Site visit"] + [f"R{i:04d}" for i in range(30)],  # "s" at 1, then the kind "survey" by name
            "31 of 31 documents match",
        )


async def test_a_stale_page_is_dropped(db, big, workbench, screen_size, monkeypatch):
    """The page for "R00" arrives after the page for "R001": the list keeps showing "R001"'s."""
    from qualcode.store.documents import DocumentStore

    release = threading.Event()
    real = DocumentStore.summaries

    def slow(self, **kwargs):
        if kwargs.get("query") == "R00":
            release.wait(10)
        return real(self, **kwargs)

    monkeypatch.setattr(DocumentStore, "summaries", slow)
    app = workbench(db)
    async with app.run_test(size=screen_size) as pilot:
        screen = app.screen
        await pilot.press(*"R00")
        await pilot.press("1")
        for _ in range(500):
            await pilot.pause(0.01)
            if screen.shown_query == "R001":
                break
        assert [r.name for r in screen.rows] == [f"R{i:04d}" for i in range(10, 20)]
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.shown_query == "R001"
        assert [r.name for r in screen.rows] == [f"R{i:04d}" for i in range(10, 20)]


def test_a_newer_request_interrupts_the_running_read(db):
    """A superseded job's SQL is interrupted (it would count for minutes) and it returns None."""
    from qualcode.tui.latest import LatestJob

    jobs = LatestJob(db)
    first = jobs.start()
    started = threading.Event()
    out: list[object] = []

    def endless(project):
        started.set()
        sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
        return project.db.execute(sql).fetchone()

    worker = threading.Thread(target=lambda: out.append(jobs.run(first, endless)))
    worker.start()
    assert started.wait(10)
    second = jobs.start()
    worker.join(30)
    assert not worker.is_alive() and out == [None]
    assert not jobs.current(first) and jobs.current(second)
    assert jobs.run(first, lambda project: 1) is None  # a superseded request does not even start
    assert jobs.run(second, lambda project: project.documents.count()) == 31
    with pytest.raises(sqlite3.OperationalError):  # the latest request's own failure is not swallowed
        jobs.run(second, lambda project: project.db.execute("SELECT * FROM no_such_table"))
