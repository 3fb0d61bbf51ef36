"""The coding commands end to end: code, --batch, uncode, memo, search, undo/redo, log."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qualcode.cli.main import app
from qualcode.store import open_project

runner = CliRunner()


@pytest.fixture
def db(tmp_path, monkeypatch, transcript):
    monkeypatch.setenv("QUALCODE_CODER", "cli-tester")
    path = tmp_path / "p.db"
    with open_project(path) as p:
        p.documents.add(
            transcript(
                "int1",
                [
                    ("Interviewer", "Tell me about feedback."),
                    ("Ana", "The debrief came six weeks late and said nothing."),
                ],
            )
        )
        p.codes.ensure_path("Feedback > Late")
        p.codes.ensure_path("Burden > Cost")
    return path


TEXT = "Interviewer: Tell me about feedback.\n\nAna: The debrief came six weeks late and said nothing."
S = str(TEXT.index("six weeks late"))
E = str(TEXT.index("six weeks late") + len("six weeks late"))


def run(db, *args):
    return runner.invoke(app, [*args, "-p", str(db)])


def test_code_span_json(db):
    res = run(db, "code", "int1", S, E, "Late", "--json")
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.output)
    assert row["path"] == "Feedback > Late" and row["text"] == "six weeks late" and row["coder"] == "cli-tester"


def test_code_whole_turn_and_bad_input(db):
    assert run(db, "code", "int1", "--turn", "1", "Cost").exit_code == 0
    bad = run(db, "code", "int1", "10", "99999", "Late")
    assert bad.exit_code == 1 and "outside" in bad.output and "Traceback" not in bad.output
    assert run(db, "code", "nodoc", "0", "3", "Late").exit_code == 1
    assert run(db, "code", "int1", "0", "3", "Nope").exit_code == 1


def test_batch_all_or_none(db, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(f"document,start,end,code,memo\nint1,{S},{E},Late,important\nint1,,,Cost,\n", encoding="utf-8")
    res = run(db, "code", "--batch", str(good), "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["added"] == 2 and json.loads(res.output)["memos"] == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("document,start,end,code\nint1,0,4,Late\nint1,5,2,Late\n", encoding="utf-8")
    res = run(db, "code", "--batch", str(bad))
    assert res.exit_code == 1 and "bad.csv:3" in res.output
    with open_project(db) as p:
        assert len(p.codings.all()) == 2  # nothing of bad.csv


def test_batch_by_quote_and_created_codes(db, tmp_path):
    f = tmp_path / "q.csv"
    f.write_text('document,quote,code\nint1,"six  weeks\nlate",New theme > Delay\n', encoding="utf-8")
    assert run(db, "code", "--batch", str(f)).exit_code == 1  # unknown code without --create-codes
    res = run(db, "code", "--batch", str(f), "--create-codes")
    assert res.exit_code == 0, res.output
    with open_project(db) as p:
        (c,) = p.codings.all()
        assert p.documents.find("int1").text[c.start : c.end] == "six weeks late"
        assert p.codes.get(c.code_id).path == "New theme > Delay"


def test_uncode_undo_redo_log(db):
    run(db, "code", "int1", S, E, "Late")
    assert run(db, "uncode", "int1", S, E).exit_code == 0
    with open_project(db) as p:
        assert p.codings.all() == []
    assert "undone" in run(db, "undo").output
    with open_project(db) as p:
        assert len(p.codings.all()) == 1
    assert run(db, "redo").exit_code == 0
    log = json.loads(run(db, "log", "--json").output)
    assert [e["action"] for e in log[:3]] == ["redo", "undo", "uncode"]


def test_memo_and_search(db):
    assert run(db, "memo", "Check this turn", "--document", "int1", "--turn", "1").exit_code == 0
    memos = json.loads(run(db, "memos", "--json").output)
    assert memos[0]["target"] == "turn" and memos[0]["author"] == "cli-tester"
    hits = json.loads(run(db, "search", "debrief", "--json").output)
    assert hits[0]["document"] == "int1" and hits[0]["speaker"] == "Ana"


def test_missing_project_is_a_clean_error(tmp_path):
    res = runner.invoke(app, ["search", "x", "-p", str(tmp_path / "none.db")])
    assert res.exit_code == 1 and "Error:" in res.output


def test_batch_reads_doubled_quotes_and_names_rows_with_extra_fields(db, tmp_path, transcript):
    with open_project(db) as p:
        p.documents.add(transcript("int2", [("Ben", 'They called it "robust", but it was not.')]))
    ok = tmp_path / "ok.csv"
    ok.write_text('document,quote,code\nint2,"called it ""robust"", but",Late\n', encoding="utf-8")
    res = run(db, "code", "--batch", str(ok))
    assert res.exit_code == 0, res.output
    extra = tmp_path / "extra.csv"
    extra.write_text("document,quote,code\nint2,robust,Late,surplus\n", encoding="utf-8")
    res = run(db, "code", "--batch", str(extra))
    assert res.exit_code == 1 and "extra.csv:2" in res.output and "Traceback" not in res.output
