"""Busy project: writes wait for another process's lock, say so, and fail cleanly after the limit."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import pytest

from qualcode.errors import ProjectBusyError
from qualcode.store import open_project

HOLDER = (
    "import sqlite3, sys, time\n"
    "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
    "c.execute('BEGIN IMMEDIATE')\n"
    "print('locked', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
    "c.execute('ROLLBACK')\n"
)


def _hold(path, seconds: float) -> subprocess.Popen:
    """Another process holding the project's write lock for ``seconds``."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


@pytest.fixture
def study(tmp_path, monkeypatch, transcript):
    monkeypatch.setenv("QUALCODE_CODER", "tester")
    path = tmp_path / "study.db"
    with open_project(path) as p:
        p.documents.add(transcript("a", [("Interviewer", "Why?"), ("Ann", "Because feedback was slow.")]))
        p.codes.add("Feedback")
    return path


def test_write_waits_for_the_lock_and_says_so_after_a_second(study):
    notices: list[str] = []
    with open_project(study, on_wait=notices.append) as p:
        holder = _hold(study, 1.6)
        t0 = time.monotonic()
        made = p.codings.apply("a", 0, 4, ["Feedback"])
        waited = time.monotonic() - t0
        holder.wait()
        assert len(made) == 1 and 1.0 <= waited < 10
        assert notices == ["waiting for the project (another process is writing)…"]


def test_after_the_limit_a_coded_error_names_the_holder(study):
    holder = _hold(study, 30)
    try:
        with open_project(study, busy_timeout=0.5) as p:
            t0 = time.monotonic()
            with pytest.raises(ProjectBusyError) as info:
                p.codings.apply("a", 0, 4, ["Feedback"])
            assert time.monotonic() - t0 < 5
        assert f"process {holder.pid}" in str(info.value) and "[E005]" in str(info.value)
    finally:
        holder.kill()
        holder.wait()
    with open_project(study) as p:
        assert p.codings.all() == []


def test_a_read_then_write_action_never_fails_on_a_commit_in_between(study):
    """The old deferred transaction read, another process committed, and the
    upgrade to a write failed at once with 'database is locked'."""
    with open_project(study) as p:
        other = sqlite3.connect(study, timeout=0.2, isolation_level=None)
        with p.action("probe", "read then write") as act:
            act.conn.execute("SELECT COUNT(*) FROM codes").fetchone()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')")  # we hold the lock
            act.insert(
                "memos",
                {"target": "project", "target_id": None, "text": "kept", "author": "tester", "created_at": "now"},
            )
        other.close()
        assert [m.text for m in p.memos.all()] == ["kept"]


def test_cli_code_waits_for_a_writer_instead_of_a_traceback(study):
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "QUALCODE_CODER": "tester"}
    # The lock is held until the command says it waits (a fixed hold raced the command's start-up under load).
    holder = _hold(study, 60)
    proc = subprocess.Popen(
        [sys.executable, "-m", "qualcode.cli.main", "code", "a", "0", "4", "Feedback", "-p", str(study)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    said: list[str] = []
    try:
        for line in proc.stderr:
            said.append(line)
            if "waiting for the project" in line:
                break
    finally:
        holder.kill()
        holder.wait()
    _, rest = proc.communicate(timeout=60)
    err = "".join(said) + rest
    assert proc.returncode == 0, err
    assert "waiting for the project" in err and "Traceback" not in err


def test_cli_busy_limit_from_the_environment(study):
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "QUALCODE_BUSY_TIMEOUT": "0.3"}
    holder = _hold(study, 20)
    try:
        out = subprocess.run(
            [sys.executable, "-m", "qualcode.cli.main", "memo", "hello", "-p", str(study)],
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
        )
    finally:
        holder.kill()
        holder.wait()
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith("Error: ") and "[E005]" in out.stderr
