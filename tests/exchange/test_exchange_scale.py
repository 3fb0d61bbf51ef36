"""REFI export of a survey: the layout of the texts, streamed writing and reading, and the caps qualcode reads under."""

from __future__ import annotations

import zipfile

import pytest

import qualcode.exchange.qde_write as qde_write
from qualcode.errors import ImportFormatError
from qualcode.exchange import export_qdpx, import_qdpx, read_qdpx
from qualcode.limits import MAX_ENTRIES, MAX_PROJECT_ENTRIES, CappedStream, check_entries
from qualcode.model import ParsedDocument
from qualcode.store import open_project

# Answers with what XML must escape or normalise: a carriage return, a tab, markup characters, an emoji.
ANSWERS = ["answer number 0", "line one\r\nline two", "tab\there & <there>", "emoji 😀 éééééé", "answer number 4"]


@pytest.fixture
def survey(project):
    project.documents.add_many(
        [
            ParsedDocument(name=f"R{i}", kind="survey", text=text, participant=f"R{i}", sha256=f"s{i}")
            for i, text in enumerate(ANSWERS)
        ]
    )
    project.codes.add("Praise")
    for doc in project.documents.all():
        project.codings.apply(doc.id, 0, 4, ["Praise"], coder="ann")
    return project


def _state(project) -> tuple:
    people = {p.id: p.name for p in project.participants.all()}
    docs = {d.id: d for d in project.documents.all()}
    return (
        sorted((d.name, d.text, people.get(d.participant_id)) for d in docs.values()),
        sorted((docs[c.document_id].name, c.start, c.end, c.coder) for c in project.codings.all()),
    )


def test_a_small_project_keeps_one_file_per_text(survey, tmp_path):
    out = tmp_path / "s.qdpx"
    summary = export_qdpx(survey, out)
    assert summary.warnings == [] and summary.documents == 5 and summary.codings == 5
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        assert names[0] == "project.qde" and len(names) == 6  # every tool (QualCoder too) reads text files
        assert all(z.getinfo(n).compress_type == zipfile.ZIP_DEFLATED for n in names)
        assert "PlainTextContent" not in z.read("project.qde").decode("utf-8")
    with open_project(tmp_path / "back.db") as back:
        assert import_qdpx(back, out).documents == 5
        assert _state(back) == _state(survey)


def test_auto_layout_puts_short_texts_inline_above_the_threshold(survey, tmp_path, monkeypatch):
    monkeypatch.setattr(qde_write, "FILES_UP_TO", 3)  # 5 documents: above it
    monkeypatch.setattr(qde_write, "AUTO_INLINE_BYTES", 18)  # "line one\r\nline two" is exactly 18 bytes
    survey.documents.add(ParsedDocument(name="long", kind="survey", text="a long transcript " * 3, sha256="l"))
    out = tmp_path / "s.qdpx"
    export_qdpx(survey, out)
    with zipfile.ZipFile(out) as z:
        qde = z.read("project.qde").decode("utf-8")
        files = [n for n in z.namelist() if n.startswith("sources/")]
        # Hand count: "tab\there & <there>" is 19 bytes and "emoji 😀 éééééé" 13 characters but 15 bytes; "long" is 54.
        assert qde.count("<PlainTextContent>") == 4 and len(files) == 2
        assert "line one&#13;\nline two" in qde  # the carriage return survives an XML parser
    with open_project(tmp_path / "back.db") as back:
        assert import_qdpx(back, out).documents == 6
        assert _state(back) == _state(survey)


def test_inline_layout_is_one_entry_and_reads_back_identically(survey, tmp_path):
    out = tmp_path / "s.qdpx"
    export_qdpx(survey, out, sources="inline")
    with zipfile.ZipFile(out) as z:
        assert z.namelist() == ["project.qde"]
    parsed = read_qdpx(out)
    assert [s.content for s in parsed.sources] == [survey.documents.find(f"R{i}").text for i in range(5)]
    assert parsed.counts["TextSource"] == 5 and parsed.counts["Coding"] == 5 and parsed.counts["Case"] == 5
    with open_project(tmp_path / "back.db") as back:
        summary = import_qdpx(back, out)
        assert (summary.documents, summary.codings, summary.participants) == (5, 5, 5)
        assert _state(back) == _state(survey)
        assert import_qdpx(back, out).documents == 0  # the same file again adds nothing


def test_unknown_layout_is_refused(survey, tmp_path):
    from qualcode.errors import ValidationError

    with pytest.raises(ValidationError, match="unknown sources layout"):
        export_qdpx(survey, tmp_path / "s.qdpx", sources="zip")
    assert not (tmp_path / "s.qdpx").exists()


def test_a_file_over_the_old_xml_cap_with_many_sources_imports(tmp_path, monkeypatch):
    """project.qde used to be read whole under MAX_XML_BYTES; it is streamed now, in chunks of sources."""
    import qualcode.exchange.qdpx_import as qdpx_import
    import qualcode.limits as limits

    monkeypatch.setattr(limits, "MAX_XML_BYTES", 1000)
    monkeypatch.setattr(qdpx_import, "CHUNK", 7)  # 50 sources and cases: 8 chunks each, the last one short
    sources = "".join(
        f'<TextSource guid="00000000-0000-4000-8000-{i:012d}" name="A{i}">'
        f"<PlainTextContent>same answer</PlainTextContent>"
        f'<PlainTextSelection guid="00000000-0000-4000-9000-{i:012d}" startPosition="0" endPosition="4">'
        f'<Coding guid="00000000-0000-4000-a000-{i:012d}"><CodeRef targetGUID="{"c" * 8}-0000-4000-8000-000000000000"/>'
        "</Coding></PlainTextSelection></TextSource>"
        for i in range(50)
    )
    cases = "".join(
        f'<Case guid="00000000-0000-4000-b000-{i:012d}" name="P{i}">'
        f'<SourceRef targetGUID="00000000-0000-4000-8000-{i:012d}"/></Case>'
        for i in range(50)
    )
    qde = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="big">'
        '<CodeBook><Codes><Code guid="cccccccc-0000-4000-8000-000000000000" name="Same" isCodable="true"/>'
        f"</Codes></CodeBook><Cases>{cases}</Cases><Sources>{sources}</Sources></Project>"
    )
    assert len(qde) > 10 * limits.MAX_XML_BYTES
    path = tmp_path / "big.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", qde)
    with open_project(tmp_path / "p.db") as project:
        summary = import_qdpx(project, path)
        # 50 answers with the same text stay 50 documents (only documents there before are matched by text).
        assert (summary.documents, summary.codings, summary.participants) == (50, 50, 50)
        people = {p.id: p.name for p in project.participants.all()}
        assert {d.name: people[d.participant_id] for d in project.documents.all()} == {
            f"A{i}": f"P{i}" for i in range(50)
        }
        assert project.history.undo() is not None  # one action: one undo removes it all
        assert project.documents.all() == [] and project.participants.all() == []


def test_the_streamed_project_qde_has_a_cap_and_a_bomb_check(tmp_path, monkeypatch):
    import qualcode.limits as limits

    path = tmp_path / "s.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "project.qde", '<Project xmlns="urn:QDA-XML:project:1.0" name="x"><!--' + " " * 5000 + "--></Project>"
        )
    monkeypatch.setattr(limits, "MAX_QDE_BYTES", 1000)
    with open_project(tmp_path / "p.db") as project, pytest.raises(ImportFormatError, match="more than the 1000"):
        import_qdpx(project, path)
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("project.qde")
        monkeypatch.setattr(limits, "RATIO_FLOOR", 100)
        monkeypatch.setattr(limits, "MAX_RATIO", 2)  # checked on the bytes read, not on what the zip declares
        with pytest.raises(ImportFormatError, match="zip bomb"):
            CappedStream(z, info, 10_000, "s.qdpx", ImportFormatError).read(4096)
        info.file_size = 10  # a header that lies about the size: a coded error, not a traceback
        with pytest.raises(ImportFormatError, match="damaged archive"):
            CappedStream(z, info, 100, "s.qdpx", ImportFormatError).read(4096)


def test_export_warns_when_import_would_refuse_it(survey, tmp_path, monkeypatch):
    import qualcode.limits as limits

    monkeypatch.setattr(limits, "MAX_QDE_BYTES", 100)
    summary = export_qdpx(survey, tmp_path / "s.qdpx")
    assert len(summary.warnings) == 1 and "more than `refi import` reads" in summary.warnings[0]


def test_project_archives_have_their_own_entry_cap():
    infos = [zipfile.ZipInfo(f"sources/{i}.txt") for i in range(3)]
    with pytest.raises(ImportFormatError, match="lists 3 entries"):
        check_entries(infos, "x.qdpx", ImportFormatError, max_entries=2)
    check_entries(infos, "x.qdpx", ImportFormatError, max_entries=3)
    assert MAX_PROJECT_ENTRIES > 10 * MAX_ENTRIES  # a --sources files export of 10^5 answers is read back


def test_export_memory_does_not_hold_the_xml(survey, tmp_path):
    """The writer hands the zip about a megabyte at a time: no tree, no whole document in memory."""
    from qualcode.exchange.xml_out import XmlOut

    class Sink:
        def __init__(self) -> None:
            self.writes: list[int] = []

        def write(self, data: bytes) -> None:
            self.writes.append(len(data))

    sink = Sink()
    out = XmlOut(sink, "urn:x")
    out.open("Root")
    for i in range(60_000):
        out.leaf("Item", "text " * 8, n=i)
    out.close("Root")
    out.flush()
    assert len(sink.writes) > 3 and max(sink.writes) < (1 << 20) + 200


def test_cli_sources_option(survey, tmp_path):
    from typer.testing import CliRunner

    from qualcode.cli.main import app

    survey.close()
    out = tmp_path / "s.qdpx"
    run = CliRunner().invoke(app, ["refi", "export", str(out), "--sources", "inline", "-p", str(survey.path)])
    assert run.exit_code == 0, run.output
    with zipfile.ZipFile(out) as z:
        assert z.namelist() == ["project.qde"]
    run = CliRunner().invoke(app, ["refi", "export", str(out), "--sources", "zip", "-p", str(survey.path)])
    assert run.exit_code == 1 and "--sources must be one of auto, files, inline" in run.output
