"""The scripting contract: JSON keys and value types that scripts rely on (README, "--json").

Keys may be added, never renamed, and a value keeps its type (a count stays
an int, a share a number, a name a string or null). One test per documented
shape, all on a copy of the demo study built once per session.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qualcode.cli.main import app

runner = CliRunner()
SCALE = "Strongly disagree,Disagree,Neither agree nor disagree,Agree,Strongly agree"


@pytest.fixture(scope="module")
def demo(demo_db, copy_db, tmp_path_factory):
    return str(copy_db(demo_db, tmp_path_factory.mktemp("contract") / "demo.db"))


def cli_json(demo, *args):
    res = runner.invoke(app, [*args, "-p", demo])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


NUM = (int, float)
STR_OR_NONE = (str, type(None))
INT_OR_NONE = (int, type(None))
NUM_OR_NONE = (int, float, type(None))


def has(obj: dict, **types: type | tuple[type, ...]) -> bool:
    """``obj`` has every key, each value of its type (``bool`` is not taken for a number)."""
    assert isinstance(obj, dict), obj
    missing = [k for k in types if k not in obj]
    assert not missing, f"missing keys {missing} in {sorted(obj)}"
    wrong = {
        k: type(obj[k]).__name__
        for k, t in types.items()
        if not isinstance(obj[k], t) or (isinstance(obj[k], bool) and bool not in (t if isinstance(t, tuple) else (t,)))
    }
    assert not wrong, f"values of the wrong type: {wrong}"
    return True


def test_documents(demo):
    rows = cli_json(demo, "documents", "--json")
    assert rows and all(
        has(
            r,
            id=int,
            name=str,
            kind=str,
            words=int,
            turns=int,
            codings=int,
            participant=STR_OR_NONE,
            source_path=STR_OR_NONE,
            imported_at=STR_OR_NONE,
            encoding=STR_OR_NONE,
        )
        for r in rows
    )


def test_show(demo):
    doc = cli_json(demo, "show", "interview_01_sme_software", "--json")
    has(doc, id=int, name=str, kind=str, text=str, turns=list, metadata=dict, participant=STR_OR_NONE)
    assert all(
        has(t, id=int, seq=int, speaker=STR_OR_NONE, role=str, participant=STR_OR_NONE, start=int, end=int, text=str)
        for t in doc["turns"]
    )
    assert {t["role"] for t in doc["turns"]} == {"interviewer", "participant"}


def test_codebook_show(demo):
    tree = cli_json(demo, "codebook", "show", "--json")

    def walk(nodes):
        for n in nodes:
            has(n, name=str, path=str, description=str, codings=int, children=list)
            walk(n["children"])

    walk(tree)
    assert tree[0]["children"]


def test_export_frequencies(demo):
    rows = cli_json(demo, "export", "frequencies", "--by", "org_size", "--format", "json", "-o", "-")
    for r in rows:
        has(
            r,
            code=str,
            path=str,
            codings=int,
            documents=int,
            participants=int,
            participants_percent=NUM_OR_NONE,
            by=dict,
        )
        assert set(r["by"]["org_size"]) == {"SME", "multinational"}


def test_import_json(demo, tmp_path):
    src = tmp_path / "x.txt"
    src.write_text("Interviewer: Hello?\nAna: Hi there.\nInterviewer: Bye.\nAna: Bye now.\n", encoding="utf-8")
    bad = tmp_path / "y.txt"
    bad.write_bytes(b"")
    res = runner.invoke(app, ["import", str(src), str(bad), "--json", "-p", demo])
    assert res.exit_code == 1  # one file failed; the other imported
    rows = {r["file"]: r for r in json.loads(res.stdout)}
    assert all(
        has(
            r,
            file=str,
            status=str,
            document=STR_OR_NONE,
            documents=list,
            error=STR_OR_NONE,
            encoding=STR_OR_NONE,
            turns=int,
        )
        for r in rows.values()
    )
    assert rows[str(src)]["status"] == "imported" and rows[str(bad)]["status"] == "error"


def test_export_likert(demo):
    items = cli_json(
        demo,
        "export",
        "likert",
        "--items",
        "q1_feedback_robust",
        "q2_bid_burden_proportionate",
        "--scale",
        SCALE,
        "--format",
        "json",
        "-o",
        "-",
    )
    assert [i["item"] for i in items] == ["q1_feedback_robust", "q2_bid_burden_proportionate"]
    for i in items:
        has(i, item=str, n=int, levels=dict, agree_percent=NUM_OR_NONE, disagree_percent=NUM_OR_NONE)
        assert all(has(v, count=int, percent=NUM_OR_NONE) for v in i["levels"].values())


def test_export_evidence(demo):
    themes = cli_json(demo, "export", "evidence", "--by", "org_size", "--format", "json", "-o", "-")
    for t in themes:
        has(t, code=str, path=str, codings=int, documents=int, participants=int, by=dict, quotes=list)
        assert all(has(q, text=str, document=str, participant=STR_OR_NONE, start=int, end=int) for q in t["quotes"])
    assert any(t["quotes"] for t in themes)


def test_suggest_and_autotag(demo):
    run = cli_json(demo, "suggest", "--topics", "5", "--seed", "1", "--json")
    has(run, run=dict, topics=list)
    for t in run["topics"]:
        has(
            t,
            id=int,
            label=str,
            keywords=list,
            size=int,
            closest_code=STR_OR_NONE,
            similarity=NUM_OR_NONE,
            segments=list,
        )
        assert all(has(s, document=str, start=int, end=int, probability=NUM_OR_NONE) for s in t["segments"])
    tag = cli_json(demo, "autotag", "--method", "rules", "--json")
    has(tag, run=INT_OR_NONE, added=int, skipped_human=int, codings=list)
    assert all(has(c, document=str, start=int, end=int, code=str, method=str, confidence=NUM) for c in tag["codings"])
    # The rules method keeps this fast; test_autotag_cli checks the model's evaluation (same shape).
    ev = cli_json(demo, "autotag", "evaluate", "--folds", "3", "--method", "rules", "--json")
    has(ev, micro_f1=NUM, macro_f1=NUM, kappa=NUM, codes=list, baselines=dict)
    assert all(has(c, code=str, precision=NUM, recall=NUM, f1=NUM, support=int) for c in ev["codes"])
