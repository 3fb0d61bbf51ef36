"""Speaker-turn parsing of plain text, encodings and newline handling."""

from __future__ import annotations

import codecs

import pytest

from qualcode.errors import ImportFormatError
from qualcode.ingest import ImportOptions, parse_file
from qualcode.ingest.turns import is_generic_label, speaker_turns


def _turns(text: str) -> list[tuple[str, str, str | None]]:
    found = speaker_turns(text)
    assert found is not None, "expected a transcript"
    return [(t.speaker, text[t.start : t.end], t.time_start) for t in found]


def test_name_colon_with_continuation_lines() -> None:
    text = (
        "Interviewer: How did it go?\nPriya: Badly.\nIt took weeks.\n\nStill angry.\nInterviewer: Why?\nPriya: Cost.\n"
    )
    assert _turns(text) == [
        ("Interviewer", "How did it go?", None),
        ("Priya", "Badly.\nIt took weeks.\n\nStill angry.", None),
        ("Interviewer", "Why?", None),
        ("Priya", "Cost.", None),
    ]


def test_upper_case_labels_and_bracket_timestamps() -> None:
    text = "[00:00:04] INTERVIEWER: Hello.\n\n[00:00:09] TOMAS: Hi there.\n\n[00:01:02] INTERVIEWER: Next?\n"
    assert _turns(text) == [
        ("INTERVIEWER", "Hello.", "00:00:04"),
        ("TOMAS", "Hi there.", "00:00:09"),
        ("INTERVIEWER", "Next?", "00:01:02"),
    ]


def test_name_then_parenthesised_timestamp_focus_group() -> None:
    text = "Moderator (00:00:01): Welcome.\nSam (00:00:05): Hi.\nAlex (00:00:09): Hello.\nKim (00:00:12): Hey.\n"
    assert [s for s, _, _ in _turns(text)] == ["Moderator", "Sam", "Alex", "Kim"]
    assert _turns(text)[2] == ("Alex", "Hello.", "00:00:09")


def test_otter_style_label_line_then_text() -> None:
    text = (
        "Jane Doe  00:00:03\nHello and welcome.\nSecond line.\n\nBob Smith  0:10\nThanks.\n\nJane Doe  00:01:02\nSo.\n"
    )
    assert _turns(text) == [
        ("Jane Doe", "Hello and welcome.\nSecond line.", "00:00:03"),
        ("Bob Smith", "Thanks.", "0:10"),
        ("Jane Doe", "So.", "00:01:02"),
    ]


def test_q_and_a_and_numbered_interviewees() -> None:
    assert [s for s, _, _ in _turns("Q: Why?\nA: Cost.\nQ: When?\nA: Now.\n")] == ["Q", "A", "Q", "A"]
    text = "Interviewer: Hi\nInterviewee 1: Yes\nInterviewee 2: No\nInterviewer: Ok\n"
    assert [s for s, _, _ in _turns(text)] == ["Interviewer", "Interviewee 1", "Interviewee 2", "Interviewer"]


def test_markdown_bold_labels() -> None:
    text = "**Interviewer:** Hello\n\n**Ana:** Hi there\n\n**Interviewer:** Bye\n\n**Ana:** Bye!\n"
    assert _turns(text)[1] == ("Ana", "Hi there", None)


def test_header_lines_and_one_off_speaker() -> None:
    text = "Date: 2024-01-02\nLocation: Zoom\n\nInterviewer: Hi\nPriya: Hello\nmore\nInterviewer: Ok\n"
    assert _turns(text) == [("Interviewer", "Hi", None), ("Priya", "Hello\nmore", None), ("Interviewer", "Ok", None)]


def test_prose_with_note_and_example_is_not_a_transcript() -> None:
    text = (
        "A report on bids.\n\nNote: this is important.\n\nSome prose about tenders.\n\n"
        "Example: a council tender.\n\nMore prose.\n\nNote: again.\n\nClosing words.\n\nThe end.\n"
    )
    assert speaker_turns(text) is None


def test_heading_alone_inside_a_turn_stays_in_the_turn() -> None:
    text = "AI: Tell me.\n\nUser: We did this.\n\nInitial Steps:\nWe cleaned data.\n\nAI: Thanks.\n\nUser: Sure.\n"
    assert _turns(text)[1] == ("User", "We did this.\n\nInitial Steps:\nWe cleaned data.", None)


def test_generic_labels() -> None:
    for label in ("Interviewee", "Respondent 3", "Speaker 2", "P1", "A", "Project Manager", "User Interface"):
        assert is_generic_label(label), label
    for label in ("Priya", "Dr. Chen", "Maria de Souza"):
        assert not is_generic_label(label), label


def test_plain_file_without_turns_becomes_paragraph_turns(tmp_path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("First paragraph.\n\nNote: second one.\n\nThird.\n", encoding="utf-8")
    [doc] = parse_file(path)
    assert [doc.text[t.start : t.end] for t in doc.turns] == ["First paragraph.", "Note: second one.", "Third."]
    assert {t.speaker for t in doc.turns} == {""}
    assert doc.kind == "other"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + "Interviewer: Olá?\r\nJosé: Sí, café.\r\nInterviewer: Ok\r\n".encode(), "utf-8-sig"),
        (
            codecs.BOM_UTF16_LE + "Interviewer: Olá?\r\nJosé: Sí, café.\r\nInterviewer: Ok\r\n".encode("utf-16-le"),
            "utf-16",
        ),
        ("Interviewer: Olá?\r\nJosé: Sí, café.\r\nInterviewer: Ok\r\n".encode("cp1252"), "cp1252"),
        ("Interviewer: Olá?\nJosé: Sí, café.\nInterviewer: Ok\n".encode(), "utf-8"),
    ],
)
def test_encodings_bom_and_crlf(tmp_path, data: bytes, encoding: str) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(data)
    [doc] = parse_file(path)
    assert doc.text == "Interviewer: Olá?\nJosé: Sí, café.\nInterviewer: Ok\n"
    assert doc.metadata["encoding"] == encoding
    assert [(t.speaker, doc.text[t.start : t.end]) for t in doc.turns][1] == ("José", "Sí, café.")


def test_latin1_fallback_when_cp1252_fails(tmp_path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(b"Caf\xe9 \x90 text\n")  # 0x90 is undefined in cp1252
    [doc] = parse_file(path)
    assert doc.metadata["encoding"] == "latin-1"
    assert doc.text == "Café \x90 text\n"


@pytest.mark.parametrize("data", [b"", b"  \n\n", b"\x00\x01\x02binary\x00" * 20])
def test_empty_or_binary_text_is_refused(tmp_path, data: bytes) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(ImportFormatError, match="bad.txt"):
        parse_file(path, ImportOptions())
