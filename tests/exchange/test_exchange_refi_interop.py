"""REFI-QDA exchange that other tools read: memos as selection Descriptions and journal notes; on import the
project and case Descriptions, annotations anchored in a note's own selection, and every left-out part warned."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from qualcode.exchange import export_qdpx, import_qdpx
from qualcode.model import ParsedDocument

TEXT = "Interviewer: How was it?\n\nMabel: Porridge for the baby, toast for me."
G = "{:08d}-0000-4000-8000-000000000000".format


def _small(project):
    doc, _ = project.documents.add(ParsedDocument("Mabel", "interview", TEXT))
    project.codes.add("Food")
    project.codes.add("Family")
    start = TEXT.index("Porridge")
    food = project.codings.apply(doc.id, start, start + 8, ["Food"], coder="ann")[0]
    project.codings.apply(doc.id, start, start + 8, ["Family"], coder="ann")
    project.memos.add("coding", food.id, "Breakfast is food.", author="ann")
    project.memos.add("project", None, "Journal: second round in June.", author="ann")
    project.memos.add("document", doc.id, "Noisy recording.", author="ann")
    return doc


def test_memos_travel_as_descriptions_and_journal_notes_and_validate(project, tmp_path, shared_dir):
    from lxml import etree

    _small(project)
    out = tmp_path / "small.qdpx"
    export_qdpx(project, out, timestamp="2024-05-01T09:30:00Z")
    with zipfile.ZipFile(out) as archive:
        qde = archive.read("project.qde")
        names = archive.namelist()
        root = etree.fromstring(qde)
        ns = {"q": "urn:QDA-XML:project:1.0"}
        sels = root.findall(".//q:TextSource/q:PlainTextSelection", ns)
        # The memo'd Food coding sits alone in its selection, whose Description is the memo; Family shares none.
        described = [s for s in sels if s.find("q:Description", ns) is not None]
        assert len(sels) == 2 and len(described) == 1
        assert described[0].find("q:Description", ns).text == "Breakfast is food."
        assert len(described[0].findall("q:Coding", ns)) == 1
        source = root.find(".//q:TextSource", ns)
        assert source[0].tag.endswith("Description") and source[0].text == "Noisy recording."
        journal = [n for n in root.findall(".//q:Notes/q:Note", ns) if n.get("plainTextPath")]
        assert len(journal) == 1 and journal[0].find("q:PlainTextContent", ns) is None and journal[0].get("name")
        entry = "sources/" + journal[0].get("plainTextPath").split("://", 1)[1]
        assert entry in names and archive.read(entry).decode() == "Journal: second round in June."
    xsd = shared_dir / "refi-qda" / "Project-mrt2019.xsd"
    xmlschema = pytest.importorskip("xmlschema")
    xmlschema.XMLSchema(str(xsd)).validate(qde.decode("utf-8"))
    # Back in: three memos, not five (a Description that repeats the notes adds nothing).
    from qualcode.store import open_project

    with open_project(tmp_path / "back.db") as fresh:
        got = import_qdpx(fresh, out)
        assert got.memos == 3 and got.warnings == []
        assert sorted(m.target for m in fresh.memos.all()) == ["coding", "document", "project"]


def _qualcoder_style(path: Path) -> Path:
    """A project as QualCoder writes one: annotation notes anchored by their own selection, Descriptions."""
    start = TEXT.index("Porridge")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="qc" origin="QualCoder" creatingUserGUID="{G(1)}">
<Users><User guid="{G(1)}" name="colin"/></Users>
<CodeBook><Codes><Code guid="{G(2)}" name="Food" isCodable="true"/></Codes></CodeBook>
<Cases><Case guid="{G(3)}" name="Mabel"><Description>Mother of two, rural.</Description>
<SourceRef targetGUID="{G(4)}"/></Case></Cases>
<Sources><TextSource guid="{G(4)}" name="mabel.txt" plainTextPath="internal://{G(4)}.txt">
<PlainTextSelection guid="{G(5)}" startPosition="{start}" endPosition="{start + 8}" creatingUser="{G(1)}">
<Description>Porridge: a coding memo.</Description>
<Coding guid="{G(6)}" creatingUser="{G(1)}"><CodeRef targetGUID="{G(2)}"/></Coding></PlainTextSelection>
<NoteRef targetGUID="{G(7)}"/></TextSource>
<PictureSource guid="{G(8)}" name="photo.png" path="internal://{G(8)}.png"/></Sources>
<Notes><Note guid="{G(7)}" creatingUser="{G(1)}"><PlainTextContent>Toast: an annotation.</PlainTextContent>
<PlainTextSelection guid="{G(9)}" startPosition="{TEXT.index("toast")}" endPosition="{TEXT.index("toast") + 5}"/>
</Note></Notes>
<Sets><Set guid="{G(10)}" name="group"/></Sets>
<Notes><Note guid="{G(11)}" name="stray"><PlainTextContent>No source points here.</PlainTextContent>
<PlainTextSelection guid="{G(12)}" startPosition="1" endPosition="3"/></Note></Notes>
<Description>A study of breakfasts.</Description>
</Project>"""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr(f"sources/{G(4)}.txt", TEXT)
    return path


def test_import_reads_descriptions_anchored_annotations_and_warns_what_is_left_out(project, tmp_path):
    got = import_qdpx(project, _qualcoder_style(tmp_path / "qc.qdpx"))
    assert (got.documents, got.codings, got.participants) == (1, 1, 1)
    memos = {m.text: m for m in project.memos.all()}
    doc = project.documents.find("mabel.txt")
    coding = project.codings.all()[0]
    assert (
        memos["Porridge: a coding memo."].target == "coding"
        and memos["Porridge: a coding memo."].target_id == coding.id
    )
    anchored = next(m for t, m in memos.items() if t.endswith("Toast: an annotation."))
    at = TEXT.index("toast")
    assert (anchored.target, anchored.target_id) == ("document", doc.id)
    assert anchored.text.startswith(f"[{at}-{at + 5}] “toast”")  # the span is kept
    assert any(m.target == "project" and "A study of breakfasts." in t for t, m in memos.items())
    assert any(m.target == "project" and t == "Case Mabel: Mother of two, rural." for t, m in memos.items())
    assert memos["stray\n\nNo source points here."].target == "project"
    assert len(memos) == 5
    assert project.documents.get(doc.id).participant_id == project.participants.find("Mabel").id
    joined = " | ".join(got.warnings)
    assert "1 PictureSource element(s) left out" in joined and "1 Set element(s) left out" in joined
    assert "note 'stray': anchored at 1-3 but no source references it" in joined
    again = import_qdpx(project, tmp_path / "qc.qdpx")
    assert (again.documents, again.codings, again.memos) == (0, 0, 0)


def test_a_source_with_our_text_is_our_document_whatever_its_name(project, tmp_path):
    ours, _ = project.documents.add(ParsedDocument("Mabel interview", "focus_group", TEXT, metadata={"x": 1}))
    got = import_qdpx(project, _qualcoder_style(tmp_path / "qc.qdpx"))
    assert got.documents == 0 and [d.id for d in project.documents.all()] == [ours.id]
    assert project.codings.all()[0].document_id == ours.id
    assert any("same text as document 'Mabel interview'" in w for w in got.warnings)
