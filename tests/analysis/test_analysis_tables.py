"""Matrix, co-occurrence, presence, coverage and saturation against hand counts of the
fixture study (codings c1…c10 are tabulated in tests/test_analysis_fixture.py)."""

from __future__ import annotations

import pytest

from qualcode.analysis import cooccurrence, coverage, frequencies, matrix, presence, saturation
from qualcode.errors import ValidationError

DOCS = ["Interview 1", "Focus group", "Interview 3", "Survey Eve"]


@pytest.fixture
def study(project, build_study):
    return project, build_study(project)


def test_matrix_codes_by_document_codings(study):
    project, _ = study
    m = matrix(project, cols="document", value="codings")
    assert list(m.columns) == DOCS  # import order
    # Barriers rolled up: D1 c1 c2 c3 = 3; D2 c5 c6 = 2; D3 c9 c10 = 2; D4 nothing.
    assert list(m.loc["Barriers"]) == [3, 2, 2, 0]
    assert list(m.loc["Barriers > Cost"]) == [2, 1, 1, 0]  # c1 c3 | c6 | c10
    assert list(m.loc["Barriers > Time"]) == [1, 1, 0, 0]  # c2 | c5
    assert list(m.loc["Enablers"]) == [0, 1, 0, 0]  # c8 (c4 interviewer, c7 rejected)
    assert list(m.loc["Other"]) == [0, 0, 0, 0]
    own = matrix(project, cols="document", value="codings", rollup=False)
    assert list(own.loc["Barriers"]) == [0, 0, 1, 0]  # c9 only


def test_matrix_words_count_overlaps_once(study):
    project, _ = study
    m = matrix(project, cols="document", value="words")
    # Barriers in D1: c1 ∪ c2 = "The bid cost is high. We never have enough time to write bids." (13 words)
    # plus c3 "the legal fees" (3) = 16; summing the codings would give 10 + 8 + 3 = 21.
    assert m.loc["Barriers", "Interview 1"] == 16
    # D3: c9 is the whole 10-word turn and c10 lies inside it -> 10.
    assert m.loc["Barriers", "Interview 3"] == 10
    assert m.loc["Barriers > Cost", "Interview 1"] == 13  # c1 (10) + c3 (3), disjoint


def test_matrix_by_attribute_and_participant(study):
    project, _ = study
    m = matrix(project, cols="attr:org_size", value="participants")
    assert list(m.columns) == ["multinational", "SME"]  # sorted ignoring case
    # Barriers multinational: Carol, Dan; SME: Alice, Bob. Time: none multinational; SME Alice, Bob.
    assert list(m.loc["Barriers"]) == [2, 2]
    assert list(m.loc["Barriers > Cost"]) == [2, 1]
    assert list(m.loc["Barriers > Time"]) == [0, 2]
    # With the interviewer's c4 (no participant) counted, it lands in a "(missing)" column.
    wi = matrix(project, cols="attr:org_size", value="codings", include_interviewer=True)
    assert list(wi.columns) == ["multinational", "SME", "(missing)"]
    assert list(wi.loc["Enablers > Support"]) == [0, 1, 1]  # c8 Bob (SME), c4 interviewer
    p = matrix(project, cols="participant", value="codings")
    assert list(p.columns) == ["Alice", "Bob", "Carol", "Dan", "Eve"]
    assert list(p.loc["Barriers"]) == [3, 1, 1, 2, 0]
    with pytest.raises(ValidationError):
        matrix(project, cols="attr:nope")
    with pytest.raises(ValidationError):
        matrix(project, value="minutes")


def test_cooccurrence_turns_and_jaccard(study):
    project, _ = study
    co = cooccurrence(project)
    pairs = {(r.code_a, r.code_b): r for r in co.itertuples()}
    assert set(pairs) == {("Barriers", "Cost"), ("Cost", "Time")}
    # Cost occurs in 4 turns (Alice t1, Alice t2, Carol, Dan's R turn); Time in 2 (Alice t1, Bob t1).
    ct = pairs[("Cost", "Time")]
    assert (ct.turns, ct.turns_a, ct.turns_b) == (1, 4, 2)
    assert ct.jaccard == pytest.approx(1 / (4 + 2 - 1))
    assert ct.overlapping == 1  # c1 and c2 overlap on "We never have enough time"
    bc = pairs[("Barriers", "Cost")]
    assert (bc.turns, bc.jaccard, bc.overlapping) == (1, pytest.approx(1 / 4), 1)
    assert list(co["code_a"]) == ["Barriers", "Cost"]  # same turns, higher Jaccard first
    # Bob's Time (turn 1) and Support (turn 2) are in different turns: no pair; rejected c7 adds no Cost–Support.
    assert not any("Support" in (r.code_a, r.code_b) for r in co.itertuples())


def test_presence_per_participant_and_document(study):
    project, _ = study
    pres = presence(project, unit="participant")
    assert list(pres.index) == ["Alice", "Bob", "Carol", "Dan", "Eve"]
    assert pres.loc["Alice"].to_dict() == {
        "Barriers": 1,
        "Barriers > Cost": 1,
        "Barriers > Time": 1,
        "Enablers": 0,
        "Enablers > Support": 0,
        "Other": 0,
    }
    assert pres.loc["Bob"].to_dict() == {
        "Barriers": 1,
        "Barriers > Cost": 0,
        "Barriers > Time": 1,
        "Enablers": 1,
        "Enablers > Support": 1,
        "Other": 0,
    }
    assert pres.loc["Eve"].sum() == 0
    # Column sums equal the participants column of the frequency table.
    freq = frequencies(project).set_index("path")["participants"]
    assert pres.sum().to_dict() == freq.to_dict()
    docs = presence(project, unit="document")
    assert docs["Enablers > Support"].to_dict() == {
        "Interview 1": 0,
        "Focus group": 1,
        "Interview 3": 0,
        "Survey Eve": 0,
    }


def test_coverage_threshold(study):
    project, _ = study
    cov = coverage(project, min_participants=2).set_index("path")
    # Participants: Barriers 4, Cost 3, Time 2, Enablers 1, Support 1, Other 0.
    assert cov["meets_threshold"].to_dict() == {
        "Barriers": True,
        "Barriers > Cost": True,
        "Barriers > Time": True,
        "Enablers": False,
        "Enablers > Support": False,
        "Other": False,
    }
    assert cov.loc["Barriers > Time", "participant_names"] == "Alice, Bob"
    assert cov.loc["Barriers > Cost", "participants_percent"] == pytest.approx(60.0)


def test_saturation_new_codes_per_document(study):
    project, _ = study
    sat = saturation(project)
    assert list(sat["document"]) == DOCS
    # D1 {Cost, Time} -> 2 new; D2 {Time, Cost, Support} -> Support new; D3 {Barriers, Cost} -> Barriers; D4 none.
    assert list(sat["new_codes"]) == [2, 1, 1, 0]
    assert list(sat["cumulative_codes"]) == [2, 3, 4, 4]
    assert sat.loc[1, "new_code_paths"] == "Enablers > Support"
    # Counting the interviewer's c4 makes Support new in D1 already.
    assert list(saturation(project, include_interviewer=True)["new_codes"]) == [3, 0, 1, 0]
