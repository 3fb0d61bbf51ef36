"""The import, documents, show and participants commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli.main import app

INTERVIEW = "Interviewer: How was it?\n\nPriya: Slow.\n\nInterviewer: Why?\n\nPriya: Forms.\n"


@pytest.fixture
def runner(monkeypatch) -> CliRunner:
    monkeypatch.setenv("QUALCODE_CODER", "tester")
    return CliRunner()


def _run(runner: CliRunner, db: Path, *args: str):
    return runner.invoke(app, [*args, "--project", str(db)])


def test_bad_file_in_json_import_is_error_and_exit_1(runner, tmp_path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(INTERVIEW, encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    db = tmp_path / "p.db"
    res = _run(runner, db, "import", str(good), str(bad), "--json")
    assert res.exit_code == 1
    rows = json.loads(res.stdout)
    assert [(r["status"], r["document"]) for r in rows] == [("imported", "good"), ("error", None)]
    assert "bad.json" in rows[1]["error"] and rows[0]["error"] is None
    listed = json.loads(_run(runner, db, "documents", "--json").stdout)
    assert [(d["name"], d["kind"], d["words"], d["turns"], d["codings"]) for d in listed] == [
        ("good", "interview", 10, 4, 0)
    ]  # 4 + 2 + 2 + 2 whitespace words, labels included


def test_human_output_names_the_bad_file(runner, tmp_path) -> None:
    bad = tmp_path / "empty.txt"
    bad.write_text("", encoding="utf-8")
    res = _run(runner, tmp_path / "p.db", "import", str(bad))
    assert res.exit_code == 1
    assert "Error:" in res.stderr and "empty.txt" in res.stderr and "Traceback" not in res.output


def test_show_and_participants(runner, tmp_path) -> None:
    src = tmp_path / "i1.txt"
    src.write_text(INTERVIEW, encoding="utf-8")
    sheet = tmp_path / "people.csv"
    sheet.write_text("participant,document,speaker,org_size\nP01,i1,Priya,SME\n", encoding="utf-8")
    db = tmp_path / "p.db"
    assert _run(runner, db, "import", str(src), "--participants", str(sheet)).exit_code == 0
    shown = json.loads(_run(runner, db, "show", "i1", "--json").stdout)
    assert shown["name"] == "i1" and shown["kind"] == "interview"
    assert [(t["speaker"], t["role"], t["participant"]) for t in shown["turns"]] == [
        ("Interviewer", "interviewer", None),
        ("Priya", "participant", "P01"),
    ] * 2
    assert all(shown["text"][t["start"] : t["end"]] == t["text"] for t in shown["turns"])
    assert shown["turns"][3]["text"] == "Forms."
    human = _run(runner, db, "show", "i1").stdout
    assert "Priya [P01]:\nSlow." in human
    assert _run(runner, db, "show", "i1", "--text").stdout == INTERVIEW + "\n"
    people = json.loads(_run(runner, db, "participants", "--json").stdout)
    assert people == [{"id": people[0]["id"], "name": "P01", "attributes": {"org_size": "SME"}, "documents": ["i1"]}]
    res = runner.invoke(app, ["participants", "set", "P01", "sector=software", "--project", str(db)])
    assert res.exit_code == 0, res.output
    people = json.loads(_run(runner, db, "participants", "--json").stdout)
    assert people[0]["attributes"] == {"org_size": "SME", "sector": "software"}
    missing = _run(runner, db, "show", "nope")
    assert missing.exit_code == 1 and "Error:" in missing.stderr


def test_demo_study_imports(runner, demo_dir, tmp_path) -> None:
    needed = [demo_dir / "participants.csv", demo_dir / "focus_group_01.vtt"]
    if not all(p.exists() for p in needed):
        pytest.skip("demo study not written yet")
    files = sorted(str(p) for p in demo_dir.glob("*.txt")) + sorted(str(p) for p in demo_dir.glob("*.vtt"))
    db = tmp_path / "demo.db"
    res = _run(runner, db, "import", *files, "--participants", str(needed[0]), "--json")
    assert res.exit_code == 0, res.output
    assert {r["status"] for r in json.loads(res.stdout)} == {"imported"}
    people = {p["name"]: p for p in json.loads(_run(runner, db, "participants", "--json").stdout)}
    # participants.csv maps TOMAS in interview_03 to "Tomas"; the focus group has four named people
    assert people["Tomas"]["documents"] == ["interview_03_sme_cybersecurity"]
    assert people["Aisha"]["documents"] == ["focus_group_01"]
    assert people["Aisha"]["attributes"]["org_size"] == "SME"
    docs = {d["name"]: d for d in json.loads(_run(runner, db, "documents", "--json").stdout)}
    assert docs["focus_group_01"]["kind"] == "focus_group"
    assert docs["interview_02_multinational_consultancy"]["kind"] == "interview"


def test_documents_lists_a_table_for_people(runner, tmp_path) -> None:
    """The plain listing (not --json): a header and one aligned row per document."""
    for name in ("good", "a_much_longer_name"):
        (tmp_path / f"{name}.txt").write_text(INTERVIEW.replace("Forms", name), encoding="utf-8")
    db = tmp_path / "p.db"
    assert (
        _run(runner, db, "import", str(tmp_path / "good.txt"), str(tmp_path / "a_much_longer_name.txt")).exit_code == 0
    )
    res = _run(runner, db, "documents")
    assert res.exit_code == 0, res.output
    head, *rows = res.stdout.splitlines()
    assert head.split() == ["document", "kind", "words", "turns", "codings", "participant"]
    assert [r.split() for r in rows] == [
        ["a_much_longer_name", "interview", "10", "4", "0", "Priya"],
        ["good", "interview", "10", "4", "0", "Priya"],
    ]
    assert head.index("kind") == rows[1].index("interview") == len("a_much_longer_name") + 2
