"""Writers: formula injection, XLSX and DOCX read back, Markdown escaping, HTML escaping."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from qualcode.analysis import evidence, frequencies, likert
from qualcode.errors import ValidationError
from qualcode.export import format_for, neutralise, to_text, write_export, write_table

EVIL = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "plain", "a=b"]


def evil_frame() -> pd.DataFrame:
    return pd.DataFrame({"text": EVIL, "n": [1, -2, 3, 4, 5, 6, 7, 8], "=col": ["x"] * 8})


def test_neutralise():
    assert [neutralise(v) for v in EVIL] == ["'" + v for v in EVIL[:6]] + ["plain", "a=b"]
    assert neutralise(-3) == -3  # numbers are data, not formulas


def test_csv_neutralises_formulas(tmp_path):
    out = tmp_path / "t.csv"
    write_table(evil_frame(), out)
    with open(out, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["text", "n", "'=col"]
    assert [r[0] for r in rows[1:]] == ["'" + v for v in EVIL[:6]] + ["plain", "a=b"]
    assert rows[2][1] == "-2"  # a negative number stays a number


def test_xlsx_neutralises_and_reads_back(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "t.xlsx"
    write_table({"first": evil_frame(), "second/other": pd.DataFrame({"a": [1.5]})}, out, notes=["note one"])
    book = load_workbook(out)
    assert book.sheetnames == ["first", "second_other", "about"]
    sheet = book["first"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    values = [sheet.cell(row=i, column=1).value for i in range(2, 10)]
    assert values == ["'" + v for v in EVIL[:6]] + ["plain", "a=b"]
    assert all(sheet.cell(row=i, column=1).data_type == "s" for i in range(2, 10))  # no formula cells
    assert sheet.cell(row=3, column=2).value == -2
    assert sheet["C1"].value == "'=col"
    assert sheet.column_dimensions["A"].width >= len('=HYPERLINK("http://x")')
    assert book["about"]["A1"].value == "note one"


def test_markdown_escapes_pipes_and_newlines():
    frame = pd.DataFrame({"a|b": ["x | y", "line1\nline2"], "participants_percent": [200 / 3, 50.0]})
    text = to_text(frame, "md")
    assert "| a\\|b | participants_percent |" in text
    assert "| x \\| y | 66.7 |" in text
    assert "line1<br>line2" in text


def test_format_rules(tmp_path):
    assert format_for(tmp_path / "x.XLSX", None) == "xlsx"
    assert format_for("-", None) == "csv"
    assert format_for("-", "json") == "json"
    with pytest.raises(ValidationError, match="stdout"):
        format_for("-", "xlsx")
    with pytest.raises(ValidationError, match="format"):
        format_for(tmp_path / "x.txt", None)
    with pytest.raises(ValidationError):
        format_for(tmp_path / "x.csv", "pdf")


def test_evidence_docx_reads_back(project, tmp_path, build_study):
    from docx import Document

    build_study(project)
    out = tmp_path / "report.docx"
    written = write_export("evidence", evidence(project, by=["org_size"]), out)
    assert out in written and (tmp_path / "report_frequency.png").exists()
    doc = Document(str(out))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading") or p.style.name == "Title"]
    assert headings[:5] == ["Evidence", "Summary", "Overview", "Themes", "Barriers"]
    assert "Cost" in headings  # sub-codes by name under their theme's heading, not by full path
    quotes = [p.text for p in doc.paragraphs if p.style.name == "Evidence Quote"]
    assert "the price of compliance" in quotes
    # Hand count: Barriers = c1 c2 c3 c5 c6 c9 c10 in D1-D3; Alice, Bob, Carol, Dan of 5 in scope.
    assert any("Raised by 4 of 5 participants (80.0%) in 3 documents (7 codings)." == p.text for p in doc.paragraphs)
    overview = doc.tables[0]
    assert [c.text for c in overview.rows[0].cells][:5] == [
        "Theme / code",
        "Codings",
        "Documents",
        "Participants",
        "% of participants",
    ]
    assert [c.text for c in overview.rows[1].cells][:5] == ["Barriers", "7", "3", "4", "80.0"]
    assert len(doc.inline_shapes) == 1  # the frequency chart


def test_evidence_html_escapes_and_embeds_chart(project, tmp_path, build_study):
    s = build_study(project)
    project.codes.update("Other", description="<script>alert(1)</script>")
    project.codings.apply(s.docs["Focus group"], 131, 134, ["Other"], coder="t")
    out = tmp_path / "report.html"
    write_export("evidence", evidence(project), out)
    text = out.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text
    assert "data:image/png;base64," in text and "<blockquote " in text


def test_likert_report_and_frequencies_xlsx(project, tmp_path, build_study):
    from openpyxl import load_workbook

    build_study(project)
    for name, answer in {"Alice": "Agree", "Bob": "Disagree"}.items():
        project.participants.ensure(name, {"q1": answer})
    frame = likert(project, ["q1"], ["Disagree", "Neutral", "Agree"])
    written = write_export("likert", frame, tmp_path / "lik.md")
    assert (tmp_path / "lik_likert.png") in written
    assert "](lik_likert.png)" in (tmp_path / "lik.md").read_text(encoding="utf-8")
    write_export("frequencies", frequencies(project, by=["org_size"]), tmp_path / "f.xlsx")
    sheet = load_workbook(tmp_path / "f.xlsx")["frequencies"]
    header = [c.value for c in sheet[1]]
    row = {h: c.value for h, c in zip(header, sheet[2])}
    assert row["path"] == "Barriers" and row["participants"] == 4
    assert row["org_size=SME: participants_percent"] == pytest.approx(200 / 3)


def test_several_tables_to_stdout_csv_is_refused():
    with pytest.raises(ValidationError):
        write_table({"a": pd.DataFrame({"x": [1]}), "b": pd.DataFrame({"y": [2]})}, "-", "csv")
    buffer = io.StringIO()
    write_table(pd.DataFrame({"x": [1, None]}), buffer, "json")
    assert buffer.getvalue().replace(" ", "").replace("\n", "") == '[{"x":1.0},{"x":null}]'
