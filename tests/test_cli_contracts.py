"""The scripting contract: JSON keys that scripts rely on (README, "--json").

Keys may be added, never renamed. One test per documented shape, all on the
demo study built once for the module.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qualcode.cli.main import app
from qualcode.demo import build_demo

runner = CliRunner()
SCALE = "Strongly disagree,Disagree,Neither agree nor disagree,Agree,Strongly agree"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("contract") / "demo.db"
    build_demo(path)
    return str(path)


def cli_json(demo, *args):
    res = runner.invoke(app, [*args, "-p", demo])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def has(obj: dict, *keys: str) -> bool:
    missing = [k for k in keys if k not in obj]
    assert not missing, f"missing keys {missing} in {sorted(obj)}"
    return True


def test_documents(demo):
    rows = cli_json(demo, "documents", "--json")
    assert rows and all(has(r, "name", "kind", "words", "turns", "codings") for r in rows)


def test_show(demo):
    doc = cli_json(demo, "show", "interview_01_sme_software", "--json")
    has(doc, "name", "kind", "text", "turns")
    assert all(has(t, "speaker", "role", "participant", "start", "end") for t in doc["turns"])
    assert {t["role"] for t in doc["turns"]} == {"interviewer", "participant"}


def test_codebook_show(demo):
    tree = cli_json(demo, "codebook", "show", "--json")

    def walk(nodes):
        for n in nodes:
            has(n, "name", "path", "description", "codings", "children")
            walk(n["children"])

    walk(tree)
    assert tree[0]["children"]


def test_export_frequencies(demo):
    rows = cli_json(demo, "export", "frequencies", "--by", "org_size", "--format", "json", "-o", "-")
    for r in rows:
        has(r, "code", "path", "codings", "documents", "participants", "participants_percent", "by")
        assert set(r["by"]["org_size"]) == {"SME", "multinational"}


def test_import_json(demo, tmp_path):
    src = tmp_path / "x.txt"
    src.write_text("Interviewer: Hello?\nAna: Hi there.\nInterviewer: Bye.\nAna: Bye now.\n", encoding="utf-8")
    bad = tmp_path / "y.txt"
    bad.write_bytes(b"")
    res = runner.invoke(app, ["import", str(src), str(bad), "--json", "-p", demo])
    assert res.exit_code == 1  # one file failed; the other imported
    rows = {r["file"]: r for r in json.loads(res.stdout)}
    assert all(has(r, "file", "status", "document", "error") for r in rows.values())
    assert rows[str(src)]["status"] == "imported" and rows[str(bad)]["status"] == "error"


def test_export_likert(demo):
    items = cli_json(demo, "export", "likert", "--items", "q1_feedback_robust", "q2_bid_burden_proportionate",
                     "--scale", SCALE, "--format", "json", "-o", "-")
    assert [i["item"] for i in items] == ["q1_feedback_robust", "q2_bid_burden_proportionate"]
    for i in items:
        has(i, "item", "n", "levels", "agree_percent", "disagree_percent")
        assert all(has(v, "count", "percent") for v in i["levels"].values())


def test_export_evidence(demo):
    themes = cli_json(demo, "export", "evidence", "--by", "org_size", "--format", "json", "-o", "-")
    for t in themes:
        has(t, "code", "path", "codings", "documents", "participants", "by", "quotes")
        assert all(has(q, "text", "document", "participant", "start", "end") for q in t["quotes"])
    assert any(t["quotes"] for t in themes)


def test_suggest_and_autotag(demo):
    run = cli_json(demo, "suggest", "--topics", "5", "--seed", "1", "--json")
    has(run, "run", "topics")
    for t in run["topics"]:
        has(t, "id", "label", "keywords", "size", "closest_code", "similarity", "segments")
        assert all(has(s, "document", "start", "end") for s in t["segments"])
    tag = cli_json(demo, "autotag", "--method", "rules", "--json")
    has(tag, "run", "added", "skipped_human", "codings")
    assert all(has(c, "document", "start", "end", "code", "method", "confidence") for c in tag["codings"])
    ev = cli_json(demo, "autotag", "evaluate", "--folds", "3", "--json")
    has(ev, "micro_f1", "macro_f1", "kappa", "codes", "baselines")
    assert all(has(c, "code", "precision", "recall", "f1", "support") for c in ev["codes"])
