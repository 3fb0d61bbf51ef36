"""The attribution rule on a messy study, counted by hand (issue 9).

The study is the ``messy_study`` fixture (tests/conftest.py): three transcripts imported through the real
importer, coded like real coders do (question + answer selected together, a header coded, a focus-group
excerpt spanning two members, a rejected and a pending machine coding, a second coder).

Who counts, by hand (default: interviewer-only and outside-turn codings left out, pending counted):
  c1  Cost     Q+A int1       -> overlaps the Participant turn       -> int1 · Participant (old rule: dropped)
  c2  Quality  A int1         -> int1 · Participant
  c3  Winter   Q+A int1       -> the "Particpant" turn               -> Particpant          (old rule: dropped)
  c4  Quality  Q only int1    -> interviewer-only: left out
  c5  Cost     Q+A int2       -> the TOMAS turn; TOMAS and Tomas are one participant, "Tomas"  (old rule: dropped)
  c6  Cost     A int2         -> Tomas
  c7  Quality  header int2    -> outside turns: left out
  c8  Winter   Dan + Dana     -> counts once as a coding, for Dan AND for Dana
  c9  Cost     Dan            -> Dan
  c10 Cost     rejected       -> never
  c11 Winter   pending, Dana  -> Dana (pending counts by default)
  c12 Cost     bob, int1      -> int1 · Participant
Participants in scope (base): int1 · Participant, Particpant, Tomas, Dan, Dana = 5.
"""

from __future__ import annotations

import json

from typer.testing import CliRunner

from qualcode.analysis import explain, frequencies, matrix, presence
from qualcode.analysis.evidence_quotes import evidence
from qualcode.cli.main import app

P1 = "int1 · Participant"


def _row(frame, path):
    return frame.set_index("path").loc[path]


def test_frequencies_default_by_hand(messy_study):
    proj, _ = messy_study
    f = frequencies(proj)
    # Cost: c1, c5, c6, c9, c12 = 5 codings; int1, int2, fg = 3 documents; P1, Tomas, Dan = 3 people.
    cost = _row(f, "Barriers > Cost")
    assert (cost["codings"], cost["documents"], cost["participants"]) == (5, 3, 3)
    # Winter: c3, c8, c11 = 3 codings; int1, fg = 2 documents; Particpant, Dan, Dana = 3 people.
    winter = _row(f, "Barriers > Winter")
    assert (winter["codings"], winter["documents"], winter["participants"]) == (3, 2, 3)
    # Barriers rolls up: 5 + 3 = 8 codings; 3 documents; P1, Tomas, Dan, Particpant, Dana = 5 people = 100 %.
    barriers = _row(f, "Barriers")
    assert (barriers["codings"], barriers["documents"], barriers["participants"]) == (8, 3, 5)
    assert barriers["participants_percent"] == 100.0 and barriers["participants_base"] == 5
    # Quality: only c2 (c4 is interviewer-only, c7 outside turns) = 1 coding, 1 document, 1 person (P1).
    quality = _row(f, "Quality")
    assert (quality["codings"], quality["documents"], quality["participants"]) == (1, 1, 1)


def test_frequencies_include_interviewer_by_hand(messy_study):
    proj, _ = messy_study
    f = frequencies(proj, include_interviewer=True)
    # Quality gains c4 (int1's interviewer question; int1 has two participants, so no document participant:
    # unattributed) and c7 (int2's header, attributed to int2's participant Tomas): 3 codings, 2 documents,
    # people P1 and Tomas = 2.
    quality = _row(f, "Quality")
    assert (quality["codings"], quality["documents"], quality["participants"]) == (3, 2, 2)
    # Cost and Winter do not change: every one of their codings already touched a participant turn.
    assert _row(f, "Barriers > Cost")["codings"] == 5
    assert _row(f, "Barriers > Winter")["codings"] == 3
    assert _row(f, "Barriers")["codings"] == 8


def test_frequencies_exclude_pending_and_groups(messy_study):
    proj, _ = messy_study
    # Without pending: Winter loses c11 -> c3, c8 = 2 codings; people still Particpant, Dan, Dana (c8) = 3.
    winter = _row(frequencies(proj, include_pending=False), "Barriers > Winter")
    assert (winter["codings"], winter["participants"]) == (2, 3)
    f = frequencies(proj, by=["site"])
    cost, winter = _row(f, "Barriers > Cost"), _row(f, "Barriers > Winter")
    # site=North is P1 and Dan (base 2): Cost c1, c12 (P1) + c9 (Dan) = 3 codings, 2 people.
    assert (cost["site=North: codings"], cost["site=North: participants"]) == (3, 2)
    # site=South is Tomas and Dana (base 2): Cost c5, c6 (Tomas) = 2 codings, 1 person.
    assert (cost["site=South: codings"], cost["site=South: participants"]) == (2, 1)
    # Winter: c8 spans Dan (North) and Dana (South), so it counts once in EACH group.
    # North: c8 = 1 coding (Dan); South: c8 + c11 = 2 codings (Dana); (missing): c3 (Particpant) = 1.
    assert (winter["site=North: codings"], winter["site=North: participants"]) == (1, 1)
    assert (winter["site=South: codings"], winter["site=South: participants"]) == (2, 1)
    assert (winter["site=(missing): codings"], winter["site=(missing): participants"]) == (1, 1)
    assert winter["site=(missing): participants_percent"] == 100.0  # base 1: Particpant


def test_matrix_by_hand(messy_study):
    proj, _ = messy_study
    m = matrix(proj, cols="participant")
    # Columns: the 5 people in scope, by name.
    assert list(m.columns) == ["Dan", "Dana", P1, "Particpant", "Tomas"]
    assert m.loc["Barriers > Cost"].tolist() == [1, 0, 2, 0, 2]  # c9 | - | c1, c12 | - | c5, c6
    assert m.loc["Barriers > Winter"].tolist() == [1, 2, 0, 1, 0]  # c8 | c8, c11 | - | c3 | -
    assert m.loc["Barriers"].tolist() == [2, 2, 2, 1, 2]
    assert m.loc["Quality"].tolist() == [0, 0, 1, 0, 0]  # c2
    m = matrix(proj, cols="document")
    assert list(m.columns) == ["int1", "int2", "fg"]
    assert m.loc["Barriers > Cost"].tolist() == [2, 2, 1]
    assert m.loc["Barriers > Winter"].tolist() == [1, 0, 2]  # c8 is one coding in fg, however many people
    m = matrix(proj, cols="participant", include_interviewer=True)
    assert m.loc["Quality"].tolist() == [0, 0, 1, 0, 1]  # + c7 for Tomas; c4 has no participant column
    # Words are the participant's words: c1 counts "It costs too much every month." (6), not the question;
    # c12 lies inside it. int2: c5's answer "Fuel prices." (2) + c6 "The water is fine but expensive." (6) = 8.
    words = matrix(proj, cols="document", value="words")
    assert words.loc["Barriers > Cost"].tolist()[:2] == [6, 8]


def test_presence_by_hand(messy_study):
    proj, _ = messy_study
    p = presence(proj)
    assert list(p.index) == ["Dan", "Dana", P1, "Particpant", "Tomas"]
    assert p["Barriers > Cost"].tolist() == [1, 0, 1, 0, 1]
    assert p["Barriers > Winter"].tolist() == [1, 1, 0, 1, 0]
    assert p["Quality"].tolist() == [0, 0, 1, 0, 0]
    assert presence(proj, include_interviewer=True)["Quality"].tolist() == [0, 0, 1, 0, 1]
    # Column sums are the frequency table's participant counts.
    f = frequencies(proj)
    for path in p.columns:
        assert p[path].sum() == _row(f, path)["participants"]


def test_evidence_counts_and_quotes_are_the_participants_part(messy_study):
    proj, _ = messy_study
    e = evidence(proj, quotes=5)
    cost = _row(e, "Barriers > Cost")
    assert (cost["codings"], cost["participants"]) == (5, 3)
    texts = [q.text for q in cost["quotes"]]
    # c1's quote is the answer only; the interviewer's question is never quoted.
    assert "It costs too much every month." in texts
    assert not any("What does water cost" in t or "Why expensive" in t for t in texts)
    assert "Fuel prices." in texts  # c5, the TOMAS-labelled answer without "Why expensive?"
    winter = _row(e, "Barriers > Winter")
    by_person = {q.participant: q.text for q in winter["quotes"]}
    # c8 gives one quote per member: Dan's part and Dana's part, never the two run together.
    assert by_person["Dan"] == "Pipes freeze in winter."
    assert by_person["Dana"].startswith("Yes, the pipes freeze")
    assert by_person["Particpant"] == "We haul water in winter."
    quality = _row(evidence(proj, include_interviewer=True), "Quality")
    assert (quality["codings"], quality["participants"]) == (3, 2)


def test_explain_sums_to_the_table(messy_study):
    proj, ids = messy_study
    for include in (False, True):
        table = frequencies(proj, include_interviewer=include)
        for path in ("Barriers", "Barriers > Cost", "Barriers > Winter", "Quality"):
            found = explain(proj, path, include_interviewer=include)
            row = _row(table, path)
            totals = found.totals()
            assert (totals["codings"], totals["documents"], totals["participants"]) == (
                row["codings"],
                row["documents"],
                row["participants"],
            )
    found = explain(proj, "Quality")
    why = {i.coding_id: i.reason for i in found.items}
    assert why == {ids["c2"]: None, ids["c4"]: "interviewer-only", ids["c7"]: "outside turns"}
    cost = {i.coding_id: i for i in explain(proj, "Barriers > Cost").items}
    assert cost[ids["c10"]].reason == "rejected"
    assert cost[ids["c1"]].speakers == ("Participant",) and cost[ids["c1"]].participants == (P1,)
    winter = {i.coding_id: i for i in explain(proj, "Barriers", include_pending=False).items}
    assert winter[ids["c11"]].reason == "pending excluded"
    assert winter[ids["c8"]].participants == ("Dan", "Dana") and winter[ids["c8"]].speakers == ("Dan", "Dana")


def test_cli_explain_json_and_coder_filter(messy_study):
    proj, ids = messy_study
    path = str(proj.path)
    runner = CliRunner()
    out = runner.invoke(app, ["export", "frequencies", "--explain", "Barriers > Cost", "--json", "-p", path])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["totals"]["codings"] == 5 and data["totals"]["not_counted"] == {"rejected": 1}
    assert len(data["codings"]) == 6
    text = runner.invoke(app, ["export", "frequencies", "--explain", "Quality", "-p", path])
    assert "left out: interviewer-only" in text.stdout and "1 codings counted" in text.stdout
    # --coder: bob made one Cost coding (c12), ann four (c1, c5, c6, c9).
    for coder, n in (("bob", 1), ("ann", 4)):
        out = runner.invoke(app, ["export", "frequencies", "--coder", coder, "-f", "json", "-p", path])
        rows = {r["path"]: r for r in json.loads(out.stdout)}
        assert rows["Barriers > Cost"]["codings"] == n and rows["Barriers > Cost"]["coders"] == [coder]
    out = runner.invoke(app, ["export", "codings", "--coder", "bob", "-f", "json", "-p", path])
    assert [r["coding_id"] for r in json.loads(out.stdout)] == [ids["c12"]]
    out = runner.invoke(app, ["export", "evidence", "--coder", "ann", "--coder", "bob", "-f", "json", "-p", path])
    assert {r["path"]: r["codings"] for r in json.loads(out.stdout)}["Barriers > Cost"] == 5
    bad = runner.invoke(app, ["export", "frequencies", "--coder", "nobody", "-p", path])
    assert bad.exit_code == 1 and "no codings by coder nobody" in bad.output


def test_overlap_needs_a_non_space_character(messy_study):
    from qualcode.analysis.attribution import attributions

    proj, _ = messy_study
    doc = proj.documents.find("int1")
    # The question, its line break and the next label "Participant: " — but no character of the answer.
    start, end = doc.text.index("What does"), doc.text.index("It costs")
    new = proj.codings.apply("int1", start, end, ["Quality"], coder="carl")[0]
    found = next(a for a in attributions(proj, coders=["carl"]) if a.coding.id == new.id)
    assert (found.where, found.counted, found.reason) == ("interviewer-only", False, "interviewer-only")
    # One more character (the answer's "I") and it belongs to the participant.
    proj.codings.apply("int1", start, end + 1, ["Quality"], coder="carl")
    counted = [a for a in attributions(proj, coders=["carl"]) if a.counted]
    assert len(counted) == 1 and [t.speaker for t in counted[0].turns] == ["Participant"]


def test_agreement_units_follow_the_rule(messy_study):
    from qualcode.analysis.agreement import agreement

    proj, _ = messy_study
    # int1 is the only document both ann and bob coded. Its participant turns (the units) are the 3
    # "Participant" turns and the "Particpant" turn = 4. ann's c1 (question + answer) and bob's c12 (inside
    # the answer) both apply Cost to the first answer: both = 1, neither = 3, kappa = 1.
    result = agreement(proj, coders=["ann", "bob"], unit="turn", codes=["Barriers > Cost"])
    row = result.codes[0]
    assert (row.units, row.both, row.neither, row.only) == (4, 1, 3, {"ann": 0, "bob": 0})
    assert row.kappa == 1.0
