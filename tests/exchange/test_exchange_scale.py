"""REFI export of a survey: qualcode reads back what it writes, and says when a file is too big to."""

from __future__ import annotations

import zipfile

import pytest

from qualcode.errors import ImportFormatError
from qualcode.exchange import export_qdpx, import_qdpx
from qualcode.limits import MAX_ENTRIES, MAX_PROJECT_ENTRIES, check_entries
from qualcode.model import ParsedDocument
from qualcode.store import open_project


@pytest.fixture
def survey(project):
    project.documents.add_many(
        [
            ParsedDocument(name=f"R{i}", kind="survey", text=f"answer number {i}", participant=f"R{i}", sha256=f"s{i}")
            for i in range(5)
        ]
    )
    return project


def test_export_streams_one_entry_per_answer_and_reads_back(survey, tmp_path):
    out = tmp_path / "s.qdpx"
    summary = export_qdpx(survey, out)
    assert summary.warnings == [] and summary.documents == 5
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        assert names[0] == "project.qde" and len(names) == 6
        assert all(z.getinfo(n).compress_type == zipfile.ZIP_DEFLATED for n in names)
    with open_project(tmp_path / "back.db") as back:
        assert import_qdpx(back, out).documents == 5
        assert sorted(d.name for d in back.documents.all()) == [f"R{i}" for i in range(5)]


def test_export_warns_when_import_would_refuse_it(survey, tmp_path, monkeypatch):
    import qualcode.limits as limits

    monkeypatch.setattr(limits, "MAX_XML_BYTES", 100)
    summary = export_qdpx(survey, tmp_path / "s.qdpx")
    assert len(summary.warnings) == 1 and "more than `refi import` reads" in summary.warnings[0]


def test_project_archives_have_their_own_entry_cap():
    infos = [zipfile.ZipInfo(f"sources/{i}.txt") for i in range(3)]
    with pytest.raises(ImportFormatError, match="lists 3 entries"):
        check_entries(infos, "x.qdpx", ImportFormatError, max_entries=2)
    check_entries(infos, "x.qdpx", ImportFormatError, max_entries=3)
    assert MAX_PROJECT_ENTRIES > 10 * MAX_ENTRIES  # a 10^5-answer export (100,001 entries) is read back
