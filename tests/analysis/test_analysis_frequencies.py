"""Frequencies with roll-up, bases and groups, against hand counts of the fixture study
(see tests/test_analysis_fixture.py for the table of codings c1…c10)."""

from __future__ import annotations

import pytest

from qualcode.analysis import coded_segments, frequencies, frequency_records
from qualcode.errors import ValidationError


@pytest.fixture
def study(project, build_study):
    return project, build_study(project)


def row(frame, path):
    found = frame[frame["path"] == path]
    assert len(found) == 1, path
    return found.iloc[0]


def test_own_and_rolled_up_counts(study):
    project, _ = study
    f = frequencies(project)
    assert list(f["path"]) == [
        "Barriers",
        "Barriers > Cost",
        "Barriers > Time",
        "Enablers",
        "Enablers > Support",
        "Other",
    ]
    # Cost: c1, c3 (Alice, D1), c6 (Carol, D2), c10 (Dan, D3) -> 4 codings, 3 documents, 3 participants.
    cost = row(f, "Barriers > Cost")
    assert (cost.codings, cost.documents, cost.participants) == (4, 3, 3)
    assert cost.participants_percent == pytest.approx(3 / 5 * 100)
    # Time: c2 (Alice, D1), c5 (Bob, D2, pending but counted by default).
    time = row(f, "Barriers > Time")
    assert (time.codings, time.documents, time.participants) == (2, 2, 2)
    # Barriers own: c9 only (Dan, D3).
    barriers = row(f, "Barriers")
    assert (barriers.own_codings, barriers.own_documents, barriers.own_participants) == (1, 1, 1)
    # Roll-up: codings summed 1 + 4 + 2 = 7; documents DISTINCT {D1, D2, D3} = 3 (sum would be 6);
    # participants DISTINCT {Dan, Alice, Carol, Bob} = 4 (sum would be 1 + 3 + 2 = 6).
    assert (barriers.codings, barriers.documents, barriers.participants) == (7, 3, 4)
    assert barriers.participants_percent == pytest.approx(4 / 5 * 100)
    assert barriers.participants_base == 5
    # Support: c4 interviewer (out), c7 rejected (out), c8 Bob -> 1; Enablers rolls it up.
    assert (row(f, "Enablers > Support").codings, row(f, "Enablers").codings) == (1, 1)
    assert row(f, "Enablers").own_codings == 0
    other = row(f, "Other")
    assert (other.codings, other.participants, other.participants_percent) == (0, 0, 0.0)
    assert f.attrs["include_pending"] is True and f.attrs["include_interviewer"] is False


def test_exclude_pending_and_include_interviewer(study):
    project, _ = study
    f = frequencies(project, include_pending=False)
    # Without c5 (Bob's pending Time): Time 1 coding; Barriers loses Bob -> {Alice, Carol, Dan}.
    assert row(f, "Barriers > Time").codings == 1
    assert (row(f, "Barriers").codings, row(f, "Barriers").participants) == (6, 3)
    assert f.attrs["statuses_counted"] == ["confirmed"]
    g = frequencies(project, include_interviewer=True)
    # c4 (interviewer turn in D1, no participant anywhere) now counts: 2 codings, 2 documents, still 1 person.
    support = row(g, "Enablers > Support")
    assert (support.codings, support.documents, support.participants) == (2, 2, 1)


def test_by_group_counts_and_bases(study):
    project, _ = study
    f = frequencies(project, by=["org_size"])
    b = row(f, "Barriers")
    # SME (base Alice, Bob, Eve = 3): Alice c1 c2 c3 + Bob c5 -> 4 codings, 2 people, 66.7 %.
    assert b["org_size=SME: codings"] == 4
    assert b["org_size=SME: participants"] == 2
    assert b["org_size=SME: participants_percent"] == pytest.approx(2 / 3 * 100)
    # multinational (base Carol, Dan = 2): c6 + c9 + c10 -> 3 codings, 2 people, 100 %.
    assert b["org_size=multinational: codings"] == 3
    assert b["org_size=multinational: participants_percent"] == pytest.approx(100.0)
    c = row(f, "Barriers > Cost")
    # Cost SME: Alice c1 c3 -> 2 codings, 1 of 3; multinational: c6 c10 -> 2 codings, 2 of 2.
    assert (c["org_size=SME: codings"], c["org_size=SME: participants"]) == (2, 1)
    assert c["org_size=SME: participants_percent"] == pytest.approx(100 / 3)
    assert (c["org_size=multinational: codings"], c["org_size=multinational: participants"]) == (2, 2)
    assert {g["label"]: g["base"] for g in f.attrs["groups"]} == {"org_size=SME": 3, "org_size=multinational": 2}


def test_two_attributes_give_marginals_and_crossed_groups(study):
    project, _ = study
    f = frequencies(project, by=["org_size", "region"])
    b = row(f, "Barriers")
    # Crossed bases: SME&North = Alice, Eve (2); SME&South = Bob; multinational&North = Carol; &South = Dan.
    bases = {g["label"]: g["base"] for g in f.attrs["groups"] if len(g["attrs"]) == 2}
    assert bases == {
        "org_size=SME & region=North": 2,
        "org_size=SME & region=South": 1,
        "org_size=multinational & region=North": 1,
        "org_size=multinational & region=South": 1,
    }
    # SME&North: Alice c1 c2 c3 -> 3 codings, 1 of 2 people = 50 %.
    assert b["org_size=SME & region=North: codings"] == 3
    assert b["org_size=SME & region=North: participants_percent"] == pytest.approx(50.0)
    # region marginal: North base Alice, Carol, Eve = 3; Barriers North people Alice, Carol = 2.
    assert b["region=North: participants"] == 2
    assert b["region=North: participants_percent"] == pytest.approx(2 / 3 * 100)
    records = frequency_records(f)
    top = records[0]
    assert top["by"]["org_size"]["SME"]["participants"] == 2
    assert top["by_cross"]["multinational"]["South"]["codings"] == 2  # Dan c9 c10


def test_json_records_keep_the_contract(study):
    project, _ = study
    records = frequency_records(frequencies(project, by=["org_size"]))
    cost = next(r for r in records if r["path"] == "Barriers > Cost")
    for key in ("code", "path", "codings", "documents", "participants", "participants_percent", "by"):
        assert key in cost
    assert cost["code"] == "Cost"
    assert set(cost["by"]["org_size"]["SME"]) >= {"codings", "participants", "participants_percent"}
    assert cost["by"]["org_size"]["multinational"]["participants"] == 2
    assert isinstance(cost["codings"], int)


def test_codes_filter_keeps_subtrees(study):
    project, _ = study
    f = frequencies(project, codes=["Enablers"])
    assert list(f["path"]) == ["Enablers", "Enablers > Support"]


def test_unknown_attribute_and_too_many(study):
    project, _ = study
    with pytest.raises(ValidationError, match="org_size"):
        frequencies(project, by=["sector"])
    with pytest.raises(ValidationError, match="at most 2"):
        frequencies(project, by=["org_size", "region", "org_size"])


def test_coded_segments_rows(study):
    project, s = study
    seg = coded_segments(project)
    assert len(seg) == 8  # c1 c2 c3 c5 c6 c8 c9 c10
    c10 = seg[seg["coding_id"] == s.codings["c10"]].iloc[0]
    assert (c10["participant"], c10["attr:org_size"], c10["speaker"], c10["text"]) == (
        "Dan",
        "multinational",
        "R",
        "the price of compliance",
    )
    assert c10["words"] == 4
    assert set(seg["status"]) == {"confirmed", "pending"}
    assert len(coded_segments(project, include_interviewer=True, include_pending=False)) == 8  # +c4 -c5
