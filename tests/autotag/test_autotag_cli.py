"""The ``autotag`` and ``review`` commands: JSON contracts, specs, errors, and a run killed mid-way."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from qualcode.cli.main import app
from qualcode.model import ParsedDocument
from qualcode.store import open_project


@pytest.fixture
def study(project, build_autotag):  # noqa: ANN001, ANN201
    build_autotag(project)
    return project


def _run(project, *args: str):  # noqa: ANN001, ANN202
    result = CliRunner().invoke(app, [*args, "--project", str(project.path)])
    return result


def test_autotag_json_contract_and_rerun(study) -> None:
    r = _run(study, "autotag", "--method", "rules", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert {"run", "added", "skipped_human", "codings"} <= set(data)
    assert data["added"] == len(data["codings"]) > 0
    assert set(data["codings"][0]) >= {"document", "start", "end", "code", "method", "confidence"}
    stored = study.query("SELECT count(*) AS n FROM codings WHERE run_id = ?", [data["run"]])[0]["n"]
    assert stored == data["added"]
    again = json.loads(_run(study, "autotag", "--method", "rules", "--json").stdout)
    assert again["added"] == 0 and again["skipped_existing"] == data["added"]


def test_dry_run_cli_writes_nothing(study, dump_codings) -> None:
    before = dump_codings(study)
    r = _run(study, "autotag", "-m", "all", "--dry-run")
    assert r.exit_code == 0 and "would add" in r.stdout
    assert dump_codings(study) == before


def test_spec_file_pins_the_run(study, tmp_path) -> None:
    spec = tmp_path / "autotag.yaml"
    spec.write_text("methods: [rules]\ncodes: [Meetings]\nunit: turn\nseed: 7\nbatch_size: 2\n")
    data = json.loads(_run(study, "autotag", "--spec", str(spec), "--json").stdout)
    assert data["added"] > 0 and {c["code"] for c in data["codings"]} == {"Meetings"}
    params = study.runs.get(data["run"]).params
    assert params["codes"] == ["Meetings"] and params["seed"] == 7 and params["batch_size"] == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("methods: [magic]\n")
    r = _run(study, "autotag", "--spec", str(bad))
    assert r.exit_code == 1 and "bad.yaml" in r.stderr and "Traceback" not in r.output


def test_user_errors_exit_1(study) -> None:
    for args in (
        ["autotag", "--unit", "page"],
        ["autotag", "--codes", "Nope"],
        ["autotag", "-m", "magic"],
        ["review", "accept", "999999"],
        ["autotag", "undo", "77"],
        ["review", "--run", "77"],
        ["review", "accept"],
    ):
        r = _run(study, *args)
        assert r.exit_code == 1, (args, r.output)
        assert r.stderr.startswith("Error: ")


def test_review_cli_accept_reject_bulk_and_undo(study) -> None:
    run = json.loads(_run(study, "autotag", "-m", "rules", "--json").stdout)["run"]
    queue = json.loads(_run(study, "review", "--json").stdout)
    assert len(queue) > 2
    assert [q["confidence"] for q in queue] == sorted((q["confidence"] for q in queue), reverse=True)
    assert json.loads(_run(study, "review", "--limit", "2", "--json").stdout) == queue[:2]
    assert _run(study, "review", "reject", str(queue[0]["id"])).exit_code == 0
    assert study.codings.get(queue[0]["id"]).status == "rejected"
    bulk = json.loads(_run(study, "review", "accept", "--run", str(run), "--min-confidence", "0.95", "--json").stdout)
    want = [q["id"] for q in queue[1:] if q["confidence"] >= 0.95]
    assert bulk["ids"] == want and bulk["count"] == len(want)
    assert all(study.codings.get(i).status == "confirmed" for i in want)
    out = json.loads(_run(study, "autotag", "undo", str(run), "--json").stdout)
    assert out["removed"] == len(queue)
    assert study.query("SELECT count(*) AS n FROM codings WHERE origin='auto'")[0]["n"] == 0


def test_evaluate_cli_json(study) -> None:
    r = _run(study, "autotag", "evaluate", "--folds", "3", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert {"micro_f1", "macro_f1", "kappa", "codes", "baselines"} <= set(data)
    assert set(data["baselines"]["keywords"]) >= {"micro_f1", "macro_f1", "kappa"}


def test_killed_mid_run_leaves_only_whole_batches(tmp_path) -> None:
    """SIGKILL after the first committed batch: integrity holds, no half batch."""
    path = tmp_path / "big.db"
    batch = 40
    with open_project(path) as proj:
        proj.codes.add("Feedback", keywords=["feedback"])
        for d in range(8):
            text = " ".join(f"The feedback on item {d}-{i} came late." for i in range(60))
            proj.documents.add(ParsedDocument(f"d{d}", "survey", text))
    # One document = one turn here; use sentences so there are 480 units.
    env = {**os.environ, "QUALCODE_AUTOTAG_BATCH_SLEEP": "5", "QUALCODE_CODER": "tester"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qualcode.cli.main",
            "autotag",
            "--unit",
            "sentence",
            "--batch-size",
            str(batch),
            "--project",
            str(path),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        n = 0
        while time.monotonic() < deadline:
            con = sqlite3.connect(path, timeout=30)
            n = con.execute("SELECT count(*) FROM codings WHERE origin = 'auto'").fetchone()[0]
            con.close()
            if n:
                break
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.05)
        assert n > 0
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    with open_project(path) as proj:
        assert proj.query("PRAGMA integrity_check")[0]["integrity_check"] == "ok"
        total = proj.query("SELECT count(*) AS n FROM codings WHERE origin = 'auto'")[0]["n"]
        units = len(proj.query("SELECT 1 FROM codings WHERE origin='auto' GROUP BY document_id, start"))
        assert 0 < total < 480 and total % batch == 0 and units == total
        events = proj.query("SELECT count(*) AS n FROM events WHERE action = 'autotag'")[0]["n"]
        assert events * batch == total  # every stored coding belongs to a logged, committed batch
        run = proj.runs.all("autotag")[0]
        assert proj.query("SELECT status FROM runs WHERE id = ?", [run.id])[0]["status"] == "running"
        from qualcode.autotag import undo_run

        assert undo_run(proj, run.id) == total


def test_undo_run_removes_only_that_runs_codings(study) -> None:
    human_before = study.query("SELECT count(*) AS n FROM codings WHERE origin = 'manual'")[0]["n"]
    data = json.loads(_run(study, "autotag", "--method", "rules", "--json").stdout)
    assert data["added"] > 0
    r = _run(study, "undo", "--run", str(data["run"]))
    assert r.exit_code == 0, r.output
    assert study.query("SELECT count(*) AS n FROM codings WHERE run_id = ?", [data["run"]])[0]["n"] == 0
    assert study.query("SELECT count(*) AS n FROM codings WHERE origin = 'manual'")[0]["n"] == human_before
    assert _run(study, "undo", "--run", "9999").exit_code == 1
