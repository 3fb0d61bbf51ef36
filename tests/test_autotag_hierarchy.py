"""The hierarchy-aware tagger: back-off, definitions, vetoes, abstention, ceiling, and the learning curve."""

from __future__ import annotations

import numpy as np
import pytest

from qualcode.autotag.classifier import lemmatise
from qualcode.autotag.decide import decide
from qualcode.autotag.evidence import CodeTree, use_instead, veto_phrases
from qualcode.autotag.tagger import Tagger, TaggerParams, train_tagger
from qualcode.model import Code, ParsedDocument, ParsedTurn

MONEY = [
    "the budget was tight this year",
    "the cost of the bid hurt the budget",
    "we lost money on the budget",
    "the price and the budget were wrong",
]
MEETINGS = [
    "too many meetings every week",
    "the stand-up meeting ran long",
    "we gathered for meetings daily",
    "another meeting about meetings",
    "meetings all afternoon again",
    "the weekly meeting overran",
]
SMALL_TALK = ["hello there", "yes thank you", "okay sure", "right then", "good morning to you", "see you soon"]


def _codes(**extra: dict) -> list[Code]:
    base = [
        Code(1, "Money", None, "Money"),
        Code(2, "Cost", 1, "Money > Cost"),
        Code(3, "Pay", 1, "Money > Pay"),
        Code(4, "Meetings", None, "Meetings"),
    ]
    return [
        Code(**{**{f: getattr(c, f) for f in ("id", "name", "parent_id", "path")}, **extra.get(c.name, {})})
        for c in base
    ]


def _data() -> tuple[list[str], list[set[int]]]:
    texts = MONEY + MEETINGS + SMALL_TALK
    labels = [{2}, {2}, {3}, {3}] + [{4}] * len(MEETINGS) + [set()] * len(SMALL_TALK)
    return texts, labels


def _train(codes: list[Code], **params) -> Tagger:  # noqa: ANN003
    texts, labels = _data()
    params.setdefault("min_examples", 3)  # Money has 4 examples (its leaves' 2 + 2), Meetings 6
    return train_tagger(lemmatise(texts), labels, codes, TaggerParams(**params))


def _propose(tagger: Tagger, texts: list[str]) -> list[tuple[int, int]]:
    return sorted((p.unit, p.code_id) for p in tagger.propose(lemmatise(texts), texts))


def test_backoff_to_parent_with_leaf_scores() -> None:
    # Cost and Pay have 2 examples each (< 3): not modelled; Money has their 4. Definitions are off,
    # so a money unit is coded on the theme, with both leaves' scores in the provenance.
    tagger = _train(_codes(), definition_min=2.0, definition_alone=2.0)
    assert tagger.code_ids == [1, 4] and tagger.skipped == {2: 2, 3: 2}
    props = tagger.propose(lemmatise(["the budget was tight and the cost too"]), ["the budget was tight"])
    assert [(p.code_id) for p in props] == [1]
    assert " backoff " in props[0].rule and "Cost=" in props[0].rule and "Pay=" in props[0].rule
    assert props[0].rule.startswith(tagger.model_id)


def test_deepest_level_wins_and_backoff_by_hand() -> None:
    codes = _codes()
    tagger = Tagger(
        "model:x",
        TaggerParams(),
        codes,
        [1, 2, 3, 4],
        {1: 0.5, 2: 0.5, 3: 0.5, 4: 0.5},
        {1: 0.5, 2: 0.25, 3: 0.25, 4: 0.5},
        profile_ids=[1, 2, 3, 4],
    )
    conf = np.array(
        [
            [0.8, 0.7, 0.2, 0.1],  # Money and Cost pass: only Cost (the deepest) is written
            [0.8, 0.3, 0.2, 0.1],  # Money passes, no leaf does: back-off to Money, leaf scores in the rule
            [0.1, 0.2, 0.1, 0.9],  # Meetings
            [0.1, 0.1, 0.1, 0.1],  # nothing passes: abstain
        ]
    )
    out = decide(tagger, conf, np.zeros((4, 4)), ["a", "b", "c", "d"])
    assert [(p.unit, p.code_id) for p in out] == [(0, 2), (1, 1), (2, 4)]
    assert out[1].rule == "model:x backoff Cost=0.30, Pay=0.20" and out[1].confidence == pytest.approx(0.8)
    assert out[0].rule == "model:x" and out[0].confidence == pytest.approx(0.7)


def test_rate_ceiling_keeps_the_most_confident_unless_high() -> None:
    codes = [Code(1, "A", None, "A")]
    tagger = Tagger("m", TaggerParams(ceiling=2.0, high=0.9), codes, [1], {1: 0.5}, {1: 0.1}, profile_ids=[1])
    conf = np.array([[0.6], [0.7], [0.8], [0.55], [0.95], [0.2], [0.3], [0.1], [0.4], [0.2]])
    # 10 units x rate 0.1 x ceiling 2 = 2 allowed: the two best below 0.9 (0.8, 0.7) plus the 0.95.
    out = decide(tagger, conf, np.zeros((10, 1)), ["x"] * 10)
    assert sorted(p.unit for p in out) == [1, 2, 4]


def test_zero_example_code_proposed_from_its_definition() -> None:
    codes = _codes() + [
        Code(
            5,
            "Parking",
            None,
            "Parking",
            description="Car parking spaces at the office",
            include="Parking permits, no parking space, parking fines",
            examples=("there was never a parking space near the office",),
        )
    ]
    tagger = _train(codes)
    assert 5 not in tagger.code_ids and tagger.skipped[5] == 0
    texts = ["I never find a parking space near the office", "hello there okay"]
    props = tagger.propose(lemmatise(texts), texts)
    parking = [p for p in props if p.code_id == 5]
    assert [p.unit for p in parking] == [0]
    assert 0 < parking[0].confidence <= 0.5 and " definition " in parking[0].rule
    assert not any(p.unit == 1 for p in props)


def test_exclude_rules_veto() -> None:
    texts = ["too many meetings about the canteen menu", "too many meetings every week"]
    plain = _train(_codes())
    assert [c for _, c in _propose(plain, texts)] == [4, 4]
    quoted = _train(_codes(Meetings={"exclude": 'Not talk about the "canteen menu" (use Money)'}))
    assert _propose(quoted, texts) == [(1, 4)]
    keyword = _train(_codes(Meetings={"keywords": ("-canteen",)}))
    assert _propose(keyword, texts) == [(1, 4)]
    assert veto_phrases(Code(9, "X", exclude='"a b" and “c d”', keywords=("-e", "f"))) == ["e", "a b", "c d"]
    assert use_instead(Code(9, "X", exclude="(use Money); (use nothing)"), _codes()) == [1]


def test_abstains_on_units_like_no_code() -> None:
    tagger = _train(_codes())
    texts = ["good morning to you", "okay thank you", "the weekly meeting ran long again"]
    assert _propose(tagger, texts) == [(2, 4)]


def test_code_tree_expand_and_top() -> None:
    tree = CodeTree.of(_codes())
    assert tree.expand({2}) == {1, 2} and tree.expand({99}) == set()
    assert tree.top(3) == 1 and tree.top(4) == 4 and tree.children[1] == [2, 3]


# --- The learning curve on a fixture with hand-counted scores ------------------------------------------------

UNITS = [  # (text, human codes, keyword hits) - the same in every document
    ("The cost went up.", {"a"}),
    ("My pay is late.", {"b"}),
    ("The meeting cost a lot.", {"c"}),
    ("Nice weather today.", set()),
    ("The cost again.", {"a"}),
]


def _curve_project(project, n_docs: int = 3):  # noqa: ANN001, ANN202
    from qualcode.store import NewCoding

    ids = {"Money": project.codes.add("Money").id, "Work": project.codes.add("Work").id}
    ids["a"] = project.codes.add("a", parent="Money", keywords=["cost"]).id
    ids["b"] = project.codes.add("b", parent="Money", keywords=["salary"]).id
    ids["c"] = project.codes.add("c", parent="Work", keywords=["meeting"]).id
    codings = []
    for d in range(n_docs):
        text, turns = "", []
        for sentence, _ in UNITS:
            s = len(text) + 3
            text += f"P: {sentence}\n"
            turns.append(ParsedTurn("P", s, s + len(sentence)))
        doc, _ = project.documents.add(ParsedDocument(f"doc{d}", "interview", text, turns))
        for (_sentence, codes), t in zip(UNITS, turns):
            codings += [NewCoding(ids[c], doc.id, t.start, t.end, coder="ana") for c in codes]
    project.codings.add_many(codings, summary="human")


def test_learning_curve_hand_counted(project) -> None:
    from qualcode.autotag.curve import learning_curve

    _curve_project(project)
    curve = learning_curve(project, methods=("commonest", "keywords"), repeats=2, seed=0)
    assert curve.documents == 3 and curve.units == 15 and sorted({p.k for p in curve.points}) == [1, 2]
    # Every document is coded alike, so every k and order gives the same counts (m test documents):
    # keywords, turn level: tp 3m (a on units 1 and 5, c on 3), fp m (a on 3), fn m (b on 2).
    expect = {
        ("turn", "keywords"): dict(
            micro_f1=3 / 4,
            macro_f1=(4 / 5 + 0 + 1) / 3,
            precision=3 / 4,
            recall=3 / 4,
            kappa=(0.92 - 0.7312) / (1 - 0.7312),
        ),
        # themes: Money on 1, 2, 5 and Work on 3 by hand; keywords give Money on 1, 3, 5 and Work on 3.
        ("theme", "keywords"): dict(
            micro_f1=3 / 4, macro_f1=(2 / 3 + 1) / 2, precision=3 / 4, recall=3 / 4, kappa=(0.8 - 0.52) / 0.48
        ),
        # commonest code in training is a (2 per document): a on all 5 units -> tp 2m, fp 3m, fn 2m.
        ("turn", "commonest"): dict(
            micro_f1=4 / 9, macro_f1=(4 / 7) / 3, precision=2 / 5, recall=1 / 2, kappa=(0.8 - 0.704) / (1 - 0.704)
        ),
        # commonest theme is Money (3 per document): Money on all 5 -> tp 3m, fp 2m, fn m (Work on 3).
        ("theme", "commonest"): dict(micro_f1=2 / 3, macro_f1=0.75 / 2, precision=3 / 5, recall=3 / 4, kappa=0.4),
    }
    for k in (1, 2):
        for (level, method), scores in expect.items():
            p = curve.point(k, level, method)
            assert p is not None and p.runs == 2
            for name, value in scores.items():
                assert getattr(p, name) == pytest.approx(value), (k, level, method, name)
    data = curve.to_json()
    assert set(data) >= {"documents", "units", "repeats", "points", "reliability", "ece"}
    assert set(data["points"][0]) == {
        "k",
        "level",
        "method",
        "runs",
        "micro_f1",
        "macro_f1",
        "precision",
        "recall",
        "kappa",
    }


def test_learning_curve_runs_the_models(project) -> None:
    from qualcode.autotag.curve import learning_curve
    from qualcode.errors import ValidationError

    _curve_project(project)
    curve = learning_curve(project, methods=("model", "previous"), repeats=1, max_k=1)
    assert {(p.k, p.level, p.method) for p in curve.points} == {
        (1, lv, m) for lv in ("turn", "theme") for m in ("model", "previous")
    }
    assert all(0.0 <= p.micro_f1 <= 1.0 for p in curve.points)
    with pytest.raises(ValidationError):
        learning_curve(project, methods=("nope",))
    with pytest.raises(ValidationError):
        learning_curve(project, documents=["doc0"])


def test_cli_learning_curve_and_previous_model(project) -> None:
    import json

    from typer.testing import CliRunner

    from qualcode.cli.main import app

    _curve_project(project)
    run = CliRunner().invoke(
        app, ["autotag", "evaluate", "--by-document", "--repeats", "1", "--json", "--project", str(project.path)]
    )
    assert run.exit_code == 0, run.output
    data = json.loads(run.stdout)
    assert data["documents"] == 3 and {p["method"] for p in data["points"]} == {
        "model",
        "previous",
        "commonest",
        "keywords",
    }
    kw = next(p for p in data["points"] if (p["k"], p["level"], p["method"]) == (2, "theme", "keywords"))
    assert kw["micro_f1"] == 0.75 and kw["kappa"] == pytest.approx(0.5833, abs=1e-4)
    text = CliRunner().invoke(
        app, ["autotag", "evaluate", "--by-document", "--repeats", "1", "--max-k", "1", "--project", str(project.path)]
    )
    assert text.exit_code == 0 and "top theme" in text.stdout and "commonest" in text.stdout
    prev = CliRunner().invoke(
        app, ["autotag", "-m", "model", "--model", "previous", "--dry-run", "--json", "--project", str(project.path)]
    )
    assert prev.exit_code == 0, prev.output
    bad = CliRunner().invoke(app, ["autotag", "-m", "model", "--model", "nope", "--project", str(project.path)])
    assert bad.exit_code == 1 and "unknown model" in bad.output


def test_run_writes_backoff_provenance_and_respects_human_codings(project) -> None:
    from qualcode.autotag import AutotagOptions, autotag
    from qualcode.store import NewCoding

    money = project.codes.add("Money").id
    cost, pay = project.codes.add("Cost", parent="Money").id, project.codes.add("Pay", parent="Money").id
    meet = project.codes.add("Meetings").id
    texts, labels = _data()
    ids = {1: money, 2: cost, 3: pay, 4: meet}
    for name, chunk in (("coded", list(zip(texts, labels))), ("new", [(t, set()) for t in MONEY[:2] + MEETINGS[:2]])):
        body, turns = "", []
        for t, _ in chunk:
            s = len(body) + 3
            body += f"P: {t}\n"
            turns.append(ParsedTurn("P", s, s + len(t)))
        doc, _ = project.documents.add(ParsedDocument(name, "interview", body, turns))
        project.codings.add_many(
            [
                NewCoding(ids[c], doc.id, tr.start, tr.end, coder="ana")
                for (_, lab), tr in zip(chunk, turns)
                for c in lab
            ],
            summary="human",
        )
    res = autotag(project, AutotagOptions(methods=("model",)))
    rows = project.query("SELECT code_id, document_id, rule FROM codings WHERE origin = 'auto'")
    new = project.documents.find("new").id
    assert rows and all(r["rule"].startswith(res.model_id) for r in rows)
    # Human-coded units are never re-proposed (nor their themes: Money over a coded Cost).
    assert all(r["document_id"] == new for r in rows)
    assert {r["code_id"] for r in rows} <= {money, cost, pay, meet}
    assert project.runs.get(res.run_id).params["model"]["kind"] == "hierarchy"
