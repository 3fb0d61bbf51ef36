"""Evaluation against human coding, and the rule matcher on its own."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score, f1_score

from test_autotag_helpers import build
from qualcode.autotag import cohen_kappa, evaluate
from qualcode.autotag.classifier import best_threshold
from qualcode.autotag.rules import RuleMatcher, parse_keyword
from qualcode.errors import ValidationError
from qualcode.model import Code


def test_kappa_matches_sklearn_on_random_matrices() -> None:
    rng = np.random.default_rng(0)
    for _ in range(20):
        a = rng.random((50, 4)) < rng.random()
        b = np.where(rng.random((50, 4)) < 0.7, a, ~a)
        assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a.ravel(), b.ravel()))


def test_evaluate_scores_and_kappa_equal_sklearn(project) -> None:
    build(project, n_docs=24, coded_docs=24)
    ev = evaluate(project, folds=4, seed=0)
    assert ev.grouped and ev.units == 24 * 6
    assert [c.code for c in ev.scores.codes] == ["Feedback", "Meetings", "Money"]
    # Support is the hand count of human-coded turns per code.
    counts = {c: project.query("SELECT count(*) AS n FROM codings c JOIN codes k ON k.id = c.code_id"
                               " WHERE k.name = ? AND origin = 'manual'", [c])[0]["n"] for c in ("Feedback", "Meetings", "Money")}
    assert {c.code: c.support for c in ev.scores.codes} == counts
    assert ev.scores.kappa == pytest.approx(cohen_kappa_score(ev.y_true.ravel(), ev.y_pred.ravel()))
    assert ev.scores.micro_f1 == pytest.approx(f1_score(ev.y_true, ev.y_pred, average="micro"))
    assert ev.scores.macro_f1 == pytest.approx(f1_score(ev.y_true, ev.y_pred, average="macro", zero_division=0))
    # The topics are separable: the model beats both baselines.
    assert ev.scores.macro_f1 > ev.baselines["keywords"].macro_f1 > ev.baselines["majority"].macro_f1
    data = ev.to_json()
    assert set(data) >= {"micro_f1", "macro_f1", "kappa", "codes", "baselines"}
    assert set(data["baselines"]) == {"majority", "keywords"}
    assert set(data["codes"][0]) == {"code", "precision", "recall", "f1", "support"}


def test_evaluate_rejects_bad_input(project) -> None:
    with pytest.raises(ValidationError):
        evaluate(project)  # no human codings
    build(project, n_docs=4, coded_docs=4)
    with pytest.raises(ValidationError):
        evaluate(project, folds=1)
    with pytest.raises(ValidationError):
        evaluate(project, min_examples=1000)


def test_rule_syntax_exclusion_regex_wildcard() -> None:
    assert parse_keyword("-draft").exclude and parse_keyword("!draft").exclude
    assert parse_keyword("/a+b/").kind == "regex" and parse_keyword("feed*").kind == "wildcard"
    with pytest.raises(ValidationError):
        parse_keyword("/(unclosed/")
    m = RuleMatcher([
        Code(1, "Feedback", path="Feedback", keywords=("late feedback", "-chocolate")),
        Code(2, "Dates", path="Dates", keywords=("/dead ?lines?/",)),
        Code(3, "Managers", path="Managers", keywords=("manag*", "line * boss")),
    ])
    texts = ["Late feedback again", "late feedbacks", "late feedback and chocolate", "chocolatelate feedback",
             "Deadlines!", "the manager", "my line direct boss", "nothing here"]
    hits = {(h.unit, h.code_id): h for h in m.match(texts)}
    assert hits[(0, 1)].rule == "kw:late feedback" and hits[(0, 1)].confidence == 1.0
    assert hits[(1, 1)].rule == "lemma:late feedback" and hits[(1, 1)].confidence == 0.9
    assert (2, 1) not in hits  # excluded
    assert (3, 1) not in hits  # whole tokens only
    assert hits[(4, 2)].rule == "re:dead ?lines?"
    assert hits[(5, 3)].rule == "wc:manag*" and hits[(6, 3)].rule == "wc:line * boss"
    assert not any(u == 7 for u, _ in hits)


def test_best_threshold_maximises_f1() -> None:
    y = np.array([1, 1, 1, 0, 0, 0, 0])
    p = np.array([0.9, 0.4, 0.35, 0.3, 0.2, 0.1, 0.05])
    t = best_threshold(y, p)
    assert 0.3 < t <= 0.35  # catches all three positives and no negative
