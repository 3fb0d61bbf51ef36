"""The TUI never exits on a store error: it shows it, keeps the write for ctrl+r, stays usable."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from qualcode.store import open_project
from tests.helpers import transcript

pytest.importorskip("textual")

HOLDER = (
    "import sqlite3, sys\n"
    "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
    "c.execute('BEGIN IMMEDIATE')\n"
    "print('locked', flush=True)\n"
    "sys.stdin.readline()\n"
    "c.execute('ROLLBACK')\n"
)


def test_a_busy_project_shows_an_error_keeps_the_write_and_retries(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODE_CODER", "tester")
    monkeypatch.setenv("QUALCODE_BUSY_TIMEOUT", "0.3")
    path = tmp_path / "study.db"
    with open_project(path) as p:
        p.documents.add(transcript("a", [("Interviewer", "Why?"), ("Ann", "Because.")]))
        p.codes.add("Feedback")
        p.codings.apply("a", 0, 4, ["Feedback"])

    from qualcode.tui.app import make_app

    async def run() -> list[str]:
        app = make_app(path, coder="tester", blink=False)
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert holder.stdout.readline().strip() == "locked"
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("ctrl+z")  # a write while another process holds the lock
            await pilot.pause()
            assert app.is_running and app.return_code is None
            assert app.pending_retry is not None
            saved = app.attempt(app.project.memos.add, "project", None, "written while locked")
            assert saved is None and app.is_running
            holder.stdin.write("\n")
            holder.stdin.flush()
            holder.wait()
            await pilot.press("ctrl+r")  # retries the memo, the last failed write
            await pilot.pause()
            messages = [n.message for n in app._notifications]
            assert app.is_running
        return messages

    messages = asyncio.run(run())
    assert any("locked" in m and "ctrl+r" in m for m in messages), messages
    with open_project(path) as p:
        assert [m.text for m in p.memos.all()] == ["written while locked"]
        assert len(p.codings.all()) == 1  # the undo was not retried: only the last failed write is kept
