"""CLI of theme suggestion: ``suggest`` (+ accept/reject/merge) and ``suggestions``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from qualcode.cli.main import app
from qualcode.store import open_project

runner = CliRunner()


def test_suggest_json_shape_and_subcommands(tmp_path, monkeypatch, build_themes) -> None:
    monkeypatch.setenv("QUALCODE_CODER", "tester")
    db = tmp_path / "s.db"
    with open_project(db) as proj:
        build_themes(proj)
    res = runner.invoke(app, ["suggest", "-p", str(db), "--json", "--seed", "2"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert set(data) == {"run", "topics"}
    run_id = data["run"]["id"]
    assert data["run"]["params"]["seed"] == 2
    assert len(data["topics"]) == 3
    for t in data["topics"]:
        assert {"id", "label", "keywords", "size", "closest_code", "similarity", "segments", "excerpts"} <= set(t)
        assert len(t["segments"]) == t["size"]
        assert {"document", "start", "end"} <= set(t["segments"][0])
    assert sum(t["size"] for t in data["topics"]) == 60

    listed = json.loads(runner.invoke(app, ["suggestions", "-p", str(db), "--json"]).stdout)
    assert [r["id"] for r in listed] == [run_id] and listed[0]["topics"] == 3
    shown = json.loads(runner.invoke(app, ["suggestions", str(run_id), "-p", str(db), "--json"]).stdout)
    assert [t["id"] for t in shown["topics"]] == [t["id"] for t in data["topics"]]

    res = runner.invoke(
        app, ["suggest", "accept", str(run_id), "0", "--as", "Theme A", "--apply", "-p", str(db), "--json"]
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["codings"] == data["topics"][0]["size"]
    res = runner.invoke(app, ["suggest", "reject", str(run_id), "1", "-p", str(db)])
    assert res.exit_code == 0 and "Rejected" in res.stdout
    res = runner.invoke(app, ["suggest", "merge", str(run_id), "0", "2", "-p", str(db), "--json"])
    assert res.exit_code == 1 and "already accepted" in res.stderr
    res = runner.invoke(app, ["suggest", "merge", str(run_id), "1", "2", "-p", str(db), "--json"])
    assert res.exit_code == 0, res.output
    sizes = {t["id"]: t["size"] for t in data["topics"]}
    assert json.loads(res.stdout)["size"] == sizes[1] + sizes[2]


def test_user_errors_exit_1(tmp_path, build_themes) -> None:
    db = tmp_path / "e.db"
    with open_project(db) as proj:
        build_themes(proj, per_theme=2, docs=2)
    for args in (
        ["suggest", "--unit", "word"],
        ["suggest", "--where", "nosuch"],
        ["suggestions", "99"],
        ["suggest", "accept", "1", "0", "--as", "X"],
    ):
        res = runner.invoke(app, [*args, "-p", str(db)])
        assert res.exit_code == 1, (args, res.output)
        assert res.stderr.startswith("Error:") and "Traceback" not in res.output
