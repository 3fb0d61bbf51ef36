"""import_paths: atomic per file, re-import no-op, replace, participants sheet."""

from __future__ import annotations

from pathlib import Path

from qualcode.ingest import ImportOptions, import_paths, load_participants_file

INTERVIEW = "Interviewer: How was it?\n\nPriya: Slow.\n\nInterviewer: Why?\n\nPriya: Forms.\n"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_reimport_is_a_noop_and_replace_replaces(project, tmp_path) -> None:
    path = _write(tmp_path / "i1.txt", INTERVIEW)
    [first] = import_paths(project, [path])
    assert (first.status, first.document, first.turns) == ("imported", "i1", 4)
    events = len(project.history.events())
    [again] = import_paths(project, [path])
    assert again.status == "skipped"
    assert len(project.history.events()) == events
    [replaced] = import_paths(project, [path], ImportOptions(replace=True, kind="other"))
    assert replaced.status == "replaced"
    assert project.documents.find("i1").kind == "other"
    assert len(project.documents.all()) == 1


def test_changed_file_with_same_name_is_an_error_without_replace(project, tmp_path) -> None:
    path = _write(tmp_path / "i1.txt", INTERVIEW)
    import_paths(project, [path])
    _write(path, INTERVIEW + "\nInterviewer: More?\n")
    [result] = import_paths(project, [path])
    assert result.status == "error" and "--replace" in result.error and "i1.txt" in result.error


def test_folder_with_a_corrupt_file_imports_the_good_ones(project, tmp_path) -> None:
    folder = tmp_path / "study"
    _write(folder / "a.txt", INTERVIEW)
    _write(folder / "sub" / "b.md", INTERVIEW.replace("Priya", "Tom"))
    (folder / "c.docx").write_bytes(b"PK\x03\x04 this is not really a docx")
    _write(folder / ".hidden.txt", INTERVIEW)
    _write(folder / "notes.xyz", "ignored: unsupported extension in a folder")
    # a multi-document CSV whose second document collides with a.txt: nothing of it may land
    _write(folder / "d.csv", "document,speaker,text\nd1,Ann,Hello there\nd1,Bob,Hi\na,Ann,Clash\n")
    seen: list[tuple[int, int]] = []
    results = import_paths(project, [folder], on_progress=lambda done, total: seen.append((done, total)))
    assert [Path(r.file).name for r in results] == ["a.txt", "c.docx", "d.csv", "b.md"]
    assert [r.status for r in results] == ["imported", "error", "error", "imported"]
    assert "c.docx" in results[1].error and "c.docx" in results[1].error.split(":")[0]
    assert {d.name for d in project.documents.all()} == {"a", "b"}
    assert project.participants.find("d1 · Ann") is None and project.participants.find("Ann") is None
    assert seen[-1] == (4, 4)


def test_participants_sheet_maps_speakers_documents_and_attributes(project, tmp_path) -> None:
    _write(tmp_path / "i1.txt", INTERVIEW)
    _write(tmp_path / "i2.txt", "Interviewer: Hi\n\nRespondent: Yes\n\nInterviewer: Ok\n\nRespondent: Fine\n")
    _write(tmp_path / "fg.txt", "Moderator: Hi\n\nSam: A\n\nAli: B\n\nJo: C\n\nSam: D\n\nAli: E\n\nJo: F\n")
    sheet = _write(
        tmp_path / "people.csv",
        "participant,document,speaker,org_size,sector\n"
        "P01,i1,priya,SME,software\n"  # document + speaker (case-insensitive)
        "P02,i2,,multinational,telecoms\n"  # whole document
        "Sam,,Sam,SME,hardware\n",  # speaker everywhere
    )
    assert len(load_participants_file(sheet).rows) == 3
    results = import_paths(project, sorted(tmp_path.glob("*.txt")), ImportOptions(participants_file=sheet))
    assert [r.status for r in results] == ["imported"] * 3
    turns = {d.name: project.documents.turns(d.id) for d in project.documents.all()}
    names = {p.id: p.name for p in project.participants.all()}
    assert [names.get(t.participant_id) for t in turns["i1"]] == [None, "P01", None, "P01"]
    assert [names.get(t.participant_id) for t in turns["i2"]] == [None, "P02", None, "P02"]
    assert [names.get(t.participant_id) for t in turns["fg"]][:4] == [None, "Sam", "Ali", "Jo"]
    assert project.participants.find("P01").attributes == {"org_size": "SME", "sector": "software"}
    assert project.participants.find("Sam").attributes == {"org_size": "SME", "sector": "hardware"}
    kinds = {d.name: d.kind for d in project.documents.all()}
    assert kinds == {"i1": "interview", "i2": "interview", "fg": "focus_group"}
    assert project.participants.find("Priya") is None


def test_interviewer_option_and_generic_labels(project, tmp_path) -> None:
    path = _write(tmp_path / "s.txt", "Dana: Hi\n\nSpeaker 2: Hello\n\nDana: Why?\n\nSpeaker 2: Because\n")
    import_paths(project, [path], ImportOptions(interviewers=("dana",)))
    doc = project.documents.find("s")
    turns = project.documents.turns(doc.id)
    assert [t.role for t in turns] == ["interviewer", "participant"] * 2
    assert project.participants.get(turns[1].participant_id).name == "s · Speaker 2"


def test_survey_rows_without_answers_still_become_participants(project, tmp_path) -> None:
    path = _write(
        tmp_path / "survey.csv",
        "respondent_id,org_size,feedback_comments,improvements\nR1,SME,Slow.,Faster.\nR2,large,,\nR3,SME,,Publish.\n",
    )
    options = ImportOptions(survey=True, id_column="respondent_id", text_columns=("feedback_comments", "improvements"))
    [result] = import_paths(project, [path], options)
    assert result.documents == ["R1 · feedback_comments", "R1 · improvements", "R3 · improvements"]
    assert [p.name for p in project.participants.all()] == ["R1", "R2", "R3"]
    assert project.participants.find("R2").attributes == {"org_size": "large"}
    doc = project.documents.find("R3 · improvements")
    assert doc.kind == "survey" and project.participants.get(doc.participant_id).name == "R3"
    [again] = import_paths(project, [path], options)
    assert again.status == "skipped"


def test_exclude_patterns_skip_files_in_folders_only(tmp_path):
    from qualcode.ingest import walk

    (tmp_path / "a.txt").write_text("Ana: hi\nBen: yo\nAna: bye\n", encoding="utf-8")
    (tmp_path / "people.csv").write_text("participant,org\nAna,SME\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("Notes.", encoding="utf-8")
    assert {p.name for p in walk([tmp_path])} == {"a.txt", "people.csv", "b.md"}
    assert {p.name for p in walk([tmp_path], ["*.csv", "*.md"])} == {"a.txt"}
    # A file named explicitly is taken even if it matches a pattern.
    assert [p.name for p in walk([tmp_path / "people.csv"], ["*.csv"])] == ["people.csv"]
