"""Likert counts, bases and agree/disagree: a hand-made survey and one NaPiRE item."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from qualcode.analysis import likert, likert_by_code, likert_records, respondents
from qualcode.errors import ValidationError

SCALE5 = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]


def survey() -> pd.DataFrame:
    # 10 respondents: SA SA A A N D SD, one "Don't know", one invalid "7", one blank.
    answers = [
        "Strongly agree",
        "strongly agree ",
        "Agree",
        "Agree",
        "Neutral",
        "Disagree",
        "Strongly disagree",
        "Don't know",
        "7",
        "",
    ]
    sizes = ["SME"] * 5 + ["multinational"] * 5
    return pd.DataFrame({"q1": answers, "org_size": sizes}, index=[f"R{i}" for i in range(10)])


def test_counts_percent_and_bases():
    out = likert(survey(), ["q1"], SCALE5)
    r = out.iloc[0]
    # Valid scale answers: SA x2 (case/space-insensitive), A x2, N, D, SD = 7 = n.
    assert r["n"] == 7
    assert r["Strongly agree: count"] == 2 and r["Agree: count"] == 2
    assert r["Agree: percent"] == pytest.approx(2 / 7 * 100)
    # Agree = levels above the midpoint (Agree, Strongly agree) = 4/7; disagree = 2/7; neutral 1/7.
    assert r["agree_percent"] == pytest.approx(4 / 7 * 100)
    assert r["disagree_percent"] == pytest.approx(2 / 7 * 100)
    assert r["neutral_percent"] == pytest.approx(1 / 7 * 100)
    assert (r["dont_know"], r["invalid"], r["missing"], r["respondents"]) == (1, 1, 1, 10)


def test_dont_know_in_base_and_groups():
    r = likert(survey(), ["q1"], SCALE5, dont_know_in_base=True).iloc[0]
    assert r["n"] == 8  # 7 + the don't know
    assert r["agree_percent"] == pytest.approx(4 / 8 * 100)
    assert r["dont_know_percent"] == pytest.approx(1 / 8 * 100)
    by = likert(survey(), ["q1"], SCALE5, by="org_size").set_index("group")
    # SME = first five answers: SA SA A A N -> n 5, agree 4/5. multinational: D SD (dk, 7, blank) -> n 2.
    assert by.loc["SME", "n"] == 5 and by.loc["SME", "agree_percent"] == pytest.approx(80.0)
    assert by.loc["multinational", "n"] == 2 and by.loc["multinational", "disagree_percent"] == pytest.approx(100.0)
    assert by.loc["(all)", "n"] == 7


def test_even_and_seven_point_scales_split_at_the_midpoint():
    frame = pd.DataFrame({"q": ["a", "b", "c", "d"]})
    r = likert(frame, ["q"], ["a", "b", "c", "d"]).iloc[0]
    assert (r["agree_percent"], r["disagree_percent"]) == (50.0, 50.0)  # c d vs a b
    assert pd.isna(r["neutral_percent"])
    seven = [str(i) for i in range(1, 8)]
    r7 = likert(pd.DataFrame({"q": seven}), ["q"], seven).iloc[0]
    assert r7["agree_percent"] == pytest.approx(3 / 7 * 100)  # 5 6 7 above the midpoint 4


def test_records_shape_and_errors():
    rec = likert_records(likert(survey(), ["q1"], SCALE5))[0]
    assert set(rec) >= {"item", "n", "levels", "agree_percent", "disagree_percent"}
    assert rec["levels"]["Agree"] == {"count": 2, "percent": pytest.approx(2 / 7 * 100)}
    with pytest.raises(ValidationError):
        likert(survey(), ["nope"], SCALE5)
    with pytest.raises(ValidationError):
        likert(survey(), ["q1"], ["only"])


def test_from_project_attributes_and_cross_with_themes(project, build_study):
    s = build_study(project)
    # Survey answers as participant attributes: Alice Agree, Bob Strongly agree, Carol Disagree, Dan blank.
    for name, answer in {"Alice": "Agree", "Bob": "Strongly agree", "Carol": "Disagree"}.items():
        project.participants.ensure(name, {"q1": answer})
    assert set(respondents(project, ["q1"]).index) == {"Alice", "Bob", "Carol"}
    r = likert(project, ["q1"], SCALE5).iloc[0]
    assert (r["n"], r["agree_percent"]) == (3, pytest.approx(2 / 3 * 100))
    cross = likert_by_code(project, "q1", SCALE5).set_index("path")
    # Time: Alice (Agree), Bob (Strongly agree) -> n 2, 100 % agree.
    assert cross.loc["Barriers > Time", "n"] == 2 and cross.loc["Barriers > Time", "agree_percent"] == 100.0
    # Cost: Alice (Agree), Carol (Disagree), Dan (no answer: missing) -> n 2, agree 50 %, 1 missing.
    cost = cross.loc["Barriers > Cost"]
    assert (cost["participants"], cost["n"], cost["missing"]) == (3, 2, 1)
    assert cost["agree_percent"] == pytest.approx(50.0)
    assert s.codes["Cost"]


NAPIRE_ITEM = "v_177"
NAPIRE_SCALE = ["Does not apply at all", "Does rather not apply", "Neutral", "Rather applies", "Strongly applies"]


def test_napire_likert_item_against_plain_csv(corpora_dir, project):
    path = corpora_dir / "napire-2018" / "data" / "napire_truth.csv"
    if not path.exists():
        pytest.skip("napire_truth.csv not available")
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    # Hand count with plain csv: exact level names; anything else non-blank ('0' in this file) is invalid.
    counts = {lv: sum(1 for r in rows if r[NAPIRE_ITEM].strip() == lv) for lv in NAPIRE_SCALE}
    n = sum(counts.values())
    invalid = sum(1 for r in rows if r[NAPIRE_ITEM].strip() and r[NAPIRE_ITEM].strip() not in NAPIRE_SCALE)
    assert invalid > 0  # the file codes "no answer" as 0: it must stay out of the base
    # Respondents as participants (attributes = answers), through the store.
    with project.action("import", "napire respondents"):
        for r in rows:
            project.participants.ensure(f"R{r['lfdn']}", {NAPIRE_ITEM: r[NAPIRE_ITEM], "v_16": r["v_16"]})
    out = likert(project, [NAPIRE_ITEM], NAPIRE_SCALE).iloc[0]
    assert out["n"] == n and out["invalid"] == invalid
    for lv in NAPIRE_SCALE:
        assert out[f"{lv}: count"] == counts[lv]
        assert out[f"{lv}: percent"] == pytest.approx(counts[lv] / n * 100)
    agree = counts["Rather applies"] + counts["Strongly applies"]
    assert out["agree_percent"] == pytest.approx(agree / n * 100)
    disagree = counts["Does not apply at all"] + counts["Does rather not apply"]
    assert out["disagree_percent"] == pytest.approx(disagree / n * 100)
