"""Hostile and huge inputs: control characters, linear parsing, shared caps, coded errors."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import pytest
from typer.testing import CliRunner

from qualcode.cli.main import app
from qualcode.store import open_project

QDE = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="test">'
    '<CodeBook><Codes><Code guid="{guid}" name="Feedback" isCodable="true"/></Codes></CodeBook>'
    "<!-- {pad} --></Project>"
)


def _qdpx(path, pad: str = "", store=zipfile.ZIP_DEFLATED) -> bytes:
    qde = QDE.format(guid="11111111-2222-3333-4444-555555555555", pad=pad).encode()
    with zipfile.ZipFile(path, "w", compression=store) as zf:
        zf.writestr("project.qde", qde)
    return qde


def _err(out) -> str:
    assert out.exit_code == 1, out.output
    assert "Traceback" not in out.output and out.exception is None or isinstance(out.exception, SystemExit)
    last = out.output.strip().splitlines()[-1]
    assert last.startswith("Error: ") and last.endswith("]"), last
    return last


def test_nul_and_controls_are_replaced_at_import_and_stay_codeable(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODE_CODER", "tester")
    src = tmp_path / "nul.txt"
    # Past the first 8 KiB (a NUL there marks a binary file, refused as before).
    src.write_text(
        "Interviewer: Why?\n\nAnn: " + "word " * 2000 + "before\x00after \x07bell and more words here.\n",
        encoding="utf-8",
    )
    db = tmp_path / "p.db"
    out = CliRunner().invoke(app, ["import", str(src), "-p", str(db), "--json"])
    row = json.loads(out.output)[0]
    assert row["status"] == "imported" and row["controls_replaced"] == 2
    with open_project(db) as p:
        doc = p.documents.find("nul")
        assert "\x00" not in doc.text
        end = len(doc.text)
        p.codes.add("Late")
        made = p.codings.apply(doc.id, end - 10, end, ["Late"])  # after the NUL: failed before
        assert doc.text[made[0].start : made[0].end] == doc.text[-10:]
    text = CliRunner().invoke(app, ["import", str(src), "-p", str(tmp_path / "q.db")]).output
    assert "2 control characters replaced" in text


def _in_subprocess(code: str, timeout: float = 20) -> str:
    """Quadratic parsing took minutes on these sizes; linear takes well under a second."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_header_dedup_is_linear_and_right():
    from qualcode.ingest.tabular import _headers

    assert _headers(["a", "a", "a.2", "", "a"]) == ["a", "a.2", "a.2.2", "column_4", "a.3"]
    got = _in_subprocess(
        "from qualcode.ingest.tabular import _headers; h = _headers(['a'] * 20000); print(len(set(h)), h[-1])"
    )
    assert got == "20000 a.20000"


def test_participants_sheet_with_many_columns(tmp_path):
    sheet = tmp_path / "people.csv"
    sheet.write_text("participant," + ",".join(["x"] * 20000) + "\nAnn," + ",".join(["1"] * 20000) + "\n")
    got = _in_subprocess(
        f"from qualcode.ingest.participants import load_participants_file as f; "
        f"print(len(f({str(sheet)!r}).attributes['Ann']))"
    )
    assert got == "20000"


def test_turn_detection_is_linear():
    got = _in_subprocess(
        "from qualcode.ingest.turns import speaker_turns; "
        "t = ''.join(f'{\"Ann\" if i % 2 else \"Bob\"}: turn {i}\\n' for i in range(20000)); "
        "print(len(speaker_turns(t)))"
    )
    assert got == "20000"


def test_codebook_load_of_a_qdpx_has_the_same_caps_as_refi_import(tmp_path, monkeypatch):
    import qualcode.codebook.qdc as qdc

    big = tmp_path / "big.qdpx"
    _qdpx(big, pad="x" * 5000)
    monkeypatch.setattr(qdc, "MAX_QDE_BYTES", 1000)  # the streamed project.qde's cap, as for 'refi import'
    out = CliRunner().invoke(app, ["codebook", "load", str(big), "-p", str(tmp_path / "p.db")])
    assert "more than the 1000" in _err(out) and "[E201]" in out.output


def test_a_zip_bomb_qdpx_is_refused_by_codebook_load(tmp_path):
    bomb = tmp_path / "bomb.qdpx"
    _qdpx(bomb, pad=" " * (24 << 20))  # 24 MiB of spaces deflate ~1000:1
    out = CliRunner().invoke(app, ["codebook", "load", str(bomb), "-p", str(tmp_path / "p.db")])
    assert "zip bomb" in _err(out)


def _corrupt(path) -> None:
    qde = _qdpx(path, pad="y" * 4000 + "".join(chr(65 + i % 26) * (i % 7) for i in range(3000)))
    data = bytearray(path.read_bytes())
    start = 30 + len("project.qde")
    for i in range(start + 40, start + 400, 3):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    assert len(qde) > 400


def test_corrupt_deflate_in_a_qdpx_is_a_coded_error_and_leaves_no_project(tmp_path):
    bad = tmp_path / "bad.qdpx"
    _corrupt(bad)
    db = tmp_path / "new.db"
    out = CliRunner().invoke(app, ["refi", "import", str(bad), "-p", str(db)])
    assert "[E101]" in _err(out)
    assert not db.exists()
    out = CliRunner().invoke(app, ["codebook", "load", str(bad), "-p", str(tmp_path / "p.db")])
    assert "[E" in _err(out)


def test_deeply_nested_yaml_codebook(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("themes: " + "[" * 20000 + "]" * 20000 + "\n")
    out = CliRunner().invoke(app, ["codebook", "load", str(deep), "-p", str(tmp_path / "p.db")])
    assert "[E201]" in _err(out)


def test_non_utf8_spec_and_deep_spec(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(b"methods: r\xe9gles\xff\n")
    db = tmp_path / "p.db"
    open_project(db).close()
    out = CliRunner().invoke(app, ["autotag", "--spec", str(spec), "-p", str(db)])
    assert "spec.yaml" in _err(out)


@pytest.fixture
def study(tmp_path, monkeypatch, transcript):
    monkeypatch.setenv("QUALCODE_CODER", "tester")
    path = tmp_path / "study.db"
    with open_project(path) as p:
        doc, _ = p.documents.add(transcript("a", [("Interviewer", "Why?"), ("Ann", "Because\x01 of \x1bthat.")]))
        p.codes.add("Feedback")
        p.codings.apply("a", 0, 4, ["Feedback"])
        p.codings.apply("a", 24, len(doc.text), ["Feedback"])  # Ann's turn, with the control characters
    return path


def test_a_csv_cell_over_the_csv_field_limit_in_code_batch(study, tmp_path):
    batch = tmp_path / "b.csv"
    batch.write_text("document,start,end,code,memo\na,0,4,Feedback," + "m" * 140_000 + "\n")
    out = CliRunner().invoke(app, ["code", "--batch", str(batch), "-p", str(study)])
    assert "b.csv" in _err(out)


@pytest.mark.parametrize(
    "args",
    [
        ["uncode", "99999999999999999999999"],
        ["recode", "99999999999999999999999", "X"],
        ["code", "a", "0", "99999999999999999999999", "Feedback"],
        ["show", "a", "--turn", "99999999999999999999999"],
    ],
)
def test_integer_ids_beyond_64_bits(study, args):
    out = CliRunner().invoke(app, [*args, "-p", str(study)])
    assert out.exit_code != 0 and "Traceback" not in out.output
    assert out.exception is None or isinstance(out.exception, SystemExit), repr(out.exception)


def test_control_characters_in_an_xlsx_export(study, tmp_path):
    out = CliRunner().invoke(app, ["export", "codings", "-o", str(tmp_path / "c.xlsx"), "-p", str(study)])
    assert out.exit_code == 0, out.output
    import openpyxl

    cells = [c.value for row in openpyxl.load_workbook(tmp_path / "c.xlsx").active.iter_rows() for c in row]
    assert any(isinstance(v, str) and "\ufffd" in v for v in cells)


def test_delimiter_sniffing_of_a_long_first_line_is_fast(tmp_path):
    """Found by the soak fuzzer: a CSV whose first 20 lines ran to 100 KB took 40-60 s in csv.Sniffer."""
    rows = (
        "participant,document,speaker\n"
        + "Priya,interview_01,Priya\n" * 8
        + "Fiona,f,Fiona ("
        + '{"a":' * 20_000
        + ")\n"
    )
    sheet = tmp_path / "wide-line.csv"
    sheet.write_text(rows, encoding="utf-8")
    got = _in_subprocess(
        f"from qualcode.ingest.tabular import sniff_delimiter; "
        f"print(repr(sniff_delimiter(open({str(sheet)!r}).read())))",
        timeout=20,
    )
    assert got == "','"


def test_codebook_load_of_a_big_qdpx_reads_only_up_to_the_codebook(tmp_path, monkeypatch):
    """A 10^6-answer export's project.qde is gigabytes; the codebook comes first and is all that is read."""
    import qualcode.codebook.qdc as qdc
    from qualcode.limits import CappedStream

    sources = "".join(
        f'<TextSource guid="00000000-0000-0000-0000-{i:012d}" name="R{i}"><PlainTextContent>{"answer " * 20}'
        "</PlainTextContent></TextSource>"
        for i in range(40_000)
    )
    qde = QDE.replace("<!-- {pad} -->", f"<Sources>{sources}</Sources>").format(
        guid="1" * 8 + "-2222-3333-4444-" + "5" * 12
    )
    big = tmp_path / "big.qdpx"
    with zipfile.ZipFile(big, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde)
    read: list[int] = []
    real = CappedStream.read

    def counting(self, size=-1):
        data = real(self, size)
        read.append(len(data))
        return data

    monkeypatch.setattr(CappedStream, "read", counting)
    monkeypatch.setattr(qdc, "MAX_XML_BYTES", 100_000)  # the whole-file cap does not apply to a streamed entry
    book = qdc.read_qdc(big)
    assert [n.name for n in book.nodes] == ["Feedback"]
    assert len(qde) > 6_000_000 and sum(read) < len(qde) // 4
