"""``qualcode agreement`` and ``qualcode agreement disagreements`` end to end.

The study and its hand counts are those of ``tests/test_analysis_agreement.py``
(ana vs ben over 8 participant turns; Late: both 2, only ana 1, only ben 1,
neither 4, kappa 14/30).
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qualcode.cli.main import app
from qualcode.store import open_project

runner = CliRunner()


@pytest.fixture
def db(tmp_path, monkeypatch, agreement_study):
    monkeypatch.setenv("QUALCODE_CODER", "cli-tester")
    path = tmp_path / "p.db"
    with open_project(path) as p:
        units = agreement_study.build(p)
    return path, units


def run(path, *args):
    return runner.invoke(app, [*args, "-p", str(path)])


def test_agreement_json(db):
    path, _ = db
    res = run(path, "agreement", "--coders", "ana", "ben", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["coders"] == ["ana", "ben"] and out["unit"] == "turn" and out["units"] == 8
    late = next(c for c in out["codes"] if c["path"] == "Feedback > Late")
    assert (late["code"], late["both"], late["only"], late["neither"]) == ("Late", 2, {"ana": 1, "ben": 1}, 4)
    assert late["kappa"] == pytest.approx(14 / 30, abs=1e-4) and late["percent_agreement"] == pytest.approx(75.0)
    unused = next(c for c in out["codes"] if c["path"] == "Unused")
    assert unused["kappa"] is None and unused["alpha"] is None and unused["note"]
    assert set(out["overall"]) >= {"kappa_mean", "kappa_pooled", "alpha"}
    same = run(path, "agreement", "--coders", "ana,ben", "--codes", "Late", "Useful", "--unit", "sentence", "--json")
    assert same.exit_code == 0, same.output
    assert [c["path"] for c in json.loads(same.output)["codes"]] == ["Feedback > Late", "Feedback > Useful"]
    assert json.loads(same.output)["units"] == 9


def test_agreement_table_and_rollup(db):
    path, _ = db
    res = run(path, "agreement", "--rollup", "--coders", "ana", "ben")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert "only ana" in lines[1] and "only ben" in lines[1]
    feedback = next(line for line in lines if line.startswith("Feedback "))
    # both 3, only ana 1, only ben 1, neither 3
    assert feedback.split()[-4:] == ["3", "1", "1", "3"]
    assert any(line.startswith("overall: mean kappa") for line in lines)
    assert any(line.startswith("note: Unused") for line in lines)


def test_disagreements(db):
    path, units = db
    res = run(path, "agreement", "disagreements", "Late", "--coders", "ana", "--coders", "ben", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["path"] == "Feedback > Late" and out["coders"] == ["ana", "ben"]
    assert [(d["document"], d["start"], d["applied_by"], d["not_applied_by"]) for d in out["disagreements"]] == [
        ("int1", units["u2"][1], ["ana"], ["ben"]),
        ("int2", units["u6"][1], ["ben"], ["ana"]),
    ]
    text = run(path, "agreement", "disagreements", "Late", "--coders", "ana", "--coders", "ben")
    assert text.exit_code == 0 and "2 disagreements" in text.output and "Nobody called us back." in text.output


def test_user_errors(db):
    path, _ = db
    for args in (
        ["agreement", "--coders", "ana"],
        ["agreement", "--coders", "ana,zoe"],
        ["agreement", "--unit", "page"],
        ["agreement", "disagreements", "Nope"],
    ):
        res = run(path, *args)
        assert res.exit_code == 1, args
        assert "Error:" in res.output and "Traceback" not in res.output
