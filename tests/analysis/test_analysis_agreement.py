"""Intercoder agreement: counts by hand, kappa vs sklearn, alpha vs the krippendorff package.

The study: two interviews, each with 4 participant turns (units u1-u4 in int1,
u5-u8 in int2), coded by ana and ben; int3 (2 participant turns, u9-u10) is
coded by ana only and int4 by nobody, so by default neither is in scope.

Turn-level decisions (the interviewer's turns are not units):

    code              ana            ben            both  only ana  only ben  neither
    Feedback > Late   u1 u2 u5       u1 u5 u6       2     1 (u2)    1 (u6)    4
    Feedback > Useful u3             u3             1     0         0         7
    Burden > Cost     u4 u7 u8       u4 u8          2     1 (u7)    0         5
    Unused            -              -              0     0         0         8

Late by hand: po = 6/8, pa = pb = 3/8, pe = (3/8)^2 + (5/8)^2 = 34/64,
kappa = (48/64 - 34/64) / (30/64) = 14/30 = 0.4667.
Roll-up to themes: Feedback = Late or Useful: ana u1 u2 u3 u5, ben u1 u3 u5 u6
-> both 3, only ana 1 (u2), only ben 1 (u6), neither 3.
"""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from qualcode.analysis.agreement import agreement, cohen_kappa_table, krippendorff_alpha_nominal
from qualcode.analysis.disagreement_listing import disagreements
from qualcode.errors import ValidationError
from qualcode.store import NewCoding


def vector(table: dict, coder: str, path: str, labels: list[str]) -> list[int]:
    return [int(u in table.get(coder, {}).get(path, set())) for u in labels]


def row(result, path):
    return next(c for c in result.codes if c.path == path)


def test_turn_counts_kappa_and_alpha(project, agreement_study):
    agreement_study.build(project)
    res = agreement(project)
    assert res.coders == ("ana", "ben") and res.unit == "turn" and res.kappa_kind == "cohen"
    assert res.documents == ("int1", "int2") and res.units == 8
    expected = {
        "Feedback > Late": (2, 1, 1, 4),
        "Feedback > Useful": (1, 0, 0, 7),
        "Burden > Cost": (2, 1, 0, 5),
        "Unused": (0, 0, 0, 8),
        "Feedback": (0, 0, 0, 8),
    }
    for path, (both, only_a, only_b, neither) in expected.items():
        r = row(res, path)
        assert (r.both, r.only["ana"], r.only["ben"], r.neither) == (both, only_a, only_b, neither), path
        assert r.percent_agreement == pytest.approx((both + neither) / 8 * 100)
    late = row(res, "Feedback > Late")
    assert late.kappa == pytest.approx(14 / 30)
    for path in ("Feedback > Late", "Burden > Cost"):
        a, b = (
            vector(agreement_study.table, "ana", path, agreement_study.in_scope),
            vector(agreement_study.table, "ben", path, agreement_study.in_scope),
        )
        r = row(res, path)
        assert r.kappa == pytest.approx(cohen_kappa_score(a, b))
        assert r.alpha == pytest.approx(krippendorff.alpha(reliability_data=[a, b], level_of_measurement="nominal"))
    # perfect agreement
    useful = row(res, "Feedback > Useful")
    assert useful.kappa == pytest.approx(1.0) and useful.alpha == pytest.approx(1.0) and useful.note is None
    # a code nobody used: undefined, with a note, not a crash
    unused = row(res, "Unused")
    assert unused.kappa is None and unused.alpha is None and "nobody" in unused.note
    assert unused.percent_agreement == pytest.approx(100.0)
    # overall: mean over the 3 codes with a kappa; pooled over all 5 x 8 decisions
    assert res.overall.codes_with_kappa == 3
    assert res.overall.kappa_mean == pytest.approx(np.mean([late.kappa, 1.0, row(res, "Burden > Cost").kappa]))
    pooled_a = sum((vector(agreement_study.table, "ana", c.path, agreement_study.in_scope) for c in res.codes), [])
    pooled_b = sum((vector(agreement_study.table, "ben", c.path, agreement_study.in_scope) for c in res.codes), [])
    assert res.overall.kappa_pooled == pytest.approx(cohen_kappa_score(pooled_a, pooled_b))
    assert res.overall.alpha == pytest.approx(
        krippendorff.alpha(reliability_data=[pooled_a, pooled_b], level_of_measurement="nominal")
    )
    frame = res.to_frame()
    assert list(frame["path"]) == [c.path for c in res.codes] and math.isnan(
        frame.set_index("path").loc["Unused", "kappa"]
    )


def test_rollup_codes_and_all_documents(project, agreement_study):
    agreement_study.build(project)
    themes = agreement(project, rollup=True)
    assert [c.path for c in themes.codes] == ["Feedback", "Burden", "Unused"]
    fb = row(themes, "Feedback")
    assert (fb.both, fb.only["ana"], fb.only["ben"], fb.neither) == (3, 1, 1, 3)
    only_late = agreement(project, codes=["Late"])
    assert [c.path for c in only_late.codes] == ["Feedback > Late"]
    # every document: int3 (ana codes u9 Late) and int4 (one uncoded turn) now count as absence for ben
    every = agreement(project, codes=["Late"], all_documents=True)
    late = row(every, "Feedback > Late")
    assert every.units == 11 and (late.both, late.only["ana"], late.only["ben"], late.neither) == (2, 2, 1, 6)
    assert late.kappa == pytest.approx(
        cohen_kappa_score(
            vector(agreement_study.table, "ana", "Feedback > Late", agreement_study.units) + [0],
            vector(agreement_study.table, "ben", "Feedback > Late", agreement_study.units) + [0],
        )
    )


def test_character_units_match_a_per_character_count(project, agreement_study):
    units = agreement_study.build(project)
    res = agreement(project, unit="character", codes=["Burden > Cost", "Feedback > Late"])
    codings = project.codings.all()
    for path in ("Burden > Cost", "Feedback > Late"):
        cid = project.codes.resolve(path).id
        vecs = {"ana": [], "ben": []}
        for label in agreement_study.in_scope:
            did, s, e = units[label]
            for coder, vec in vecs.items():
                mask = np.zeros(e - s, dtype=int)
                for c in codings:
                    if c.coder == coder and c.code_id == cid and c.document_id == did:
                        mask[max(c.start, s) - s : max(min(c.end, e) - s, 0)] = 1
                vec.extend(mask)
        r = row(res, path)
        a, b = np.array(vecs["ana"]), np.array(vecs["ben"])
        assert r.units == len(a) == res.units
        assert (r.both, r.only["ana"], r.only["ben"]) == (int((a & b).sum()), int((a & ~b).sum()), int((~a & b).sum()))
        assert r.kappa == pytest.approx(cohen_kappa_score(a, b))
        assert r.alpha == pytest.approx(krippendorff.alpha(reliability_data=[a, b], level_of_measurement="nominal"))
    # ben's partial coding of u4: the rest of u4 is one merged disagreement span
    dis = disagreements(project, "Cost", unit="character")
    did, s, e = units["u4"]
    assert [(d.start, d.end, d.applied_by, d.not_applied_by) for d in dis.items if d.start < e and d.end > s] == [
        (s, s + 4, ("ana",), ("ben",)),
        (s + 15, e, ("ana",), ("ben",)),
    ]


def test_sentence_units(project, agreement_study):
    units = agreement_study.build(project)
    res = agreement(project, unit="sentence", codes=["Feedback > Late"])
    # u1 has two sentences and both coders coded all of u1; every other turn is one sentence
    late = row(res, "Feedback > Late")
    assert res.units == 9 and (late.both, late.only["ana"], late.only["ben"], late.neither) == (3, 1, 1, 4)
    did, s, _ = units["u1"]
    project.codings.add_many([NewCoding(project.codes.resolve("Unused").id, did, s, s + 10, coder="ana")])
    unused = row(agreement(project, unit="sentence", codes=["Unused"]), "Unused")
    assert (unused.both, unused.only["ana"], unused.neither) == (0, 1, 8)


def test_disagreements_listing(project, agreement_study):
    units = agreement_study.build(project)
    dis = disagreements(project, "Late")
    assert dis.coders == ("ana", "ben") and dis.path == "Feedback > Late"
    got = [(d.document, d.start, d.end, d.applied_by, d.not_applied_by) for d in dis.items]
    u2, u6 = units["u2"], units["u6"]
    assert got == [("int1", u2[1], u2[2], ("ana",), ("ben",)), ("int2", u6[1], u6[2], ("ben",), ("ana",))]
    assert dis.items[0].text == "We waited and waited for news."
    themed = disagreements(project, "Feedback", rollup=True)
    assert [(d.start, d.applied_by) for d in themed.items] == [(u2[1], ("ana",)), (u6[1], ("ben",))]
    assert disagreements(project, "Feedback").items == []  # no codings on the theme itself


def test_three_coders_with_missing_data_and_machine_coder(project, agreement_study):
    units = agreement_study.build(project)
    cost = project.codes.resolve("Burden > Cost").id
    # cy codes int2 (Cost on u6, u7) and int3 (Cost on u10): int3 now has two coders (ana, cy)
    project.codings.add_many([NewCoding(cost, *units[u], coder="cy") for u in ("u6", "u7", "u10")])
    res = agreement(project, codes=["Burden > Cost"])
    assert res.coders == ("ana", "ben", "cy") and res.kappa_kind == "light"
    assert res.documents == ("int1", "int2", "int3") and res.units == 10
    nan = np.nan
    # units u1..u10; cy missing in int1, ben missing in int3
    ana = [0, 0, 0, 1, 0, 0, 1, 1, 0, 0]
    ben = [0, 0, 0, 1, 0, 0, 0, 1, nan, nan]
    cy = [nan, nan, nan, nan, 0, 1, 1, 0, 0, 1]
    r = row(res, "Burden > Cost")
    assert r.alpha == pytest.approx(krippendorff.alpha(reliability_data=[ana, ben, cy], level_of_measurement="nominal"))
    assert r.alpha == pytest.approx(krippendorff_alpha_nominal([ana, ben, cy]))
    pairwise = []
    for x, y in ((ana, ben), (ana, cy), (ben, cy)):
        keep = [i for i in range(10) if not (np.isnan(x[i]) or np.isnan(y[i]))]
        pairwise.append(cohen_kappa_score([x[i] for i in keep], [y[i] for i in keep]))
    assert r.kappa == pytest.approx(np.mean(pairwise))
    # both: u4 (ana, ben); u8 is ana+ben yes but cy no -> disagreement; neither: u1-u3, u5, u9
    assert (r.both, r.neither, r.only) == (1, 5, {"ana": 2, "ben": 1, "cy": 3})
    # a confirmed machine coding makes "autotag" a coder only when asked; pending ones never count
    late = project.codes.resolve("Feedback > Late").id
    ids = project.codings.add_many(
        [
            NewCoding(late, *units["u1"], coder="autotag", origin="auto"),
            NewCoding(late, *units["u2"], coder="autotag", origin="auto"),
        ]
    )
    project.codings.set_status(ids[:1], "confirmed")
    assert "autotag" not in agreement(project).coders
    machine = agreement(project, coders=["ana", "autotag"], codes=["Late"], include_machine=True)
    m = row(machine, "Feedback > Late")
    assert machine.documents == ("int1",) and (m.both, m.only["ana"], m.only["autotag"]) == (1, 1, 0)


def test_user_errors(project, agreement_study):
    agreement_study.build(project)
    with pytest.raises(ValidationError, match="at least two coders"):
        agreement(project, coders=["ana"])
    with pytest.raises(ValidationError, match="at least two coders"):
        agreement(project, coders=["ana", "ana"])
    with pytest.raises(ValidationError, match="no codings by coder zoe"):
        agreement(project, coders=["ana", "zoe"])
    with pytest.raises(ValidationError, match="unknown unit"):
        agreement(project, unit="paragraph")


def test_one_coder_project_is_a_clear_error(project, transcript, agreement_study):
    project.documents.add(transcript("solo", [agreement_study.question, ("Pat", "Fine.")]))
    project.codes.ensure_path("A")
    project.codings.apply("solo", 0, 4, ["A"], coder="ana")
    with pytest.raises(ValidationError, match="coders found: ana"):
        agreement(project)


def test_statistics_against_references():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", nominal example: alpha = 0.743
    nan = np.nan
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
    assert round(krippendorff_alpha_nominal(data), 3) == 0.743
    assert krippendorff_alpha_nominal(data) == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    )
    assert krippendorff_alpha_nominal([[1, 1, 1], [1, 1, 1]]) is None
    rng = np.random.default_rng(7)
    for _ in range(5):
        a = rng.integers(0, 2, 40)
        b = np.where(rng.random(40) < 0.7, a, 1 - a)
        table = ((a & b).sum(), (a & ~b & 1).sum(), (~a & 1 & b).sum(), ((1 - a) & (1 - b)).sum())
        assert cohen_kappa_table(*table) == pytest.approx(cohen_kappa_score(a, b))
    assert cohen_kappa_table(0, 0, 0, 10) is None and cohen_kappa_table(0, 0, 0, 0) is None
    # one character coded by one coder out of two million: defined (0), not mistaken for "no variation"
    assert cohen_kappa_table(0, 1, 0, 2_000_000) == pytest.approx(0.0)
    assert cohen_kappa_table(3, 1, 0, 2_000_000) == pytest.approx(
        cohen_kappa_score([1, 1, 1, 1, 0], [1, 1, 1, 0, 0], sample_weight=[1, 1, 1, 1, 2_000_000])
    )


def test_interviewer_only_documents_need_include_interviewer(project, transcript):
    project.documents.add(transcript("qs", [("Interviewer", "First question?"), ("Interviewer", "Second one?")]))
    project.codes.ensure_path("A")
    doc = project.documents.resolve("qs")
    t1, t2 = project.documents.turns(doc.id)
    project.codings.add_many(
        [NewCoding(project.codes.resolve("A").id, doc.id, t1.start, t1.end, coder=c) for c in ("ana", "ben")]
    )
    with pytest.raises(ValidationError, match="no turn units"):
        agreement(project)
    a = row(agreement(project, include_interviewer=True), "A")
    # both coded turn 1, nobody turn 2: perfect agreement
    assert (a.both, a.neither, a.kappa) == (1, 1, pytest.approx(1.0))
