"""A survey CSV through import and ``export likert``: blanks, don't know, several items."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from qualcode.cli.main import app

runner = CliRunner()
SCALE = "Strongly disagree,Disagree,Neutral,Agree,Strongly agree"
# Hand count for q1 over the 6 rows below: SD 1, D 2, N 0, A 1, SA 0, don't know 1, blank 1.
# Base n = 4 (don't know and blank left out); disagree = 3/4 = 75 %, agree = 1/4 = 25 %.
CSV = """id,org,q1,q2,comment
R1,SME,Strongly disagree,Agree,Too slow
R2,SME,Disagree,Agree,
R3,MNC,Disagree,Disagree,Fine
R4,MNC,Agree,,
R5,SME,Don't know,Agree,Meh
R6,MNC,,Strongly agree,
"""


def test_likert_counts_blanks_as_missing_and_takes_several_items(tmp_path):
    src = tmp_path / "s.csv"
    src.write_text(CSV, encoding="utf-8")
    db = str(tmp_path / "p.db")
    res = runner.invoke(
        app, ["import", str(src), "--survey", "--id-column", "id", "--text-column", "comment", "-p", db]
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(
        app, ["export", "likert", "--items", "q1", "q2", "--scale", SCALE, "--format", "json", "-o", "-", "-p", db]
    )
    assert res.exit_code == 0, res.output
    q1, q2 = json.loads(res.output)
    assert (q1["item"], q1["n"], q1["missing"], q1["dont_know"], q1["respondents"]) == ("q1", 4, 1, 1, 6)
    assert q1["levels"]["Disagree"] == {"count": 2, "percent": 50.0}
    assert q1["disagree_percent"] == 75.0 and q1["agree_percent"] == 25.0
    # q2: A 3, D 1, SA 1, blank 1 -> n 5, agree 4/5.
    assert (q2["n"], q2["missing"], q2["agree_percent"]) == (5, 1, 80.0)
