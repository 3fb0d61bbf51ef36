"""Each source format on small files made in the test: docx, vtt, srt, pdf,
json, csv/xlsx transcripts and surveys; hostile and broken files."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from qualcode.errors import ImportFormatError
from qualcode.ingest import ImportOptions, parse_file, registry
from qualcode.model import ParsedDocument

TURNS = [
    ("Interviewer", "How was the bid?"),
    ("Priya", "Long. Ten days of work."),
    ("Interviewer", "Why?"),
    ("Priya", "The social value section."),
]


def make_docx(path: Path, paragraphs: list[str]) -> Path:
    import docx

    document = docx.Document()
    for para in paragraphs:
        document.add_paragraph(para)
    document.save(str(path))
    return path


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with Helvetica text lines (no lines: no text layer)."""
    esc = [ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for ln in lines]
    content = ("BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({ln}) Tj T*" for ln in esc) + " ET") if lines else ""
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{obj}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def make_xlsx(path: Path, rows: list[list[object]]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(str(path))
    return path


def spoken(doc: ParsedDocument) -> list[tuple[str, str]]:
    """(speaker, utterance) of every turn, read back through the offsets."""
    return [(t.speaker, doc.text[t.start : t.end]) for t in doc.turns]


# -- every format: offsets point at the utterance -------------------------------------------


def _sources(tmp: Path) -> dict[str, Path]:
    lines = [f"{s}: {u}" for s, u in TURNS]
    (tmp / "t.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    (tmp / "t.md").write_text("\r\n".join(f"**{s}:** {u}" for s, u in TURNS), encoding="utf-8")
    make_docx(tmp / "t.docx", lines)
    (tmp / "t.pdf").write_bytes(make_pdf(lines))
    cues = "".join(
        f"\n{i + 1}\n00:00:{i:02d}.000 --> 00:00:{i:02d}.900\n<v {s}>{u}</v>\n" for i, (s, u) in enumerate(TURNS)
    )
    (tmp / "t.vtt").write_text("WEBVTT\n" + cues, encoding="utf-8")
    srt = "".join(f"{i + 1}\n00:00:{i:02d},000 --> 00:00:{i:02d},900\n{s}: {u}\n\n" for i, (s, u) in enumerate(TURNS))
    (tmp / "t.srt").write_text(srt, encoding="utf-8")
    (tmp / "t.json").write_text(json.dumps([{"speaker": s, "text": u} for s, u in TURNS]), encoding="utf-8")
    csv_rows = "speaker,text\n" + "".join(f'{s},"{u}"\n' for s, u in TURNS)
    (tmp / "t.csv").write_text(csv_rows, encoding="utf-8")
    make_xlsx(tmp / "t.xlsx", [["Speaker", "Text"], *[[s, u] for s, u in TURNS]])
    return {p.suffix: p for p in tmp.iterdir()}


def test_every_registered_format_is_covered(tmp_path) -> None:
    covered = set(_sources(tmp_path))
    registered = {ext for fmt in registry.formats() for ext in fmt.extensions}
    assert {".txt", ".md", ".docx", ".pdf", ".vtt", ".srt", ".json", ".csv", ".xlsx"} <= registered
    assert covered <= registered


@pytest.mark.parametrize("ext", [".txt", ".md", ".docx", ".pdf", ".vtt", ".srt", ".json", ".csv", ".xlsx"])
def test_turn_spans_are_the_utterances(tmp_path, ext: str) -> None:
    path = _sources(tmp_path)[ext]
    [doc] = parse_file(path)
    assert spoken(doc) == TURNS
    assert [t.role for t in doc.turns] == ["interviewer", "participant"] * 2
    assert [t.participant for t in doc.turns] == [None, "Priya"] * 2
    assert doc.participant == "Priya" and doc.kind == "interview"
    assert "\r" not in doc.text


# -- docx --------------------------------------------------------------------------------


def _docx_with_document_xml(tmp_path: Path, xml: bytes) -> Path:
    good = make_docx(tmp_path / "good.docx", ["hello"]).read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, xml if info.filename == "word/document.xml" else src.read(info))
    path = tmp_path / "hostile.docx"
    path.write_bytes(out.getvalue())
    return path


def test_docx_entity_attack_is_refused(tmp_path) -> None:
    xml = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>"
    )
    with pytest.raises(ImportFormatError, match="hostile.docx.*DTD or entities"):
        parse_file(_docx_with_document_xml(tmp_path, xml))


def test_docx_zip_bomb_is_refused(tmp_path) -> None:
    xml = b"<a>" + b" " * (12 * 1024 * 1024) + b"</a>"
    with pytest.raises(ImportFormatError, match="zip bomb"):
        parse_file(_docx_with_document_xml(tmp_path, xml))


def test_docx_that_is_not_a_zip_is_refused(tmp_path) -> None:
    path = tmp_path / "fake.docx"
    path.write_text("Interviewer: hello", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="fake.docx.*not a zip"):
        parse_file(path)


# -- captions ------------------------------------------------------------------------------


def test_vtt_merges_consecutive_cues_and_keeps_times(tmp_path) -> None:
    path = tmp_path / "fg.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Moderator>Welcome all.</v>\n\n"
        "00:00:04.500 --> 00:00:06.000\n<v Moderator>Let's start.</v>\n\n"
        "00:00:07.000 --> 00:00:09.000\n<v Aisha>Hi, I'm Aisha.</v>\n\n"
        "00:00:09.000 --> 00:00:10.000\n<v Rob>Rob here.</v>\n\n"
        "00:00:10.000 --> 00:00:12.000\n<v Fiona>And Fiona.</v>\n",
        encoding="utf-8",
    )
    [doc] = parse_file(path)
    assert spoken(doc) == [
        ("Moderator", "Welcome all. Let's start."),
        ("Aisha", "Hi, I'm Aisha."),
        ("Rob", "Rob here."),
        ("Fiona", "And Fiona."),
    ]
    assert (doc.turns[0].time_start, doc.turns[0].time_end) == ("00:00:01.000", "00:00:06.000")
    assert doc.turns[0].role == "interviewer"
    assert doc.kind == "focus_group" and doc.participant is None


def test_malformed_vtt_is_refused(tmp_path) -> None:
    path = tmp_path / "bad.vtt"
    path.write_text("not a caption file at all\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="bad.vtt"):
        parse_file(path)


# -- pdf ---------------------------------------------------------------------------------


def test_pdf_without_text_layer_gets_a_clear_error(tmp_path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_pdf([]))
    with pytest.raises(ImportFormatError, match="no text layer"):
        parse_file(path)


# -- json --------------------------------------------------------------------------------


def test_json_object_holding_turns_with_content_key(tmp_path) -> None:
    path = tmp_path / "meeting.json"
    items = [
        {"speaker": "Project Manager", "content": "Shall we start?"},
        {"speaker": "Marketing", "content": "Yes."},
        {"speaker": "User Interface", "content": "Sure ."},
    ]
    path.write_text(json.dumps({"topic_list": [], "meeting_transcripts": items}), encoding="utf-8")
    [doc] = parse_file(path)
    assert spoken(doc) == [("Project Manager", "Shall we start?"), ("Marketing", "Yes."), ("User Interface", "Sure .")]
    assert doc.text.startswith("Project Manager: Shall we start?\n\nMarketing: Yes.")
    assert doc.turns[0].participant == "meeting · Project Manager"  # a role, not a person
    assert doc.kind == "focus_group"


def test_malformed_json_names_the_line(tmp_path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[\n{"speaker": "A", "text": "x"},\n{"speaker": \n', encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"broken.json:4: malformed JSON"):
        parse_file(path)


# -- tables ------------------------------------------------------------------------------


def test_csv_transcript_grouped_by_document_with_role_column(tmp_path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(
        "Interview;Speaker;Text;speaker_type\n"
        "Int 1;Interviewer;Hello?;ER\nInt 1;Interviewee;Part one of;ee\nInt 1;Interviewee;a split turn.;ee\n"
        "Int 1;Interviewer;Ok.;ER\nInt 2;Interviewer;Hi;ER\nInt 2;Interviewee;Yo;ee\n",
        encoding="utf-8",
    )
    docs = parse_file(path)
    assert [d.name for d in docs] == ["Int 1", "Int 2"]
    # consecutive rows of one speaker are merged into one turn
    assert spoken(docs[0]) == [
        ("Interviewer", "Hello?"),
        ("Interviewee", "Part one of a split turn."),
        ("Interviewer", "Ok."),
    ]
    assert [t.role for t in docs[0].turns] == ["interviewer", "participant", "interviewer"]
    assert docs[0].turns[1].participant == "Int 1 · Interviewee"
    assert docs[0].sha256 != docs[1].sha256


def test_csv_one_transcript_per_row(tmp_path) -> None:
    path = tmp_path / "cells.csv"
    rows = [
        ("t1", "Assistant: Consent?\n\nUser: Yes.\n\nAI: Tell me.\n\nUser: I compose."),
        ("t2", "AI: Hi\n\nUser: Hello\n\nAI: Bye\n\nUser: Bye"),
    ]
    path.write_text("transcript_id,text\n" + "".join(f'{i},"{t}"\n' for i, t in rows), encoding="utf-8")
    docs = parse_file(path)
    assert [d.name for d in docs] == ["t1", "t2"]
    assert spoken(docs[0]) == [("Assistant", "Consent?"), ("User", "Yes."), ("AI", "Tell me."), ("User", "I compose.")]
    assert [t.role for t in docs[0].turns] == ["interviewer", "participant", "interviewer", "participant"]


def test_malformed_csv_names_the_row(tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text('speaker,text\nA,"fine"\nB,"unterminated\n', encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"bad.csv:3"):
        parse_file(path)


def test_survey_documents_and_attributes(tmp_path) -> None:
    path = make_xlsx(
        tmp_path / "survey.xlsx",
        [
            ["respondent_id", "org_size", "q1", "comments", "improvements"],
            [1, "SME", "Agree", "Too slow.", "Faster feedback."],
            [2, "multinational", "Disagree", "", "Publish scores."],
            [3, "SME", "Agree", None, None],
        ],
    )
    one = parse_file(path, ImportOptions(survey=True, id_column="respondent_id", text_columns=("comments",)))
    assert [d.name for d in one] == ["1"]
    both = parse_file(
        path, ImportOptions(survey=True, id_column="respondent_id", text_columns=("comments", "improvements"))
    )
    assert [d.name for d in both] == ["1 · comments", "1 · improvements", "2 · improvements"]
    assert {d.kind for d in both} == {"survey"}
    assert both[2].participant == "2" and both[2].participants["2"] == {"org_size": "multinational", "q1": "Disagree"}
    assert spoken(both[2]) == [("2", "Publish scores.")]


def test_survey_unknown_column_lists_columns(tmp_path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("id,answer\n1,x\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"no column 'comments' \(columns: id, answer\)"):
        parse_file(path, ImportOptions(survey=True, id_column="id", text_columns=("comments",)))
