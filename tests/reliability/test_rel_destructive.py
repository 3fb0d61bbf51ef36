"""No silent destruction: demo --rebuild, outputs over the project, atomic 0600 exports, --replace, uncode."""

from __future__ import annotations

import os
import stat

import pytest
from typer.testing import CliRunner

from qualcode.cli.main import app
from qualcode.store import open_project
from tests.helpers import transcript


@pytest.fixture
def study(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODE_CODER", "tester")
    monkeypatch.delenv("QUALCODE_SHARED", raising=False)
    path = tmp_path / "study.db"
    with open_project(path) as p:
        p.documents.add(
            transcript("a", [("Interviewer", "Why?"), ("Ann", '=HYPERLINK("x") <script>alert(1)</script>')])
        )
        p.codes.add("Feedback")
        p.codes.add("=cmd|' /C calc'!A0")
        for start in (0, 6, 10):
            p.codings.apply("a", start, start + 3, ["Feedback"])
    return path


def _run(*args: str, **kw):
    return CliRunner().invoke(app, list(args), catch_exceptions=False, **kw)


def _ids(path) -> list[int]:
    with open_project(path) as p:
        return sorted(c.id for c in p.codings.all())


def test_demo_rebuild_refuses_a_real_study(study, monkeypatch):
    monkeypatch.setenv("QUALCODE_PROJECT", str(study))
    before = _ids(study)
    out = _run("demo", "--rebuild", "--no-tui")
    assert out.exit_code == 1 and "not a demo project" in out.output and "[E001]" in out.output
    assert _ids(study) == before


def test_a_marked_demo_project_may_be_rebuilt(tmp_path):
    from qualcode.demo import is_demo_project

    path = tmp_path / "demo.db"
    with open_project(path) as p:
        assert not is_demo_project(path)
        p.set_meta("demo", "1")
    assert is_demo_project(path)


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_export_refuses_the_project_file_and_its_side_files(study, suffix):
    target = f"{study}{suffix}"
    with open_project(study):  # keeps -wal/-shm present
        before = open(study, "rb").read(16) if not suffix else None
        out = _run("export", "codings", "-o", target, "-f", "csv", "-p", str(study))
    assert out.exit_code == 1 and "Error:" in out.output and "[E004]" in out.output
    if before is not None:
        assert open(study, "rb").read(16) == before
    assert len(_ids(study)) == 3


def test_a_failed_xlsx_export_keeps_the_previous_file_and_leaves_no_temp(study, tmp_path, monkeypatch):
    out_file = tmp_path / "c.xlsx"
    assert _run("export", "codings", "-o", str(out_file), "-p", str(study)).exit_code == 0
    good = out_file.read_bytes()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "shared-tmp"))
    (tmp_path / "shared-tmp").mkdir()
    import openpyxl.workbook.workbook as wb

    def broken_save(self, filename):
        with open(filename, "wb") as fh:
            fh.write(b"PK\x03\x04 half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(wb.Workbook, "save", broken_save)
    out = CliRunner().invoke(app, ["export", "codings", "-o", str(out_file), "-p", str(study)])
    assert out.exit_code == 1 and "disk is full" in out.output and "[E006]" in out.output
    assert out_file.read_bytes() == good
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".c.xlsx")]
    assert list((tmp_path / "shared-tmp").iterdir()) == []


def test_project_and_exports_are_owner_only_even_under_umask_000(tmp_path, monkeypatch):
    monkeypatch.delenv("QUALCODE_SHARED", raising=False)
    old = os.umask(0)
    try:
        path = tmp_path / "new.db"
        with open_project(path) as p:
            p.documents.add(transcript("a", [("Interviewer", "Why?"), ("Ann", "Because.")]))
            assert stat.S_IMODE(os.stat(f"{path}-wal").st_mode) == 0o600
        for fmt in ("csv", "xlsx", "md", "json"):
            out = tmp_path / f"d.{fmt}"
            assert _run("export", "codings", "-o", str(out), "-p", str(path)).exit_code == 0
            assert stat.S_IMODE(out.stat().st_mode) == 0o600, fmt
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        monkeypatch.setenv("QUALCODE_SHARED", "1")
        shared = tmp_path / "shared.db"
        open_project(shared).close()
        assert stat.S_IMODE(shared.stat().st_mode) == 0o640
        out = tmp_path / "shared.csv"
        assert _run("--shared", "export", "codings", "-o", str(out), "-p", str(path)).exit_code == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o640
    finally:
        os.umask(old)


def test_uncode_several_ids_is_all_or_nothing(study):
    ids = _ids(study)
    out = CliRunner().invoke(app, ["uncode", str(ids[0]), "999999", str(ids[2]), "-p", str(study)])
    assert out.exit_code == 1 and "999999" in out.output
    assert _ids(study) == ids
    assert _run("uncode", str(ids[0]), str(ids[2]), "-p", str(study)).exit_code == 0
    assert _ids(study) == [ids[1]]
    assert _run("undo", "-p", str(study)).exit_code == 0  # one action
    assert _ids(study) == ids


def test_review_several_ids_is_all_or_nothing(study):
    from qualcode.store import NewCoding

    with open_project(study) as p:
        code = p.codes.resolve("Feedback").id
        auto = p.codings.add_many([NewCoding(code, 1, s, s + 2, origin="auto") for s in (1, 3)])
    out = CliRunner().invoke(app, ["review", "accept", str(auto[0]), "999999", str(auto[1]), "-p", str(study)])
    assert out.exit_code == 1
    with open_project(study) as p:
        assert {p.codings.get(i).status for i in auto} == {"pending"}


def test_import_replace_says_how_many_codings_it_removes(study, tmp_path, monkeypatch):
    src = tmp_path / "a.txt"
    src.write_text("Interviewer: Why?\n\nAnn: Because it changed.\n", encoding="utf-8")
    out = _run("import", str(src), "-p", str(study), "--replace", "--json")
    import json

    rows = json.loads(out.output)
    assert rows[0]["status"] == "replaced" and rows[0]["codings_removed"] == 3
    # On a terminal it asks first; "no" keeps everything.
    import qualcode.cli.documents as docs

    with open_project(study) as p:
        p.codings.apply("a", 0, 3, ["Feedback"])
    monkeypatch.setattr(docs, "_interactive", lambda: True)
    src.write_text("Interviewer: Why?\n\nAnn: Because it changed again.\n", encoding="utf-8")
    out = CliRunner().invoke(app, ["import", str(src), "-p", str(study), "--replace"], input="n\n")
    assert out.exit_code == 1 and "remove their 1 coding" in out.output
    assert len(_ids(study)) == 1
    out = CliRunner().invoke(app, ["import", str(src), "-p", str(study), "--replace", "--yes"])
    assert out.exit_code == 0 and "1 codings removed" in out.output
    assert _ids(study) == []


def test_codebook_csv_export_neutralises_formulas_and_reads_back(study, tmp_path):
    out = tmp_path / "book.csv"
    assert _run("codebook", "export", str(out), "-p", str(study)).exit_code == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "\n'=cmd|" in text.replace("\r\n", "\n") and "\n=cmd" not in text.replace("\r\n", "\n")
    from qualcode.codebook import load_codebook

    assert "=cmd|' /C calc'!A0" in [n.name for n in load_codebook(out).nodes]


def test_markdown_export_escapes_html(study, tmp_path):
    with open_project(study) as p:
        doc = p.documents.find("a")
        p.codings.apply("a", 24, len(doc.text), ["Feedback"])  # Ann's turn, with the <script>
    out = tmp_path / "c.md"
    assert _run("export", "codings", "-o", str(out), "-p", str(study)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "<script>" not in text and "&lt;script&gt;alert(1)" in text


def test_read_only_project_and_full_disk_are_coded_errors(study):
    from qualcode.errors import StorageError, as_user_error

    with open_project(study) as p:
        p.db.execute("PRAGMA query_only = 1")  # SQLite answers as for a read-only file
        with pytest.raises(StorageError, match="read-only"):
            p.memos.add("project", None, "kept?")
    assert "[E006]" in str(as_user_error(OSError(28, "No space left on device", "x.csv")))


def test_a_killed_writers_temp_file_is_swept_by_the_next_export(study, tmp_path):
    out_file = tmp_path / "c.csv"
    stale = tmp_path / ".c.csv.999999999.abcd.qualcode-part"  # no such process
    stale.write_text("half")
    live = tmp_path / f".c.csv.{os.getpid()}.abcd.qualcode-part"  # a writer still running
    live.write_text("busy")
    assert _run("export", "codings", "-o", str(out_file), "-p", str(study)).exit_code == 0
    assert not stale.exists() and live.exists()


def test_merge_works_beside_the_project_and_sweeps_a_killed_merges_folder(study, tmp_path, monkeypatch):
    import tempfile

    stale = tmp_path / ".qualcode-merge-999999999-abc"  # left by a killed merge (no such process)
    stale.mkdir()
    (stale / "other.db").write_text("a whole study")
    shared_tmp = tmp_path / "shared-tmp"
    shared_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(shared_tmp))
    other = tmp_path / "other.db"
    with open_project(other) as p:
        p.documents.add(transcript("b", [("Interviewer", "Why?"), ("Bo", "Because.")]))
    assert _run("merge", str(other), "-p", str(study)).exit_code == 0
    assert not stale.exists() and list(shared_tmp.iterdir()) == []
    assert not list(tmp_path.glob(".qualcode-merge-*"))
