"""The evidence report as people read it: friendly headers, sentences, quotes, summary, charts, survey.

Counts are the hand counts of the small study (see test_analysis_fixture):
5 participants in scope (SME 3, multinational 2); 8 counted codings in
D1-D3; Barriers raised by Alice, Bob, Carol and Dan.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from qualcode.analysis import evidence, frequencies, likert
from qualcode.cli.main import app
from qualcode.export import report_context, write_export
from qualcode.export.charts import axis_limit, likert_colours
from qualcode.export.labels import quote_attributes, quote_source

SCALE = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]


@pytest.fixture
def study(project, build_study):
    build_study(project)
    for name, answer in {"Alice": "Agree", "Bob": "Strongly agree", "Carol": "Disagree", "Dan": "Neutral"}.items():
        project.participants.ensure(name, {"q1_feedback_robust": answer})
    return project


def _docx(path):
    from docx import Document

    return Document(str(path))


def test_docx_overview_layout(study, tmp_path):
    frame = evidence(study, by=["org_size"])
    out = tmp_path / "ev.docx"
    write_export("evidence", frame, out, context=report_context(study, frame))
    doc = _docx(out)
    table = doc.tables[0]
    header = [c.text for c in table.rows[0].cells]
    # SME (base 3) before multinational (base 2): larger group first, no "org_size=" prefix.
    assert header == [
        "Theme / code",
        "Codings",
        "Documents",
        "Participants",
        "% of participants",
        "SME n (%)",
        "Multinational n (%)",
    ]
    rows = {r.cells[0].text: r for r in table.rows[1:]}
    assert [c.text for c in rows["Barriers"].cells][5:] == ["2 (66.7%)", "2 (100.0%)"]
    # Cost = c1, c3 (Alice, D1), c6 (Carol, D2), c10 (Dan, D3): 4 codings, 3 documents, 3 of 5 people.
    assert [c.text for c in rows["Cost"].cells][:5] == ["Cost", "4", "3", "3", "60.0"]
    theme, sub = rows["Barriers"].cells[0].paragraphs[0], rows["Cost"].cells[0].paragraphs[0]
    assert theme.runs[0].bold and not sub.runs[0].bold
    assert (sub.paragraph_format.left_indent or 0) > (theme.paragraph_format.left_indent or 0)
    assert rows["Cost"].cells[1].paragraphs[0].alignment == 2  # right
    assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")  # header repeated on each page
    widths = [c.width for c in table.rows[1].cells]
    assert widths[0] > 2 * max(widths[1:])


def test_docx_sentences_summary_and_quotes(study, tmp_path):
    frame = evidence(study, by=["org_size"])
    out = tmp_path / "ev.docx"
    write_export("evidence", frame, out, context=report_context(study, frame))
    doc = _docx(out)
    texts = [p.text for p in doc.paragraphs]
    assert "By org size: 2 of 3 SME participants (66.7%) and 2 of 2 multinational participants (100.0%)." in texts
    # 3 themes, 6 codes; 8 counted codings in D1, D2, D3.
    assert (
        "This report sets out the evidence for 3 themes (6 codes in all) from 5 participants across "
        "3 documents: 8 codings were counted."
    ) in texts
    assert "Participants are compared by org size: SME (3) and multinational (2)." in texts
    contents = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    assert "Barriers — 4 of 5 participants (80.0%)" in contents
    quote = next(p for p in doc.paragraphs if p.text == "the price of compliance")
    assert quote.style.name == "Evidence Quote"
    assert quote.style.font.italic and not quote.style.font.bold
    source = texts[texts.index("the price of compliance") + 1]
    # Dan (multinational, South), Interview 3, second turn; no raw offsets.
    assert source == "— Dan, multinational, South · Interview 3, turn 2"
    assert not re.search(r"\d+-\d+", source)


def test_html_report(study, tmp_path):
    frame = evidence(study, by=["org_size"])
    out = tmp_path / "ev.html"
    write_export("evidence", frame, out, context=report_context(study, frame))
    text = out.read_text(encoding="utf-8")
    assert ">SME n (%)</th>" in text and "org_size=" not in text.split("<body>")[1].split("<blockquote")[0]
    assert ">% of participants</th>" in text and "participants_percent" not in text
    anchors = set(re.findall(r'href="#([^"]+)"', text))
    ids = set(re.findall(r' id="([^"]+)"', text))
    assert {"summary", "overview", "themes", "barriers", "cost"} <= ids
    assert anchors and anchors <= ids  # every contents / overview link lands on a heading
    block = re.search(
        r'<blockquote[^>]*data-start="(\d+)" data-end="(\d+)"[^>]*><p>the price of compliance</p>'
        r"<footer>([^<]*)</footer>",
        text,
    )
    assert block is not None
    assert block.group(3) == "— Dan, multinational, South · Interview 3, turn 2"
    assert "tbody tr:nth-child(even)" in text  # zebra rows


def test_markdown_uses_friendly_headers(study, tmp_path):
    out = tmp_path / "f.md"
    write_export("frequencies", frequencies(study, by=["org_size"]), out)
    text = out.read_text(encoding="utf-8")
    assert "| Theme / code | Codings | Documents | Participants | % of participants | SME n (%) |" in text
    assert "| **Barriers** | 7 | 3 | 4 | 80.0 | 2 (66.7%) | 2 (100.0%) |" in text


def test_many_groups_get_a_landscape_overview(study, tmp_path):
    from docx.enum.section import WD_ORIENT

    out = tmp_path / "wide.docx"
    write_export("evidence", evidence(study, by=["org_size", "region"]), out)
    orientations = [s.orientation for s in _docx(out).sections]
    assert orientations[0] == WD_ORIENT.PORTRAIT and WD_ORIENT.LANDSCAPE in orientations
    assert orientations[-1] == WD_ORIENT.PORTRAIT


def test_labels():
    quote = SimpleNamespace(
        participant="Tomas",
        speaker="Tomas",
        document="interview_03",
        attributes={"org_size": "SME", "sector": "cybersecurity", "role": "CEO"},
    )
    assert quote_source(quote, ["org_size", "sector"], 12) == "Tomas, SME, cybersecurity · interview_03, turn 12"
    assert quote_source(quote, ["org_size"], None) == "Tomas, SME · interview_03"
    people = [
        SimpleNamespace(
            participant=f"P{i}",
            attributes={
                "org_size": "SME",
                "sector": ["a", "b", "c"][i % 3],
                "role": f"Job title number {i} of many",
                "q1": "Agree",
            },
        )
        for i in range(9)
    ]
    # sector: few short values, everyone has it; role: free text; q1: one value only; q1 also excluded.
    assert quote_attributes(people, ["org_size"]) == ["org_size", "sector"]
    assert quote_attributes(people, [], extra=2, exclude=["sector"]) == []  # org_size and q1 have one value


def test_chart_helpers():
    assert [axis_limit(v) for v in (0, 41.2, 49.4, 50, 99.9)] == [10, 50, 50, 60, 100]
    assert axis_limit(80, 25) == 100
    colours = likert_colours(5)
    assert colours[2] == "#a6a6a6"  # neutral: mid grey, visible on white
    assert colours[0][0] > colours[0][2] and colours[4][2] > colours[4][0]  # red left, blue right


def test_cli_evidence_with_survey(study, tmp_path):
    db = str(study.path)
    out = tmp_path / "all.docx"
    result = CliRunner().invoke(
        app,
        [
            "export",
            "evidence",
            "-p",
            db,
            "--by",
            "org_size",
            "-o",
            str(out),
            "--likert-items",
            "q1_feedback_robust",
            "--scale",
            ",".join(SCALE),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "all_likert.png").exists() and (tmp_path / "all_frequency.png").exists()
    doc = _docx(out)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[-1] == "Survey"
    survey = doc.tables[-1]
    assert [c.text for c in survey.rows[0].cells][:3] == ["Statement / group", "n", "Strongly disagree"]
    # q1: Alice Agree, Bob Strongly agree, Carol Disagree, Dan Neutral: n = 4, total agree 50.0.
    first = [c.text for c in survey.rows[1].cells]
    assert first[0] == "q1 feedback robust" and first[1] == "4"
    assert first[SCALE.index("Agree") + 2] == "25.0" and first[2 + len(SCALE)] == "50.0"
    frame = likert(study, ["q1_feedback_robust"], SCALE)
    assert frame.loc[0, "agree_percent"] == pytest.approx(50.0)


def test_cli_survey_and_attribute_errors(study, tmp_path):
    db = str(study.path)
    for args in (
        ("--likert-items", "q1_feedback_robust"),
        ("--scale", ",".join(SCALE)),
        ("--quote-attrs", "shoe_size"),
        ("stray",),
    ):
        result = CliRunner().invoke(app, ["export", "evidence", "-p", db, "-o", str(tmp_path / "x.docx"), *args])
        assert result.exit_code == 1, args
        assert result.stderr.startswith("Error: "), (args, result.stderr)


def test_cli_quote_attrs_choose_the_attribution(study, tmp_path):
    out = tmp_path / "ev.md"
    result = CliRunner().invoke(
        app, ["export", "evidence", "-p", str(study.path), "-o", str(out), "--quote-attrs", "region"]
    )
    assert result.exit_code == 0, result.output
    assert "> — Dan, South · Interview 3, turn 2" in out.read_text(encoding="utf-8")
