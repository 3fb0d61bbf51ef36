"""Speakers you can see and fix: listing, similar_to, rename, role, participants merge, undo, import warnings.

Uses the ``messy_study`` fixture (tests/conftest.py): int1 has 3 "Participant" turns and one "Particpant";
int2 has 3 "Tomas" turns and one "TOMAS"; fg has Dan (2 turns) and Dana (1 turn).
"""

from __future__ import annotations

import json

from typer.testing import CliRunner

from qualcode.analysis import frequencies
from qualcode.cli.main import app
from qualcode.services.speakers import list_speakers, merge_participants, rename_speaker, set_speaker_role

P1 = "int1 · Participant"


def _labels(proj, document=None):
    return {(s.document, s.speaker): s for s in list_speakers(proj, document)}


def _base(proj):
    return int(frequencies(proj).attrs["participants_base"])


def test_speakers_listing_and_similar_to(messy_study):
    proj, _ = messy_study
    found = _labels(proj)
    assert found[("int1", "Particpant")].similar_to == "Participant"
    assert found[("int1", "Particpant")].turns == 1 and found[("int1", "Participant")].turns == 3
    assert found[("int2", "TOMAS")].similar_to == "Tomas"  # equal ignoring case
    # TOMAS and Tomas match one participant (case-insensitive matching at import).
    assert found[("int2", "TOMAS")].participant == found[("int2", "Tomas")].participant
    # Dana (1 turn) is one edit from Dan, but Dan has only 2 turns: not frequent, so no flag (never merged).
    assert found[("fg", "Dana")].similar_to is None and found[("fg", "Dana")].participant == "Dana"
    assert found[("int1", "Interviewer")].role == "interviewer" and found[("int1", "Interviewer")].participant is None
    assert found[("int1", "Participant")].similar_to is None  # frequent labels are never suspects
    out = CliRunner().invoke(app, ["speakers", "--document", "int1", "--json", "-p", str(proj.path)])
    rows = json.loads(out.stdout)
    assert [r["speaker"] for r in rows] == ["Interviewer", "Participant", "Particpant"]
    assert set(rows[0]) >= {"document", "speaker", "turns", "role", "participant", "similar_to"}


def test_rename_fixes_the_misspelling_and_undo_restores(messy_study):
    proj, ids = messy_study
    assert _base(proj) == 5
    change = rename_speaker(proj, "Particpant", "Participant", "int1")
    assert (change.action, change.turns, change.participants) == ("rename", 1, [P1])
    assert change.removed_participants == ["Particpant"]
    labels = _labels(proj, "int1")
    assert ("int1", "Particpant") not in labels and labels[("int1", "Participant")].turns == 4
    assert proj.participants.find("Particpant") is None
    # int1 now has one participant of its own; c3 (Winter) counts for them: base 5 -> 4.
    assert proj.documents.find("int1").participant_id == proj.participants.find(P1).id
    assert _base(proj) == 4
    winter = frequencies(proj).set_index("path").loc["Barriers > Winter"]
    assert winter["participants"] == 3  # P1 (c3), Dan and Dana (c8, c11)
    proj.history.undo()
    labels = _labels(proj, "int1")
    assert labels[("int1", "Particpant")].participant == "Particpant"
    assert proj.documents.find("int1").participant_id is None and _base(proj) == 5


def test_rename_case_variant(messy_study):
    proj, _ = messy_study
    # At import, "TOMAS" (1 turn) and "Tomas" (3 turns) became one participant spelt as most turns spell it.
    assert [p.name for p in proj.participants.all() if p.name.casefold() == "tomas"] == ["Tomas"]
    change = rename_speaker(proj, "TOMAS", "Tomas")
    assert change.turns == 1 and change.participants == ["Tomas"] and change.removed_participants == []
    labels = _labels(proj, "int2")
    assert labels[("int2", "Tomas")].turns == 4 and labels[("int2", "Tomas")].participant == "Tomas"
    assert ("int2", "TOMAS") not in labels
    proj.history.undo()
    assert _labels(proj, "int2")[("int2", "TOMAS")].turns == 1


def test_rename_renames_a_participant_named_after_a_case_variant(project):
    from qualcode.model import ParsedDocument, ParsedTurn

    # Stored directly (as an older import did): labels ANN (1 turn) and Ann (2 turns), participant "ANN".
    lines = [
        ("Interviewer", "hello?"),
        ("ANN", "hi"),
        ("Interviewer", "and?"),
        ("Ann", "so"),
        ("Interviewer", "bye?"),
        ("Ann", "bye"),
    ]
    text, turns = "", []
    for speaker, said in lines:
        start = len(text) + len(speaker) + 2
        text += f"{speaker}: {said}\n"
        role = "interviewer" if speaker == "Interviewer" else "participant"
        turns.append(ParsedTurn(speaker, start, start + len(said), role, None if role == "interviewer" else speaker))
    project.documents.add(ParsedDocument(name="d", kind="interview", text=text, turns=turns))
    assert [p.name for p in project.participants.all()] == ["ANN"]  # matching ignores case: one person
    rename_speaker(project, "ANN", "Ann")
    assert [p.name for p in project.participants.all()] == ["Ann"]
    project.history.undo()
    assert [p.name for p in project.participants.all()] == ["ANN"]


def test_role_and_undo(messy_study):
    proj, ids = messy_study
    change = set_speaker_role(proj, "Particpant", "interviewer", "int1")
    assert (change.action, change.turns) == ("role", 1)
    assert _labels(proj, "int1")[("int1", "Particpant")].role == "interviewer"
    # c3 now lies wholly in interviewer turns: Winter loses it (3 -> 2) and Particpant leaves the base.
    assert frequencies(proj).set_index("path").loc["Barriers > Winter"]["codings"] == 2
    assert _base(proj) == 4
    back = set_speaker_role(proj, "Particpant", "participant", "int1")
    assert back.participants == ["Particpant"]
    assert _base(proj) == 5
    proj.history.undo()
    proj.history.undo()
    assert _labels(proj, "int1")[("int1", "Particpant")].role == "participant"
    assert _base(proj) == 5


def test_participants_merge_and_undo(messy_study):
    proj, _ = messy_study
    change = merge_participants(proj, P1, "Particpant")
    assert (change.action, change.turns, change.participants) == ("merge", 1, [P1])
    assert proj.participants.find("Particpant") is None
    assert _base(proj) == 4
    proj.history.undo()
    assert proj.participants.find("Particpant") is not None and _base(proj) == 5


def test_merge_conflicting_attribute_is_an_error(messy_study):
    proj, _ = messy_study
    runner = CliRunner()
    out = runner.invoke(app, ["participants", "merge", "Dan", "Dana", "-p", str(proj.path)])
    assert out.exit_code == 1 and "site" in out.output and "North" in out.output and "South" in out.output
    assert proj.participants.find("Dana") is not None  # nothing changed
    out = runner.invoke(app, ["participants", "merge", P1, "Particpant", "--json", "-p", str(proj.path)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert (data["action"], data["turns"], data["participants"]) == ("merge", 1, [P1])
    # The merged participant keeps its attributes (Particpant had none).
    assert proj.participants.find(P1).attributes == {"site": "North"}


def test_cli_rename_role_json_and_errors(messy_study):
    proj, _ = messy_study
    runner = CliRunner()
    path = str(proj.path)
    out = runner.invoke(
        app, ["speakers", "rename", "Particpant", "Participant", "--document", "int1", "--json", "-p", path]
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == {**json.loads(out.stdout), "action": "rename", "turns": 1, "participants": [P1]}
    out = runner.invoke(app, ["speakers", "role", "Dana", "boss", "-p", path])
    assert out.exit_code == 1 and "interviewer or participant" in out.output
    out = runner.invoke(app, ["speakers", "rename", "Nobody", "X", "-p", path])
    assert out.exit_code == 1 and "no speaker 'Nobody'" in out.output
    out = runner.invoke(app, ["speakers", "role", "Dana", "interviewer", "-p", path])
    assert out.exit_code == 0 and "Dana" in out.stdout


def test_import_warns_about_suspect_labels(messy_files, tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "w.db")
    out = runner.invoke(app, ["import", str(messy_files / "int1.txt"), str(messy_files / "fg.txt"), "-p", db])
    assert out.exit_code == 0, out.output
    warnings = [line for line in out.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "'Particpant'" in warnings[0] and "'Participant'" in warnings[0]
    out = runner.invoke(app, ["import", str(messy_files / "int2.txt"), "--json", "-p", db])
    data = json.loads(out.stdout)
    assert data[0]["warnings"] == [
        {
            "document": "int2",
            "speaker": "TOMAS",
            "turns": 1,
            "role": "participant",
            "participant": "Tomas",
            "similar_to": "Tomas",
        }
    ]


def test_participants_sheet_matches_ignoring_case(tmp_path):
    from qualcode.ingest import ImportOptions, import_paths
    from qualcode.store import open_project

    (tmp_path / "a.txt").write_text(
        "Interviewer: Hi?\nTomas: Hello there.\nInterviewer: Bye?\nTomas: Bye.\n", encoding="utf-8"
    )
    (tmp_path / "people.csv").write_text("participant,site\n  tomas ,North\n", encoding="utf-8")
    with open_project(tmp_path / "s.db") as proj:
        import_paths(proj, [tmp_path / "a.txt"], ImportOptions())
        import_paths(proj, [tmp_path / "a.txt"], ImportOptions(participants_file=tmp_path / "people.csv", replace=True))
        people = proj.participants.all()
        assert [(p.name, p.attributes) for p in people] == [("Tomas", {"site": "North"})]


def test_document_scoped_participants_never_match_ignoring_case(tmp_path):
    """Alaska has documents "Interview 1" and "INTERVIEW 1": their "Interviewee"s are two people."""
    from qualcode.ingest import ImportOptions, import_paths
    from qualcode.store import open_project

    for name in ("Interview 1", "INTERVIEW 1"):
        (tmp_path / f"{name}.txt").write_text(
            f"Interviewer: Hi?\nInterviewee: Hello.\nInterviewer: Bye?\nInterviewee: Bye from {name}.\n",
            encoding="utf-8",
        )
    with open_project(tmp_path / "s.db") as proj:
        for name in ("Interview 1", "INTERVIEW 1"):
            import_paths(proj, [tmp_path / f"{name}.txt"], ImportOptions())
        assert sorted(p.name for p in proj.participants.all()) == [
            "INTERVIEW 1 · Interviewee",
            "Interview 1 · Interviewee",
        ]
        assert proj.participants.find("interview 1 · interviewee") is None
        assert proj.participants.find("Interview 1 · Interviewee").name == "Interview 1 · Interviewee"
