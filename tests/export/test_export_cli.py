"""``qualcode export …`` through typer's CliRunner: the JSON scripting contract, files, errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from qualcode.cli.main import app

SCALE = "Strongly disagree,Disagree,Neutral,Agree,Strongly agree"


@pytest.fixture
def db(project, build_study):
    build_study(project)
    for name, answer in {"Alice": "Agree", "Bob": "Strongly agree", "Carol": "Disagree", "Dan": "7"}.items():
        project.participants.ensure(name, {"q1": answer})
    return str(project.path)


def run(*args: str):
    return CliRunner().invoke(app, ["export", *args])


def test_frequencies_json_contract(db):
    result = run("frequencies", "-p", db, "--by", "org_size", "--format", "json", "-o", "-")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    barriers = next(r for r in data if r["path"] == "Barriers")
    # Hand counts (see test_analysis_fixture): 7 codings, 3 documents, 4 of 5 participants.
    assert {k: barriers[k] for k in ("code", "codings", "documents", "participants")} == {
        "code": "Barriers",
        "codings": 7,
        "documents": 3,
        "participants": 4,
    }
    assert barriers["participants_percent"] == pytest.approx(80.0)
    assert barriers["by"]["org_size"]["SME"] == {
        "codings": 4,
        "participants": 2,
        "participants_percent": pytest.approx(200 / 3),
        "participants_base": 3,
    }


def test_frequencies_switches(db):
    pending = json.loads(run("frequencies", "-p", db, "-f", "json", "--exclude-pending").stdout)
    assert next(r for r in pending if r["path"] == "Barriers > Time")["codings"] == 1  # c5 pending left out
    assert pending[0]["include_pending"] is False
    interviewer = json.loads(
        run("frequencies", "-p", db, "-f", "json", "--include-interviewer", "--codes", "Support").stdout
    )
    assert [(r["path"], r["codings"]) for r in interviewer] == [("Enablers > Support", 2)]  # + c4


def test_likert_json_contract(db):
    result = run("likert", "-p", db, "--items", "q1", "--scale", SCALE, "--format", "json", "-o", "-")
    assert result.exit_code == 0, result.output
    (item,) = json.loads(result.stdout)
    # Alice Agree, Bob Strongly agree, Carol Disagree; Dan's "7" is invalid: n = 3.
    assert (item["item"], item["n"], item["invalid"]) == ("q1", 3, 1)
    assert item["levels"]["Agree"] == {"count": 1, "percent": pytest.approx(100 / 3)}
    assert item["agree_percent"] == pytest.approx(200 / 3)
    assert item["disagree_percent"] == pytest.approx(100 / 3)


def test_evidence_json_contract(db):
    result = run("evidence", "-p", db, "--by", "org_size", "--quotes", "2", "-f", "json", "-o", "-")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    cost = next(r for r in data if r["path"] == "Barriers > Cost")
    for key in ("code", "path", "codings", "documents", "participants", "by", "quotes"):
        assert key in cost
    assert len(cost["quotes"]) == 2
    for quote in cost["quotes"]:
        assert set(quote) >= {"text", "document", "participant", "start", "end"}


def test_csv_to_stdout_and_files_by_extension(db, tmp_path):
    result = run("matrix", "-p", db, "--cols", "attr:org_size", "--value", "participants", "-o", "-")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["code", "multinational", "SME"]
    assert rows[1] == ["Barriers", "2", "2"]
    out = tmp_path / "co.xlsx"
    result = run("cooccurrence", "-p", db, "-o", str(out))
    assert result.exit_code == 0 and out.exists()
    for command in ("presence", "codings", "memos", "coverage", "saturation"):
        target = tmp_path / f"{command}.md"
        assert run(command, "-p", db, "-o", str(target)).exit_code == 0, command
        assert target.read_text(encoding="utf-8").startswith("# ")
    docx = tmp_path / "ev.docx"
    assert run("evidence", "-p", db, "-o", str(docx), "--pseudonymise").exit_code == 0
    assert docx.exists() and (tmp_path / "ev_frequency.png").exists()


def test_user_errors_are_one_line(db, tmp_path):
    for args in (
        ("frequencies", "-p", db, "--by", "sector"),
        ("frequencies", "-p", db, "-f", "xlsx", "-o", "-"),
        ("frequencies", "-p", db, "-o", str(tmp_path / "x.txt")),
        ("frequencies", "-p", db, "--codes", "Nope"),
        ("matrix", "-p", db, "--value", "minutes"),
        ("likert", "-p", db, "--items", "nope", "--scale", SCALE),
        ("frequencies", "-p", str(tmp_path / "missing.db")),
        ("frequencies", "-p", db, "-o", str(tmp_path / "no" / "dir.csv")),
    ):
        result = run(*args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith("Error: "), (args, result.stderr)
        assert "Traceback" not in result.output
