"""The fast subset of the reliability trials (``make soak`` runs the long ones, see soak.py)."""

from __future__ import annotations

import pytest

from tests.reliability.trials import SHARED, fuzz_trial, kill_trials, writer_trial

pytest.importorskip("textual")


def test_sigkill_leaves_the_project_whole_and_exports_whole(tmp_path):
    results = kill_trials(tmp_path, kills_per_op=1, seed=7, ops=["code --batch", "export xlsx"])
    assert [r.op for r in results] == ["code --batch", "export xlsx"]
    for r in results:
        assert r.kills == r.integrity_ok == r.whole == 1, r.failures
        assert r.temp_left == 0 and r.tmpdir_files == 0


def test_two_cli_writers_a_lock_holder_and_the_tui_lose_nothing(tmp_path):
    r = writer_trial(tmp_path, seconds=3, hold=1.2)
    # At least one write of each kind (a loaded machine starts few CLI processes in 3 s); none lost or failed.
    assert r.writes_ok >= 1 and r.tui_writes >= 1 and r.holds >= 1
    assert (r.lost, r.tracebacks, r.writes_failed) == (0, 0, 0), r.details


def test_mutated_real_files_give_clean_errors_or_success(tmp_path):
    if not (SHARED / "corpora").is_dir():
        pytest.skip("../shared/corpora is absent")
    r = fuzz_trial(tmp_path, cases=60, seed=14, max_bytes=40_000)
    assert r.cases == 60
    assert set(r.outcomes) <= {"clean error", "success"}, r.failures[:3]
