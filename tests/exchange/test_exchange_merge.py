"""``qualcode merge``: two coders' copies of the demo study brought together, by project file and by .qdpx."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from qualcode.model import ParsedDocument


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    from qualcode.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(path)
    return path


def _copy(src: Path, dst: Path) -> Path:
    shutil.copy(src, dst)
    return dst


def _twin(path: Path, coder: str = "bob") -> int:
    """Make this copy ``coder``'s alone: an exact twin of every demo-analyst coding, which are then removed."""
    from qualcode.store import NewCoding, open_project

    with open_project(path) as p:
        mine = [c for c in p.codings.all() if c.coder == "demo-analyst"]
        p.codings.add_many([NewCoding(c.code_id, c.document_id, c.start, c.end, coder=coder) for c in mine])
        for c in mine:
            p.codings.remove(c.id)
        assert {c.coder for c in p.codings.all()} == {coder}
        kinds = Counter(p.documents.get(c.document_id).kind for c in mine)
    assert set(kinds) == {"interview", "focus_group", "survey"}  # the study's three kinds are all coded
    return len(mine)


def _counts(path: Path) -> tuple[int, Counter]:
    from qualcode.store import open_project

    with open_project(path) as p:
        return len(p.documents.all()), Counter(c.coder for c in p.codings.all())


def _keys(path: Path) -> Counter:
    """Every coding as (document name, start, end, code path, coder)."""
    from qualcode.store import open_project

    with open_project(path) as p:
        docs = {d.id: d.name for d in p.documents.all()}
        codes = {c.id: c.path for c in p.codes.all()}
        return Counter((docs[c.document_id], c.start, c.end, codes[c.code_id], c.coder) for c in p.codings.all())


def _other(tmp_path: Path, demo_db: Path, how: str) -> Path:
    """Coder B's copy (twin codings) as a project file or as a .qdpx."""
    b = _copy(demo_db, tmp_path / "b.db")
    _twin(b)
    if how == "db":
        return b
    from qualcode.exchange import export_qdpx
    from qualcode.store import open_project

    with open_project(b) as p:
        export_qdpx(p, tmp_path / "b.qdpx")
    return tmp_path / "b.qdpx"


@pytest.mark.parametrize("how", ["db", "qdpx"])
def test_merge_both_ways_keeps_documents_and_every_coding_once(tmp_path, demo_db, how, monkeypatch):
    from qualcode.analysis.agreement import agreement
    from qualcode.services.merge import merge
    from qualcode.store import open_project

    monkeypatch.setenv("QUALCODE_CODER", "alice")
    a = _copy(demo_db, tmp_path / "a.db")
    docs_before, coders_before = _counts(a)
    other = _other(tmp_path, demo_db, how)
    expected = _keys(a) + Counter({(d, s, e, c, "bob"): 1 for (d, s, e, c, who) in _keys(a) if who == "demo-analyst"})
    with open_project(a) as p:
        summary = merge(p, other)
        assert summary.documents_added == 0
        assert summary.documents_matched == docs_before == 58
        assert summary.codings_added == coders_before["demo-analyst"] == 108
        assert summary.codings_skipped == 0  # B's file holds only bob's codings
        assert summary.conflicts == []
        result = agreement(p, ["demo-analyst", "bob"])
        assert result.overall.kappa_mean == pytest.approx(1.0)
        assert result.overall.percent_agreement == pytest.approx(100.0)
        assert all(c.percent_agreement == pytest.approx(100.0) for c in result.codes)
    assert _keys(a) == expected  # every coding present exactly once, with its coder
    assert _counts(a)[0] == 58
    with open_project(a) as p:
        again = merge(p, other)
    assert (
        again.documents_added,
        again.codes_added,
        again.codings_added,
        again.memos_added,
        again.participants_added,
    ) == (0, 0, 0, 0, 0)
    assert _keys(a) == expected


def test_undo_removes_the_whole_merge(tmp_path, demo_db):
    from qualcode.services.merge import merge
    from qualcode.store import open_project

    a = _copy(demo_db, tmp_path / "a.db")
    before = _keys(a)
    other = _other(tmp_path, demo_db, "db")
    with open_project(other) as p:
        p.codes.ensure_path("New theme > New code", description="from bob")
        doc = p.documents.all()[0]
        p.codings.apply(doc.id, 0, 10, ["New theme > New code"], coder="bob")
        p.memos.add("document", doc.id, "bob's memo", author="bob")
        p.participants.ensure("Newcomer", {"org_size": "SME"})
    with open_project(a) as p:
        events = len(p.history.events())
        summary = merge(p, other)
        assert (summary.codes_added, summary.memos_added, summary.participants_added) == (2, 1, 1)
        assert len(p.history.events()) == events + 1  # ONE action
        p.history.undo()
        assert p.codes.find_path("New theme") is None
        assert p.participants.find("Newcomer") is None
        assert p.memos.all() == []
    assert _keys(a) == before


def test_conflicting_attribute_and_corrected_transcript_are_reported(tmp_path, demo_db):
    from qualcode.services.merge import merge
    from qualcode.store import open_project

    a = _copy(demo_db, tmp_path / "a.db")
    b = _copy(demo_db, tmp_path / "b.db")
    with open_project(a) as p:
        person = next(x for x in p.participants.all() if x.attributes.get("org_size"))
        target = next(d for d in p.documents.all() if d.kind == "interview")
        ours_value = person.attributes["org_size"]
    with open_project(b) as p:
        p.participants.set_attributes(person.name, {"org_size": ours_value + " (recoded)"})
        old = p.documents.get(target.id)
        corrected = "Corrected. " + old.text  # every offset shifts by 11
        p.documents.remove(old.id)
        doc, _ = p.documents.add(ParsedDocument(name=old.name, kind=old.kind, text=corrected))
        anchor = corrected.index(old.text[20:40])
        p.codings.apply(doc.id, anchor, anchor + 20, [p.codes.all()[0].id], coder="bob")
    with open_project(a) as p:
        docs_before = len(p.documents.all())
        summary = merge(p, b)
        kinds = {c["kind"]: c for c in summary.conflicts}
        assert kinds["attribute"]["item"] == person.name
        assert (kinds["attribute"]["ours"], kinds["attribute"]["theirs"]) == (ours_value, ours_value + " (recoded)")
        assert p.participants.find(person.name).attributes["org_size"] == ours_value  # never overwritten
        assert kinds["document_text"]["item"] == target.name
        assert any(target.name in w for w in summary.warnings)
        assert summary.documents_added == 1 and len(p.documents.all()) == docs_before + 1
        added = p.documents.find(f"{target.name} (2)")
        assert added is not None and added.text == corrected
        bob = [c for c in p.codings.all() if c.coder == "bob"]
        assert [(c.document_id, c.start) for c in bob] == [(added.id, anchor)]  # on their text, not ours
        assert added.text[bob[0].start : bob[0].end] == old.text[20:40]
        # demo-analyst's codings of the corrected copy are kept separate too, at their own offsets
        assert p.documents.get(target.id).text == old.text


def test_refi_import_matches_documents_by_text(tmp_path, demo_db):
    from qualcode.exchange import export_qdpx, import_qdpx
    from qualcode.store import open_project

    a = _copy(demo_db, tmp_path / "a.db")
    other = _other(tmp_path, demo_db, "qdpx")
    with open_project(a) as p:
        summary = import_qdpx(p, other)
        assert summary.documents == 0
        assert len(p.documents.all()) == 58
        assert Counter(c.coder for c in p.codings.all())["bob"] == 108
    del export_qdpx


def test_cli_merge_json_and_refusals(tmp_path, demo_db):
    from typer.testing import CliRunner

    from qualcode.cli.main import app

    a = _copy(demo_db, tmp_path / "a.db")
    other = _other(tmp_path, demo_db, "db")
    runner = CliRunner()
    out = runner.invoke(app, ["merge", str(other), "-p", str(a), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert list(data) == [
        "file",
        "documents_matched",
        "documents_added",
        "codes_added",
        "codings_added",
        "codings_skipped",
        "memos_added",
        "participants_added",
        "conflicts",
        "warnings",
    ]
    assert (data["documents_matched"], data["codings_added"]) == (58, 108)
    bad = runner.invoke(app, ["merge", str(tmp_path / "nope.db"), "-p", str(a)])
    assert bad.exit_code == 1 and "nope.db" in bad.output and "Traceback" not in bad.output
    (tmp_path / "junk.db").write_text("not sqlite")
    junk = runner.invoke(app, ["merge", str(tmp_path / "junk.db"), "-p", str(a)])
    assert junk.exit_code == 1 and "junk.db" in junk.output
    self_merge = runner.invoke(app, ["merge", str(a), "-p", str(a)])
    assert self_merge.exit_code == 1 and "itself" in self_merge.output


def test_machine_codings_keep_origin_status_confidence_and_run(tmp_path, demo_db):
    from qualcode.services.merge import merge
    from qualcode.store import NewCoding, open_project

    a = _copy(demo_db, tmp_path / "a.db")
    b = _copy(demo_db, tmp_path / "b.db")
    with open_project(b) as p:
        run = p.runs.start("autotag", {"methods": ["rules"]})
        doc = p.documents.all()[0]
        p.codings.add_many(
            [
                NewCoding(
                    p.codes.all()[0].id,
                    doc.id,
                    0,
                    5,
                    coder="autotag",
                    origin="auto",
                    status="pending",
                    method="rules",
                    rule="kw:x",
                    confidence=0.75,
                    run_id=run.id,
                )
            ]
        )
    for _ in range(2):
        with open_project(a) as p:
            merge(p, b)
    with open_project(a) as p:
        auto = p.codings.all(origin="auto")
        runs = p.runs.all("autotag")
        assert len(auto) == 1 and len(runs) == 1  # the second merge copied neither again
        c = auto[0]
        assert (c.coder, c.status, c.method, c.rule, c.confidence) == ("autotag", "pending", "rules", "kw:x", 0.75)
        assert c.run_id == runs[0].id and runs[0].params == {"methods": ["rules"]}
