"""The SQL tables (issue 15) give exactly the numbers of the Python reference path.

The reference is the per-coding Python implementation built on
``load_corpus`` (``frequencies_from``, the evidence counts and the agreement
loader of before), kept in the code base; each fixture is checked under every
counting switch: the demo study, the issue-9 messy study (question+answer
codings, interviewer-only, outside turns, a focus group, pending and rejected
codings, a participant without attributes), NaPiRE (a real survey, via
``shared_dir``) and a seeded random study with interviewer turns, turns
without participants and codings spanning several turns.
"""

from __future__ import annotations

import json
import random
import sys

import pandas as pd
import pytest

from qualcode.analysis.corpus import check_by, load_corpus
from qualcode.analysis.counted import frequencies_sql
from qualcode.analysis.counts import frequencies, frequencies_from
from qualcode.store.tables import WHITESPACE

SWITCHES = [dict(include_interviewer=i, include_pending=p) for i in (False, True) for p in (True, False)]


def reference_frequencies(project, by=None, codes=None, coders=None, **switches):
    corpus = load_corpus(project, coders=coders, **switches)
    names = check_by(by, corpus)
    return frequencies_from(corpus, corpus.code_rows(codes, project), names)


def same(project, by=None, codes=None, coders=None, **switches):
    want = reference_frequencies(project, by=by, codes=codes, coders=coders, **switches)
    got = frequencies_sql(project, by=by, codes=codes, coders=coders, **switches)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert got.attrs == want.attrs
    return got


def test_whitespace_list_is_pythons():
    assert set(WHITESPACE) == {chr(i) for i in range(sys.maxunicode + 1) if chr(i).isspace()}


def test_frequencies_match_reference_on_the_messy_study(messy_study):
    proj, _ = messy_study
    for switches in SWITCHES:
        same(proj, **switches)
        same(proj, by=["site"], **switches)
        same(proj, codes=["Barriers"], coders=["ann"], **switches)
    frame = frequencies(proj, by="site")
    row = frame.set_index("path").loc["Barriers > Cost"]
    assert (row["codings"], row["participants"]) == (5, 3)  # c1 c5 c6 c9 c12; int1 · Participant, Tomas, Dan


def test_frequencies_match_reference_on_the_demo(tmp_path):
    from qualcode.demo import build_demo
    from qualcode.store import open_project

    build_demo(tmp_path / "demo.db")
    proj = open_project(tmp_path / "demo.db")
    names = proj.participants.attribute_names()
    for switches in (SWITCHES[0], SWITCHES[-1]):
        same(proj, **switches)
        same(proj, by=names[:2], **switches)
    same_cross(proj, names[:1])
    same_cooccurrence(proj)
    same_evidence(proj, by=names[:1])
    proj.close()


def _random_study(project, seed: int):
    """Interviews with interviewer turns, unassigned turns, a focus group; random codings over them."""
    from qualcode.model import ParsedDocument, ParsedTurn
    from qualcode.store import NewCoding

    rng = random.Random(seed)
    words = "water cost winter pipes rust fuel price  \u00a0 bus rent   home".split(" ")
    for d in range(6):
        text, turns, people = "", [], [f"P{d}", f"Q{d}"] if d == 5 else [f"P{d}"]
        for k in range(rng.randint(3, 7)):
            role = "interviewer" if k % 2 == 0 else "participant"
            who = "Int" if role == "interviewer" else rng.choice(people + [None])
            label = f"{who or 'X'}: "
            body = " ".join(rng.choice(words) for _ in range(rng.randint(1, 6))) or " "
            start = len(text) + len(label)
            text += label + body + "\n"
            turns.append(
                ParsedTurn(
                    speaker=who or "X",
                    role=role,
                    start=start,
                    end=start + len(body),
                    participant=who if role == "participant" else None,
                )
            )
        parsed = ParsedDocument(
            name=f"doc{d}", kind="interview", text=text, turns=turns, participant=people[0] if d % 2 else None
        )
        project.documents.add(parsed)
    for name in ("T > a", "T > b", "T > a > x", "U"):
        project.codes.ensure_path(name)
    codes = [c.id for c in project.codes.all()]
    items = []
    for doc in project.documents.all():
        for _ in range(12):
            s = rng.randrange(len(doc.text) - 1)
            e = min(len(doc.text), s + rng.randint(1, 40))
            status = rng.choice(["confirmed", "confirmed", "pending", "rejected"])
            items.append(
                NewCoding(
                    rng.choice(codes), doc.id, s, e, coder=rng.choice(["ann", "bob"]), origin="manual", status=status
                )
            )
    project.codings.add_many(items)
    for i, p in enumerate(project.participants.all()):
        if i % 3:
            project.participants.set_attributes(
                p.name,
                {
                    "site": rng.choice(["N", "S", " "]),
                    "age": rng.choice(["young", "old"]),
                    'odd "key".x': rng.choice(["a", "\u3000", "b"]),
                    "region.sub": rng.choice(["r1", "r2"]),
                },
            )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_frequencies_match_reference_on_random_studies(project, seed):
    _random_study(project, seed)
    for switches in SWITCHES:
        same(project, **switches)
        same(project, by=["site", "age"], **switches)
        same(project, by="site", coders=["bob"], **switches)
        same(project, by=['odd "key".x', "region.sub"], **switches)


def test_frequencies_match_reference_on_napire(corpora_dir, tmp_path):
    from typer.testing import CliRunner

    from qualcode.cli.main import app
    from qualcode.store import open_project

    runner = CliRunner()
    db = tmp_path / "napire.db"
    res = runner.invoke(
        app,
        [
            "import",
            str(corpora_dir / "napire-2018/data/napire_truth.csv"),
            "--survey",
            "--id-column",
            "lfdn",
            "--text-column",
            "v_277",
            "-p",
            str(db),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    import csv
    import io

    raw = (corpora_dir / "napire-2018/data/freetext_coded/v_277_with_246_total_365_coded.csv").read_bytes()
    rows = list(csv.DictReader(io.StringIO(raw.decode("cp1252")), delimiter=";"))
    batch = tmp_path / "batch.csv"
    with batch.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["document", "start", "end", "code"])
        w.writerows([r["lfdn"], "", "", r["tag"]] for r in rows)
    res = runner.invoke(app, ["code", "--batch", str(batch), "--create-codes", "-p", str(db), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["added"] == len(rows)
    proj = open_project(db)
    names = proj.participants.attribute_names()
    same(proj)
    same(proj, by=names[:1])
    proj.close()


def reference_evidence(project, by=None, quotes=3, pseudonymise=False, codes=None, coders=None, **switches):
    """The evidence table as computed before issue 15: every counted coding a candidate."""
    from qualcode.analysis.evidence_quotes import quote_column

    corpus = load_corpus(project, coders=coders, **switches)
    rows = corpus.code_rows(codes, project)
    frame = frequencies_from(corpus, rows, check_by(by, corpus))
    frame["definition"] = [c.description for c in rows] if rows else []
    frame["quotes"] = pd.Series(quote_column(corpus, rows, quotes, pseudonymise), index=frame.index, dtype=object)
    frame.attrs.update({"quotes": quotes, "pseudonymised": pseudonymise})
    return frame


def same_evidence(project, **kwargs):
    from qualcode.analysis.evidence_quotes import evidence

    want, got = reference_evidence(project, **kwargs), evidence(project, **kwargs)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    totals = got.attrs.pop("counted_totals")
    assert got.attrs == want.attrs
    assert totals["code_ids"] == [int(c) for c in want["code_id"]]
    return got


def test_evidence_matches_reference_on_the_messy_study(messy_study):
    proj, _ = messy_study
    for switches in SWITCHES:
        got = same_evidence(proj, by=["site"], **switches)
        assert sum(len(q) for q in got["quotes"]) > 0
    same_evidence(proj, pseudonymise=True, quotes=5)
    same_evidence(proj, codes=["Quality"], coders=["ann"], include_interviewer=True)


@pytest.mark.parametrize("seed", [4, 5])
def test_evidence_matches_reference_on_random_studies(project, seed):
    _random_study(project, seed)
    for switches in SWITCHES:
        same_evidence(project, by=["site"], **switches)
    same_evidence(project, pseudonymise=True)


def test_evidence_samples_a_bounded_candidate_set(project, monkeypatch):
    """Above the cap a code's quotes come from its sample; the counts stay exact."""
    import qualcode.analysis.evidence_quotes as ev

    _random_study(project, 6)
    monkeypatch.setattr(ev, "CANDIDATES_PER_CODE", 3)
    got = ev.evidence(project, quotes=2)
    want = reference_evidence(project, quotes=2)
    pd.testing.assert_frame_equal(got.drop(columns="quotes"), want.drop(columns="quotes"), check_dtype=False)
    with project.tables.counted() as units:
        sample = units.sample([c.id for c in project.codes.all()], 3)
    assert all(len(ids) <= 3 for ids in sample.values())
    picked = {q.coding_id for qs in got["quotes"] for q in qs}
    assert picked and picked <= {i for ids in sample.values() for i in ids}


def same_agreement(project, **kwargs):
    from qualcode.analysis.agreement import _python_agreement, agreement

    got, want = agreement(project, unit="turn", **kwargs), _python_agreement(project, unit="turn", **kwargs)
    assert got.to_json() == want.to_json()
    assert got == want
    return got


def test_agreement_turns_match_reference_on_the_messy_study(messy_study):
    proj, ids = messy_study
    for kwargs in (
        dict(),
        dict(rollup=True),
        dict(include_interviewer=True),
        dict(all_documents=True),
        dict(codes=["Barriers"]),
    ):
        same_agreement(proj, **kwargs)
    proj.codings.set_status([ids["c11"]], "confirmed")
    got = same_agreement(proj, include_machine=True, coders=["ann", "bob", "auto"])
    assert got.kappa_kind == "light"


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_agreement_turns_match_reference_on_random_studies(project, seed):
    _random_study(project, seed)
    for kwargs in (
        dict(),
        dict(rollup=True),
        dict(include_interviewer=True, all_documents=True),
        dict(codes=["T"], rollup=True),
    ):
        got = same_agreement(project, **kwargs)
    assert got.units > 0


def test_agreement_errors_are_unchanged(messy_study):
    from qualcode.analysis.agreement import agreement
    from qualcode.errors import ValidationError

    proj, _ = messy_study
    with pytest.raises(ValidationError, match="at least two coders"):
        agreement(proj, coders=["ann"])
    with pytest.raises(ValidationError, match="no codings by coder"):
        agreement(proj, coders=["ann", "zed"])


def same_cross(project, attrs=(), **switches):
    from qualcode.analysis.tables import matrix, presence

    for cols in ["document", "participant", *[f"attr:{a}" for a in attrs]]:
        for value in ("codings", "participants", "words"):
            for rollup in (True, False):
                got = matrix(project, cols=cols, value=value, rollup=rollup, **switches)
                want = matrix(project, cols=cols, value=value, rollup=rollup, _reference=True, **switches)
                pd.testing.assert_frame_equal(got, want, check_dtype=False)
                assert got.attrs == want.attrs
    for unit in ("participant", "document"):
        for rollup in (True, False):
            got = presence(project, unit, rollup=rollup, **switches)
            want = presence(project, unit, rollup=rollup, _reference=True, **switches)
            pd.testing.assert_frame_equal(got, want, check_dtype=False)
            assert got.attrs == want.attrs


def test_matrix_and_presence_match_reference_on_the_messy_study(messy_study):
    from qualcode.analysis.tables import matrix

    proj, _ = messy_study
    for switches in SWITCHES:
        same_cross(proj, ["site"], **switches)
    got = matrix(proj, cols="attr:site", value="participants", codes=["Barriers"])
    want = matrix(proj, cols="attr:site", value="participants", codes=["Barriers"], _reference=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


@pytest.mark.parametrize("seed", [10, 11])
def test_matrix_and_presence_match_reference_on_random_studies(project, seed):
    _random_study(project, seed)
    for switches in SWITCHES:
        same_cross(project, ["site", "age"], **switches)


def test_report_context_matches_reference(messy_study):
    """Totals from SQL; turn numbers of the quoted turns as the whole-project numbering gives them."""
    from qualcode.analysis.evidence_quotes import evidence
    from qualcode.export import report_context

    proj, _ = messy_study
    for switches in SWITCHES:
        frame = evidence(proj, codes=["Barriers"], **switches)
        got = report_context(proj, frame)
        counted_again = report_context(proj, frame.drop(columns="quotes").rename_axis(None))
        frame.attrs.pop("counted_totals")
        assert (report_context(proj, frame).codings, counted_again.documents) == (got.codings, got.documents)
        corpus = load_corpus(proj, **switches)
        counted = [cc for cc in corpus.codings if cc.code.id in set(frame["code_id"])]
        assert (got.codings, got.documents) == (len(counted), len({cc.document.id for cc in counted}))
        by_doc = {}
        for turn in proj.documents.all_turns():
            by_doc.setdefault(turn.document_id, []).append(turn)
        numbers = {t.id: i for ts in by_doc.values() if len(ts) > 1 for i, t in enumerate(ts, 1)}
        quoted = {q.turn_id for qs in frame["quotes"] for q in qs}
        assert quoted and got.turn_numbers == {t: numbers[t] for t in quoted if t in numbers}


def same_cooccurrence(project):
    from qualcode.analysis.tables import cooccurrence

    for switches in SWITCHES:
        got, want = cooccurrence(project, **switches), cooccurrence(project, _reference=True, **switches)
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
        assert got.attrs == want.attrs
    return got


def test_cooccurrence_matches_reference_on_the_messy_study(messy_study):
    proj, _ = messy_study
    same_cooccurrence(proj)


@pytest.mark.parametrize("seed", [12, 13, 14])
def test_cooccurrence_matches_reference_on_random_studies(project, seed):
    _random_study(project, seed)
    got = same_cooccurrence(project)
    assert len(got) and got["overlapping"].sum() > 0


def same_coverage(project):
    from qualcode.analysis.tables import coverage

    for switches in SWITCHES:
        for least in (0, 1, 2):
            got = coverage(project, least, **switches)
            want = coverage(project, least, _reference=True, **switches)
            pd.testing.assert_frame_equal(got, want, check_dtype=False)
            assert got.attrs == want.attrs
    return got


def test_coverage_matches_reference(messy_study, project):
    proj, _ = messy_study
    assert same_coverage(proj)["participant_names"].str.len().sum() > 0
    _random_study(project, 15)
    same_coverage(project)


def _cost(proj):
    frame = frequencies_sql(proj, by="site").set_index("path")
    return frame.loc["Barriers > Cost", ["codings", "participants", "site=South: participants"]].tolist()


def test_tables_follow_edits(messy_study):
    """Nothing is kept between commands: after a new coding, its undo and a speaker turned interviewer the
    SQL tables still equal the reference, and move by the hand-counted amounts."""
    proj, _ = messy_study
    # Cost: c1 (int1 Participant), c5 + c6 (Tomas), c9 (Dan), c12 (bob, int1 Participant); c10 is rejected.
    assert _cost(proj) == [5, 3, 1]
    fg = next(d for d in proj.documents.all() if d.name == "fg")
    start = fg.text.index("Yes, the pipes freeze")
    proj.codings.apply(fg.id, start, start + len("Yes, the pipes freeze"), ["Barriers > Cost"], coder="bob")
    assert _cost(proj) == [6, 4, 2]  # + Dana (South)
    for switches in SWITCHES:
        same(proj, by="site", **switches)
    same_agreement(proj)
    proj.history.undo()
    assert _cost(proj) == [5, 3, 1]
    same(proj, by="site")
    proj.documents.map_speaker("fg", "Dan", "Dan", role="interviewer")
    assert _cost(proj) == [4, 2, 1]  # Dan's "Costs go up too." is now an interviewer's
    for switches in SWITCHES:
        same(proj, by="site", **switches)
    same_agreement(proj, include_interviewer=True)


def test_totals_match_the_counted_codings(messy_study, project):
    """``CountedUnits.totals`` (sums and subtree shortcuts) equals distinct counted codings and documents."""
    _random_study(project, 4)
    for proj in (messy_study[0], project):
        codes = [c.id for c in proj.codes.all()]
        rng = random.Random(5)
        subtrees = [codes[:n] for n in range(1, len(codes) + 1)]  # depth-first: some are whole subtrees
        asked = [None, *subtrees, codes[1:], *[rng.sample(codes, 2) for _ in range(4)]]
        for switches in SWITCHES:
            counted = load_corpus(proj, **switches).codings
            with proj.tables.counted(**switches) as units:
                for ids in asked:
                    wanted = [cc for cc in counted if ids is None or cc.code.id in ids]
                    want = (len({cc.coding.id for cc in wanted}), len({cc.document.id for cc in wanted}))
                    assert units.totals(ids) == want, (ids, switches)


def test_codings_over_leading_spaces_of_a_turn(project):
    """The first-character shortcut of the overlap: only a non-space first character makes a coding count."""
    from qualcode.model import ParsedDocument, ParsedTurn

    bodies = ["\u00a0\u3000 rust", "\x01 fuel", "  cost", "pipes"]
    text, turns = "", []
    for i, body in enumerate(bodies):
        label = f"P{i}: "
        start = len(text) + len(label)
        text += label + body + "\n"
        turns.append(
            ParsedTurn(speaker=f"P{i}", role="participant", start=start, end=start + len(body), participant=f"P{i}")
        )
    project.documents.add(ParsedDocument(name="d", kind="interview", text=text, turns=turns))
    doc = project.documents.all()[0]
    starts = [t.start for t in project.documents.turns(doc.id)]
    spans = {
        "Spaces": [(starts[0], starts[0] + 3), (starts[0] - 4, starts[0] + 1), (starts[2] - 2, starts[2] + 2)],
        "Words": [(starts[0], starts[0] + 4), (starts[1], starts[1] + 1), (starts[3] - 1, starts[3] + 1)],
    }
    for code, found in spans.items():
        project.codes.ensure_path(code)
        for s, e in found:
            project.codings.apply(doc.id, s, e, [code])
    frame = frequencies_sql(project).set_index("path")
    assert frame.loc["Words", "codings"] == 3 and frame.loc["Words", "participants"] == 3
    assert "Spaces" not in frame.index or frame.loc["Spaces", "codings"] == 0
    for switches in SWITCHES:
        same(project, **switches)


@pytest.mark.parametrize("seed", [1, 2])
def test_frequencies_match_reference_when_one_theme_holds_every_code(project, seed):
    """The shortcut for a subtree holding every counted code (a consultation's one top theme)."""
    _random_study(project, seed)
    project.codes.merge("U", "T > b")
    assert [c.path for c in project.codes.all() if c.parent_id is None] == ["T"]
    for switches in SWITCHES:
        same(project, **switches)
        same(project, by=["site", "age"], **switches)
        same(project, by="site", coders=["bob"], **switches)


def same_codings(project, codes=None, **kwargs):
    """The batched codings table (tiny batches, so rows cross batch ends) equals the whole-project one, and the
    streamed CSV and JSON files are byte for byte those written from the reference frame."""
    import io

    from qualcode.analysis.counts import coded_segments
    from qualcode.analysis.segments import segments, segments_table
    from qualcode.export import write_export
    from qualcode.services.exports import _code_ids, write_codings

    ids = _code_ids(project, codes)
    want = coded_segments(project, code_ids=ids, _reference=True, **kwargs)
    got = segments_table(segments(project, code_ids=ids, batch=3, **kwargs))
    pd.testing.assert_frame_equal(got, want)
    assert got.attrs == want.attrs
    pd.testing.assert_frame_equal(coded_segments(project, code_ids=ids, **kwargs), want)
    for fmt in ("csv", "json"):
        expected, streamed = io.StringIO(), io.StringIO()
        write_export("codings", want, expected, fmt)
        write_codings(project, streamed, fmt, codes=codes, **kwargs)
        assert streamed.getvalue() == expected.getvalue()
    return got


def test_codings_match_reference_on_the_messy_study(messy_study):
    proj, ids = messy_study
    for switches in SWITCHES:
        got = same_codings(proj, **switches)
        assert len(got) and got["participant"].notna().any()
    same_codings(proj, codes=["Barriers"], coders=["ann"], include_interviewer=True)
    # Hand-counted: Cost has c1 c5 c6 c9 c12 (c10 rejected); Winter c3 c8 c11, and without pending (c11) two.
    cost = same_codings(proj, codes=["Barriers > Cost"])
    assert sorted(cost["coding_id"]) == sorted(ids[k] for k in ("c1", "c5", "c6", "c9", "c12"))
    winter = same_codings(proj, codes=["Barriers > Winter"], include_pending=False)
    assert sorted(winter["coding_id"]) == sorted(ids[k] for k in ("c3", "c8"))
    # c8 spans Dan's and Dana's turns: one row, counted for both, the first one named.
    c8 = winter.set_index("coding_id").loc[ids["c8"]]
    assert (c8["participant"], c8["participants"]) == ("Dan", "Dan; Dana")


@pytest.mark.parametrize("seed", [16, 17])
def test_codings_match_reference_on_random_studies(project, seed):
    _random_study(project, seed)
    for switches in SWITCHES:
        same_codings(project, **switches)
    same_codings(project, codes=["T > a"], coders=["bob"])


def test_streamed_codings_of_nothing(project):
    import io

    from qualcode.services.exports import write_codings

    for fmt, empty in (("json", "[]\n"), ("csv", None)):
        out = io.StringIO()
        write_codings(project, out, fmt)
        assert out.getvalue() == empty if empty else out.getvalue().startswith("coding_id,code_id")


def same_saturation_and_likert(project, items):
    from qualcode.analysis.survey import likert_by_code
    from qualcode.analysis.tables import saturation

    for switches in SWITCHES:
        got, want = saturation(project, **switches), saturation(project, _reference=True, **switches)
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
        assert got.attrs == want.attrs
        for item, scale, dont_know in items:
            for in_base in (False, True):
                kw = dict(dont_know=dont_know, dont_know_in_base=in_base, **switches)
                got = likert_by_code(project, item, scale, **kw)
                want = likert_by_code(project, item, scale, _reference=True, **kw)
                pd.testing.assert_frame_equal(got, want, check_dtype=False)
                assert got.attrs == want.attrs
    return got


def test_saturation_and_likert_by_code_match_reference_on_the_messy_study(messy_study):
    from qualcode.analysis.survey import likert_by_code
    from qualcode.errors import ValidationError

    proj, _ = messy_study
    answers = {"int1 · Participant": "Agree", "Tomas": " agree ", "Dan": "Don't know", "Dana": "maybe"}
    for name, value in answers.items():
        proj.participants.set_attributes(name, {"q1": value})
    scale = ["Disagree", "Neutral", "Agree"]
    same_saturation_and_likert(proj, [("q1", scale, ("Don't know",)), ("site", ["North", "South"], ())])
    # Hand-counted (pending counted): Cost's people int1 · Participant, Tomas (agree ×2) and Dan (don't know).
    cost = likert_by_code(proj, "q1", scale).set_index("path").loc["Barriers > Cost"]
    assert (cost["participants"], cost["Agree: count"], cost["dont_know"], cost["n"]) == (3, 2, 1, 2)  # dk not in n
    with pytest.raises(ValidationError, match="no respondent has a 'q9' answer"):
        likert_by_code(proj, "q9", scale)


@pytest.mark.parametrize("seed", [18, 19])
def test_saturation_and_likert_by_code_match_reference_on_random_studies(project, seed):
    _random_study(project, seed)
    same_saturation_and_likert(
        project, [("site", ["N", "S"], ()), ("age", ["young", "mid", "old"], ("old",)), ('odd "key".x', ["a", "b"], ())]
    )


@pytest.mark.parametrize("seed", [20, 21])
def test_word_matrix_across_batch_ends(project, seed):
    """Batches of two codings end inside documents: a document's spans are still merged as one."""
    from qualcode.analysis.corpus import CountOptions
    from qualcode.analysis.matrix_words import word_cells
    from qualcode.analysis.tables import matrix

    _random_study(project, seed)
    for switches in SWITCHES:
        options = CountOptions(**switches)
        for cols in ("document", "participant", "attr:site"):
            for rollup in (True, False):
                want = matrix(project, cols=cols, value="words", rollup=rollup, _reference=True, **switches)
                cells = word_cells(project, cols, rollup, options, batch=2)
                counted = sum(n for (_, key), n in cells.items() if key is not None)  # None: unattributed
                assert counted == int(want.to_numpy().sum()) > 0
                got = matrix(project, cols=cols, value="words", rollup=rollup, **switches)
                pd.testing.assert_frame_equal(got, want, check_dtype=False)
