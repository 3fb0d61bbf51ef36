"""Importers on real third-party data in ../shared/corpora.

Expected numbers were checked by hand in scratch scripts that do not use
qualcode (the csv/json modules and pandas), as each comment says.
"""

from __future__ import annotations

from collections import Counter

import pytest

from qualcode.ingest import ImportOptions, import_paths, parse_file


@pytest.fixture(scope="module")
def alaska(corpora_dir):
    return parse_file(corpora_dir / "alaska-water-interviews" / "all_public_interviews.csv")


def test_alaska_interviews_are_58_documents(alaska) -> None:
    # pandas: df.Interview.str.strip().nunique() == 58
    assert len(alaska) == 58
    # pandas: 9,815 rows; consecutive rows with the same stripped Speaker in the same
    # interview: 4,243 (page-split turns are merged), so 9,815 - 4,243 turns.
    assert sum(len(d.turns) for d in alaska) == 9815 - 4243


def test_alaska_interview_34_turns_and_roles(alaska) -> None:
    doc = next(d for d in alaska if d.name == "Interview 34")
    # csv module: Interview 34 has 55 rows; its speaker_type sequence printed and read by
    # eye (e R e R ... with 13 "R R" repeats and no "e e") gives 21 interviewee and 21
    # interviewer turns once consecutive rows of one speaker are merged.
    roles = Counter(t.role for t in doc.turns)
    assert roles == {"interviewer": 21, "participant": 21}
    assert {t.speaker for t in doc.turns if t.role == "interviewer"} == {"Interviewer"}
    assert {t.participant for t in doc.turns if t.role == "participant"} == {
        "Interview 34 · Interviewee",
        "Interview 34 · Interviewee 1",
    }
    assert all(doc.text[t.start : t.end].strip() == doc.text[t.start : t.end] for t in doc.turns)
    # Time_Mark of its first row (the "April 22" set numbers rows there instead of times)
    assert doc.turns[0].time_start == "1"


def test_alaska_role_from_speaker_type(alaska) -> None:
    doc = next(d for d in alaska if d.name == "INTERVIEW 1")
    # pandas run-length count over the stripped Speaker column of INTERVIEW 1: 311 turns,
    # of which Interviewer 1..4: 101 + 4 + 7 + 9 = 121 and Interviewee 1/2: 96 + 94.
    assert len(doc.turns) == 311
    assert Counter(t.role for t in doc.turns) == {"interviewer": 121, "participant": 190}


def test_anthropic_interviewer_one_transcript_per_cell(corpora_dir) -> None:
    docs = parse_file(corpora_dir / "anthropic-interviewer" / "creatives_transcripts.csv")
    assert len(docs) == 125
    doc = next(d for d in docs if d.name == "creativity_0000")
    # text.count("\nUser: ") == 10 and text.count("\nAI: ") == 10, and it starts with "Assistant: "
    speakers = Counter(t.speaker for t in doc.turns)
    assert speakers == {"AI": 10, "User": 10, "Assistant": 1}
    assert Counter(t.role for t in doc.turns) == {"interviewer": 11, "participant": 10}
    assert doc.participant == "creativity_0000 · User"
    first_user = next(t for t in doc.turns if t.speaker == "User")
    assert doc.text[first_user.start : first_user.end].startswith("Nice! I think I'm good for questions.")


def test_ami_meeting_json(corpora_dir) -> None:
    [doc] = parse_file(corpora_dir / "qmsum-ami-product" / "meetings" / "ES2004a.json")
    # json module: len(meeting_transcripts) == 320, speakers Marketing 103, Project Manager 102,
    # Industrial Designer 66, User Interface 49, no empty content.
    assert len(doc.turns) == 320
    assert Counter(t.speaker for t in doc.turns) == {
        "Marketing": 103,
        "Project Manager": 102,
        "Industrial Designer": 66,
        "User Interface": 49,
    }
    assert doc.kind == "focus_group"


NAPIRE = "napire-2018/data/freetext_coded"


@pytest.mark.parametrize(
    ("file", "column", "respondent", "encoding", "answer"),
    [
        # bytes 8a 97 c8 decode to "Š—È" in Windows-1252
        ("v_278_with_248_total_344_coded.csv", "v_278", "427", "cp1252", "CustomerŠ—Ès knowledge in this area"),
        # byte 0x90 is undefined in Windows-1252, so Latin-1 is used
        ("v_279_with_250_total_322_coded.csv", "v_279", "1290", "latin-1", "N\x90_ requirement dokument"),
        # valid UTF-8 (with mojibake from the survey tool kept as written)
        ("v_20_certifications_403_coded.csv", "v_20", "1840", "utf-8", "Certified architect from Dataf√∂reningen"),
    ],
)
def test_napire_semicolon_csv_in_mixed_encodings(corpora_dir, file, column, respondent, encoding, answer) -> None:
    options = ImportOptions(survey=True, id_column="lfdn", text_columns=(column,))
    docs = parse_file(corpora_dir / NAPIRE / file, options)
    doc = next(d for d in docs if d.name == respondent)
    assert doc.text.startswith(answer)
    assert doc.metadata["encoding"] == encoding
    assert doc.kind == "survey"


def test_napire_repeated_respondent_rows_join_attributes(corpora_dir, project) -> None:
    # lines 74-76 of v_27: respondent 1008 three times with the same answer and tags
    # Press:Trust, Press:Reliability, Person:Competences
    options = ImportOptions(survey=True, id_column="lfdn", text_columns=("v_27",))
    [result] = import_paths(project, [corpora_dir / NAPIRE / "v_27_reasons_relationship_good_102_coded.csv"], options)
    assert result.status == "imported" and result.encoding == "cp1252"
    assert project.documents.find("1008").text == "Vertrauen  VerlÌ_sslich  Kompetent"
    person = project.participants.find("1008")
    assert person.attributes["tag"] == "Press:Trust; Press:Reliability; Person:Competences"
