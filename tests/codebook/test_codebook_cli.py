"""The ``qualcode codebook`` commands, through typer's CliRunner."""

from __future__ import annotations

import json
import textwrap

import pytest
from typer.testing import CliRunner

from qualcode.model import ParsedDocument, ParsedTurn
from qualcode.store import open_project

BOOK = textwrap.dedent(
    """\
    codebook: CLI study
    themes:
      - name: Feedback
        key: f
        description: What bidders hear.
        codes:
          - name: Timeliness
            keywords: [late, weeks]
          - name: Quality
      - name: Burden
    """
)


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A project file, a codebook file and a runner with --project set by env."""
    db = tmp_path / "study.db"
    open_project(db).close()
    monkeypatch.setenv("QUALCODE_PROJECT", str(db))
    monkeypatch.setenv("QUALCODE_CODER", "tester")
    book = tmp_path / "book.yaml"
    book.write_text(BOOK, encoding="utf-8")
    from qualcode.cli.main import app

    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, ["codebook", *args])

    return run, db, book, tmp_path


def test_load_show_json_and_counts(env):
    run, db, book, _ = env
    res = run("load", str(book), "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["added"] == ["Feedback", "Feedback > Timeliness", "Feedback > Quality", "Burden"]
    assert data["removed"] == [] and data["kept"] == []
    with open_project(db) as proj:
        text = "It took five weeks to hear back."
        doc, _ = proj.documents.add(ParsedDocument("d", "interview", text, [ParsedTurn("P", 0, len(text))]))
        proj.codings.apply(doc.id, 0, 7, ["Timeliness"])
        proj.codings.apply(doc.id, 8, 18, ["Timeliness", "Feedback"])
    res = run("show", "--json")
    assert res.exit_code == 0, res.output
    tree = json.loads(res.stdout)
    assert [n["name"] for n in tree] == ["Feedback", "Burden"]
    fb = tree[0]
    assert {"name", "path", "description", "codings", "children"} <= set(fb)
    assert (fb["codings"], fb["codings_total"], fb["key"]) == (1, 3, "f")
    assert fb["children"][0]["path"] == "Feedback > Timeliness"
    assert fb["children"][0]["codings"] == 2 and fb["children"][0]["keywords"] == ["late", "weeks"]
    assert fb["children"][0]["children"] == []
    human = run("show")
    assert human.exit_code == 0
    lines = human.stdout.splitlines()
    assert lines[0] == "Feedback [f]  3 (1 direct)"
    assert lines[1] == "  Timeliness  2"


def test_load_twice_is_unchanged_and_replace(env):
    run, db, book, tmp_path = env
    assert run("load", str(book)).exit_code == 0
    res = run("load", str(book), "--json")
    assert json.loads(res.stdout)["unchanged"] and not json.loads(res.stdout)["added"]
    smaller = tmp_path / "small.yaml"
    smaller.write_text("themes:\n  - name: Feedback\n", encoding="utf-8")
    dry = run("load", str(smaller), "--replace", "--dry-run", "--json")
    assert json.loads(dry.stdout)["removed"] == ["Feedback > Timeliness", "Feedback > Quality", "Burden"]
    with open_project(db) as proj:
        assert len(proj.codes.all()) == 4  # dry run changed nothing
    res = run("load", str(smaller), "--replace")
    assert res.exit_code == 0 and "3 removed" in res.stdout
    with open_project(db) as proj:
        assert [c.path for c in proj.codes.all()] == ["Feedback"]


def test_load_errors(env):
    run, db, _, tmp_path = env
    bad = tmp_path / "bad.yaml"
    bad.write_text("themes:\n  - name: A\n  - descripton: x\n", encoding="utf-8")
    res = run("load", str(bad))
    assert res.exit_code == 1
    assert res.stderr.startswith(f"Error: {bad}:3: unknown key 'descripton'")
    assert "Traceback" not in res.output
    assert run("load", str(tmp_path / "missing.csv")).exit_code == 1


def test_export_formats(env):
    run, db, book, tmp_path = env
    run("load", str(book))
    for fmt in ("yaml", "csv", "qdc"):
        out = tmp_path / f"out.{fmt}"
        res = run("export", str(out), "--json")
        assert res.exit_code == 0, res.output
        assert json.loads(res.stdout) == {"file": str(out), "format": fmt, "codes": 4}
        check = run("check", str(out), "--json")
        assert json.loads(check.stdout)["codes"] == 4
    again = run("export", str(tmp_path / "out.yaml"))
    assert again.exit_code == 1 and "--force" in again.stderr
    forced = run("export", str(tmp_path / "plain.txt"), "--format", "yaml")
    assert forced.exit_code == 0 and (tmp_path / "plain.txt").read_text().startswith("codebook:")
    assert run("export", str(tmp_path / "x.docx")).exit_code == 1


def test_code_management(env):
    run, db, book, _ = env
    run("load", str(book))
    res = run("add", "Burden > Cost > Bid team", "--key", "b", "--colour", "#aabbcc", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["path"] == "Burden > Cost > Bid team"
    assert run("add", "Burden > Cost > Bid team").exit_code == 1
    assert run("add", "X", "--key", "f").exit_code == 1  # key clash, from the store
    assert run("add", "Y", "--colour", "blue").exit_code == 1
    res = run("update", "Bid team", "--keywords", "bid writer, consultant", "--example", "We hired one.", "--json")
    assert json.loads(res.stdout)["keywords"] == ["bid writer", "consultant"]
    assert run("update", "Bid team").exit_code == 1  # nothing to update
    assert run("rename", "Quality", "Feedback quality").exit_code == 0
    res = run("move", "Bid team", "--to", "Feedback", "--json")
    assert json.loads(res.stdout)["path"] == "Feedback > Bid team"
    assert run("move", "Bid team").exit_code == 1
    assert json.loads(run("move", "Bid team", "--top", "--json").stdout)["path"] == "Bid team"
    with open_project(db) as proj:
        text = "A sentence about cost."
        doc, _ = proj.documents.add(ParsedDocument("d", "interview", text, [ParsedTurn("P", 0, len(text))]))
        proj.codings.apply(doc.id, 0, 10, ["Bid team"])
        bid_team = proj.codes.resolve("Bid team").id
    blocked = run("delete", "Bid team")
    assert blocked.exit_code == 1 and "codings" in blocked.stderr
    res = run("merge", "Bid team", "Burden > Cost", "--json")
    assert res.exit_code == 0, res.output
    with open_project(db) as proj:
        cost = proj.codes.resolve("Burden > Cost")
        assert [c.code_id for c in proj.codings.all()] == [cost.id]
        assert all(c.id != bid_team for c in proj.codes.all())
    assert run("delete", "Feedback quality").exit_code == 0
    assert run("delete", "Nope").exit_code == 1
    with open_project(db) as proj:
        assert [c.path for c in proj.codes.all()] == ["Feedback", "Feedback > Timeliness", "Burden", "Burden > Cost"]
