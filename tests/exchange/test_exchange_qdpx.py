"""REFI-QDA project exchange (``.qdpx``): export, import, round trip, the ATLAS.ti sample, the CLI."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.errors import ImportFormatError
from qualcode.exchange import export_qdpx, import_qdpx, read_qdpx
from qualcode.model import ParsedDocument, ParsedTurn
from qualcode.store import NewCoding, open_project

STAMP = "2024-05-01T09:30:00Z"


def interview(name: str, person: str, turns: list[tuple[str, str]], *, attributed: bool) -> ParsedDocument:
    """``Speaker: text`` paragraphs; turn spans cover the utterance only, as the ingest parser finds them."""
    text, parsed = "", []
    for speaker, said in turns:
        text += ("\n\n" if text else "") + f"{speaker}: "
        start = len(text)
        text += said
        role = "interviewer" if speaker == "Interviewer" else "participant"
        parsed.append(ParsedTurn(speaker, start, len(text), role, None if role == "interviewer" else person))
    return ParsedDocument(name, "interview", text, parsed, participant=person if attributed else None)


@pytest.fixture
def study(project):
    """Two interviews with turns, a 2-level codebook, codings by two coders, memos, participants."""
    project.documents.add(
        interview(
            "Alice interview",
            "Alice",
            [
                ("Interviewer", "How was the tender?"),
                ("Alice", "Slow – très lent 😀 and the bid cost us weeks."),  # non-BMP emoji: one code point
                ("Interviewer", "Any feedback afterwards?"),
                ("Alice", "We never heard back."),
            ],
            attributed=True,
        )
    )
    project.documents.add(
        interview(
            "Bob interview",
            "Bob",
            [
                ("Interviewer", "Tell me about bidding."),
                ("Bob", "Lawyers' fees make every bid expensive."),
                ("Interviewer", "And feedback?"),
                ("Bob", "A short letter, months later."),
            ],
            attributed=True,
        )
    )  # as the ingest rules attribute a one-participant interview
    codes = project.codes
    codes.add("Burden", colour="#aa0000", description="What bidding costs.")
    codes.add("Bid cost", "Burden", colour="#00bb00", description="Money spent.", include="fees", keywords=["cost"])
    codes.add("Time", "Burden", description="Weeks lost.")
    codes.add("Feedback", colour="#0000cc", description="What bidders hear.", key="f")
    alice, bob = (project.documents.find(n) for n in ("Alice interview", "Bob interview"))
    at, bt = project.documents.turns(alice.id), project.documents.turns(bob.id)
    first = project.codings.apply(alice.id, at[1].start, at[1].end, ["Burden > Bid cost"], coder="ann")[0]
    project.codings.apply(alice.id, at[1].start, at[1].end, ["Burden > Time"], coder="ann")
    project.codings.apply(alice.id, at[3].start, at[3].end, ["Feedback"], coder="ann")
    project.codings.apply(alice.id, at[3].start, at[3].end, ["Feedback"], coder="ben")
    project.codings.apply(bob.id, bt[1].start, bt[1].start + 13, ["Burden > Bid cost"], coder="ben")
    project.codings.apply(bob.id, bt[3].start, bt[3].end, ["Feedback"], coder="ben")
    project.memos.add("coding", first.id, "Cost and time together.\nCheck with Bob.", author="ann")
    project.memos.add("document", bob.id, "Bob was in a hurry.", author="ben")
    project.memos.add("turn", at[2].id, "A leading question?", author="ben")
    project.memos.add("code", codes.resolve("Feedback").id, "Split by channel later.", author="ann")
    project.memos.add("project", None, "Second round of coding starts in June.", author="ann")
    project.participants.ensure("Alice", {"sector": "software", "size": "SME"})
    project.participants.ensure("Bob", {"sector": "health", "size": "large"})
    return project


def snapshot(project) -> dict:
    """Everything a round trip must keep, keyed by names (ids differ between projects)."""
    docs = {d.id: d for d in project.documents.all()}
    codes = {c.id: c for c in project.codes.all()}
    turns = {t.id: t for t in project.documents.all_turns()}
    people = {p.id: p.name for p in project.participants.all()}
    codings = {c.id: c for c in project.codings.all()}

    def target(m):
        if m.target == "document":
            return docs[m.target_id].name
        if m.target == "code":
            return codes[m.target_id].path
        if m.target == "turn":
            return (docs[turns[m.target_id].document_id].name, turns[m.target_id].seq)
        if m.target == "coding":
            c = codings[m.target_id]
            return (docs[c.document_id].name, codes[c.code_id].path, c.start, c.end, c.coder)
        return None

    return {
        "documents": {d.name: (d.text, people.get(d.participant_id)) for d in docs.values()},
        "turns": sorted(
            (docs[t.document_id].name, t.seq, t.speaker, t.role, t.start, t.end, people.get(t.participant_id))
            for t in turns.values()
        ),
        "codes": [(c.path, c.colour, c.description, c.include, c.keywords, c.key) for c in codes.values()],
        "codings": sorted(
            (docs[c.document_id].name, codes[c.code_id].path, c.start, c.end, c.coder, c.status)
            for c in codings.values()
        ),
        "memos": sorted((m.target, str(target(m)), m.text, m.author) for m in project.memos.all()),
        "participants": {p.name: p.attributes for p in project.participants.all()},
    }


@pytest.mark.parametrize("layout", ["auto", "inline", "files"])
def test_round_trip_keeps_documents_codes_codings_memos_and_participants(study, tmp_path, layout):
    out = tmp_path / "study.qdpx"
    summary = export_qdpx(study, out, timestamp=STAMP, sources=layout)
    with zipfile.ZipFile(out) as archive:  # 2 document texts as files unless inline; 1 project memo always
        assert len(archive.namelist()) == (2 if layout == "inline" else 4)
    # Hand count: 2 documents, 4 codes, 6 codings, 5 memos, 2 participants.
    assert (summary.documents, summary.codes, summary.codings, summary.memos, summary.participants) == (2, 4, 6, 5, 2)
    fresh = open_project(tmp_path / "copy.db")
    got = import_qdpx(fresh, out)
    assert (got.documents, got.codes, got.codings, got.memos, got.participants) == (2, 4, 6, 5, 2)
    assert got.warnings == []
    before, after = snapshot(study), snapshot(fresh)
    for part in before:
        assert after[part] == before[part], part
    assert len(after["turns"]) == 8 and after["documents"]["Alice interview"][1] == "Alice"
    fresh.close()


def test_offsets_are_code_points_into_the_utf8_source_file(study, tmp_path):
    out = tmp_path / "study.qdpx"
    export_qdpx(study, out, timestamp=STAMP)
    with zipfile.ZipFile(out) as archive:
        qde = archive.read("project.qde").decode("utf-8")
        guid = re.search(r'name="Alice interview" plainTextPath="internal://([0-9a-f-]+)\.txt"', qde).group(1)
        text = archive.read(f"sources/{guid}.txt").decode("utf-8")
    start, end = (int(v) for v in re.search(r'startPosition="(\d+)" endPosition="(\d+)"', qde).groups())
    assert text[start:end] == "Slow – très lent 😀 and the bid cost us weeks."
    assert text == study.documents.find("Alice interview").text


@pytest.mark.parametrize("layout", ["files", "inline"])
def test_export_validates_against_the_project_schema(study, tmp_path, shared_dir, layout):
    xmlschema = pytest.importorskip("xmlschema")
    xsd = shared_dir / "refi-qda" / "Project-mrt2019.xsd"
    if not xsd.exists():
        pytest.skip("Project-mrt2019.xsd not found")
    out = tmp_path / "study.qdpx"
    export_qdpx(study, out, include_pending=True, sources=layout)
    with zipfile.ZipFile(out) as archive:
        xmlschema.XMLSchema(str(xsd)).validate(archive.read("project.qde").decode("utf-8"))


def test_two_exports_are_identical(study, tmp_path):
    a, b = tmp_path / "a.qdpx", tmp_path / "b.qdpx"
    export_qdpx(study, a, timestamp=STAMP)
    export_qdpx(study, b, timestamp=STAMP)
    assert a.read_bytes() == b.read_bytes()
    export_qdpx(study, b, timestamp="2030-01-01T00:00:00Z")
    qde = [zipfile.ZipFile(p).read("project.qde").decode() for p in (a, b)]
    assert qde[0] != qde[1]
    assert qde[0].replace("2024-05-01T09:30:00Z", "T") == qde[1].replace("2030-01-01T00:00:00Z", "T")


def test_pending_codings_only_on_request_and_rejected_never(study, tmp_path):
    alice = study.documents.find("Alice interview")
    code = study.codes.resolve("Feedback").id
    pending, rejected = study.codings.add_many(
        [
            NewCoding(code, alice.id, 0, 5, coder="autotag", origin="auto"),
            NewCoding(code, alice.id, 6, 9, coder="autotag", origin="auto"),
        ]
    )
    study.codings.set_status([rejected], "rejected")
    default = export_qdpx(study, tmp_path / "a.qdpx", timestamp=STAMP)
    assert default.codings == 6
    assert default.warnings == ["1 pending machine coding(s) left out; pass --include-pending to export them"]
    wider = export_qdpx(study, tmp_path / "b.qdpx", include_pending=True, timestamp=STAMP)
    assert wider.codings == 7 and wider.warnings == []
    fresh = open_project(tmp_path / "copy.db")
    import_qdpx(fresh, tmp_path / "b.qdpx")
    spans = {(c.start, c.end, c.coder, c.origin, c.status) for c in fresh.codings.all()}
    assert (0, 5, "autotag", "manual", "confirmed") in spans and not any(s[:2] == (6, 9) for s in spans)
    fresh.close()


def test_import_twice_adds_nothing_and_one_undo_removes_the_import(study, tmp_path):
    out = tmp_path / "study.qdpx"
    export_qdpx(study, out)
    fresh = open_project(tmp_path / "copy.db")
    import_qdpx(fresh, out)
    again = import_qdpx(fresh, out)
    assert (again.documents, again.codes, again.codings, again.memos, again.participants) == (0, 0, 0, 0, 0)
    assert len(fresh.codings.all()) == 6
    fresh.history.undo()
    assert fresh.documents.all() == [] and fresh.codes.all() == [] and fresh.memos.all() == []
    assert fresh.participants.all() == []
    fresh.close()


def test_a_failure_half_way_leaves_the_project_unchanged(study, tmp_path, monkeypatch):
    out = tmp_path / "study.qdpx"
    export_qdpx(study, out)
    fresh = open_project(tmp_path / "copy.db")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(fresh.memos, "add", broken)
    with pytest.raises(RuntimeError):
        import_qdpx(fresh, out)
    assert fresh.documents.all() == [] and fresh.codes.all() == [] and fresh.codings.all() == []
    fresh.close()


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


QDE = (
    '<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="t">'
    '<Sources><TextSource guid="11111111-2222-3333-4444-555555555555" name="doc" plainTextPath="internal://{name}"/>'
    "</Sources></Project>"
)


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (None, "not a .qdpx archive"),
        ({"readme.txt": b"hi"}, "no project.qde"),
        ({"project.qde": b"<Project xmlns='urn:QDA-XML:project:1.0'><Sources></Project>"}, "invalid XML"),
        (
            {"project.qde": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Project name="x">&a;</Project>'},
            "unsafe XML refused",
        ),
        ({"project.qde": b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'/>"}, "expected <Project>"),
        ({"project.qde": QDE.format(name="../../etc/passwd").encode()}, "not a plain file name"),
        ({"project.qde": QDE.format(name="big.txt").encode(), "sources/big.txt": b"\0" * (40 << 20)}, "zip bomb"),
        ({"project.qde": QDE.format(name="bad.txt").encode(), "sources/bad.txt": b"caf\xe9 au lait"}, "not UTF-8"),
    ],
)
def test_broken_archives_are_refused_with_the_file_named(tmp_path, project, entries, message):
    path = tmp_path / "broken.qdpx"
    if entries is None:
        path.write_text("not a zip")
    else:
        _zip(path, entries)
    with pytest.raises(ImportFormatError) as caught:
        import_qdpx(project, path)
    assert message in str(caught.value) and str(path) in str(caught.value)
    assert project.documents.all() == [] and project.codes.all() == []


@pytest.fixture
def atlas(shared_dir) -> Path:
    path = shared_dir / "refi-qda" / "atlas-standard-project" / "ATLASti_standard_project.qdpx"
    if not path.exists():
        pytest.skip("ATLAS.ti sample not found")
    return path


def test_atlas_sample_parses_to_the_hand_counted_parts(atlas):
    qde = read_qdpx(atlas)
    # Hand count from its Project.qde: 6 TextSources, 1 PictureSource, 2 PDFSources, 1 AudioSource,
    # 2 VideoSources; 14 Codes (flat, "Coke::diet Coke" names); 8 PlainTextSelections (6 in TextSources,
    # 2 in a PDF's Representation); 16 Codings in all; 2 Notes; 3 Users; 16 Sets, 1 Link, 1 Graph.
    assert len(qde.sources) == 6
    assert dict(qde.left_out) == {
        "PictureSource": 1,
        "PDFSource": 2,
        "AudioSource": 1,
        "VideoSource": 2,
        "Set": 16,
        "Link": 1,
        "Graph": 1,
    }
    assert qde.codebook.count() == 14 and len(qde.code_paths) == 14
    assert qde.counts["PlainTextSelection"] == 8 and sum(len(s.selections) for s in qde.sources) == 6
    assert qde.counts["Coding"] == 16
    assert len(qde.notes) == 2 and len(qde.users) == 3


def test_atlas_sample_imports_codes_and_notes_and_warns_about_missing_sources(atlas, project):
    got = import_qdpx(project, atlas)
    assert (got.documents, got.codes, got.codings, got.memos) == (0, 14, 0, 2)
    missing = [w for w in got.warnings if "missing from the archive" in w]
    assert len(missing) == 6  # the sample's Sources/ folder is empty
    assert any(w.startswith("2 PDFSource") for w in got.warnings)
    assert project.codes.resolve("Coke::diet Coke").colour == "#966450"
    research = [m for m in project.memos.all() if m.text.startswith("Research Plan")]
    assert research and research[0].author == "Friedrich Markgraf"


def test_atlas_sample_with_its_sources_filled_in(atlas, project, tmp_path):
    data = zipfile.ZipFile(atlas).read("Project.qde")
    names = sorted(set(re.findall(rb"internal://([0-9A-F-]+\.txt)", data)))
    text = "Interviewer: Tell me about breakfast.\n\nMabel: " + "Porridge for the baby, toast for me. " * 30
    filled = _zip(
        tmp_path / "filled.qdpx", {"Project.qde": data, **{f"Sources/{n.decode()}": text.encode() for n in names}}
    )
    got = import_qdpx(project, filled)
    # Hand count: 6 text sources; codings 1 (Diet Coke break) + 0 (Mabêl 2ième: a commented selection, no coding)
    # + 3 (Mabel) + 3 (Simon) = 7; memos: 2 notes + Mabêl's selection comment (a document memo) + Simon's
    # commented selection (a memo on its coding) = 4.
    assert (got.documents, got.codes, got.codings, got.memos) == (6, 14, 7, 4)
    simon = project.documents.find("Simon.docx")
    spans = sorted((c.start, c.end) for c in project.codings.for_document(simon.id))
    assert spans == [(215, 275), (513, 907), (688, 907)]
    assert {c.coder for c in project.codings.all()} == {"Friedrich Markgraf"}
    assert len(project.documents.turns(simon.id)) == 2  # the transcript parser found the speaker turns


def test_cli_export_and_import_with_json(study, tmp_path, monkeypatch):
    from qualcode.cli.main import app

    monkeypatch.setenv("QUALCODE_PROJECT", str(study.path))
    runner = CliRunner()
    out = tmp_path / "cli.qdpx"
    result = runner.invoke(app, ["refi", "export", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "file": str(out),
        "documents": 2,
        "codes": 4,
        "codings": 6,
        "memos": 5,
        "participants": 2,
        "warnings": [],
    }
    copy = tmp_path / "copy.db"
    result = runner.invoke(app, ["refi", "import", str(out), "--project", str(copy), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["codings"] == 6
    result = runner.invoke(app, ["refi", "import", str(tmp_path / "nope.qdpx")])
    assert result.exit_code == 1 and result.stderr.startswith("Error: ") and "nope.qdpx" in result.stderr
    (tmp_path / "junk.qdpx").write_text("junk")
    result = runner.invoke(app, ["refi", "import", str(tmp_path / "junk.qdpx")])
    assert result.exit_code == 1 and "not a .qdpx archive" in result.stderr and "Traceback" not in result.output
    result = runner.invoke(app, ["refi", "export", str(tmp_path / "x.zip")])
    assert result.exit_code == 1 and "must end in .qdpx" in result.stderr


def test_demo_study_round_trips(tmp_path, demo_copy):
    demo = open_project(demo_copy)
    export_qdpx(demo, tmp_path / "demo.qdpx", include_pending=True)
    fresh = open_project(tmp_path / "copy.db")
    got = import_qdpx(fresh, tmp_path / "demo.qdpx")
    assert got.warnings == [] and got.documents == len(demo.documents.all())
    before, after = snapshot(demo), snapshot(fresh)
    for part in ("documents", "codes", "codings", "memos", "participants"):
        assert after[part] == before[part], part
    # Survey answers have one speakerless turn after the trip (the label was the respondent id).
    assert [t[:2] + t[3:] for t in after["turns"]] == [t[:2] + t[3:] for t in before["turns"]]
    demo.close()
    fresh.close()
