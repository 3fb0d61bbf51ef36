"""Evaluation against human coding, and the rule matcher on its own."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score, f1_score

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


def test_evaluate_scores_and_kappa_equal_sklearn(project, build_autotag) -> None:
    build_autotag(project, n_docs=24, coded_docs=24)
    ev = evaluate(project, folds=4, seed=0)
    assert ev.grouped and ev.units == 24 * 6
    assert [c.code for c in ev.scores.codes] == ["Feedback", "Meetings", "Money"]
    # Support is the hand count of human-coded turns per code.
    counts = {
        c: project.query(
            "SELECT count(*) AS n FROM codings c JOIN codes k ON k.id = c.code_id"
            " WHERE k.name = ? AND origin = 'manual'",
            [c],
        )[0]["n"]
        for c in ("Feedback", "Meetings", "Money")
    }
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


def test_evaluate_rejects_bad_input(project, build_autotag) -> None:
    with pytest.raises(ValidationError):
        evaluate(project)  # no human codings
    build_autotag(project, n_docs=4, coded_docs=4)
    with pytest.raises(ValidationError):
        evaluate(project, folds=1)
    with pytest.raises(ValidationError):
        evaluate(project, min_examples=1000)


def test_rule_syntax_exclusion_regex_wildcard() -> None:
    assert parse_keyword("-draft").exclude and parse_keyword("!draft").exclude
    assert parse_keyword("/a+b/").kind == "regex" and parse_keyword("feed*").kind == "wildcard"
    with pytest.raises(ValidationError):
        parse_keyword("/(unclosed/")
    m = RuleMatcher(
        [
            Code(1, "Feedback", path="Feedback", keywords=("late feedback", "-chocolate")),
            Code(2, "Dates", path="Dates", keywords=("/dead ?lines?/",)),
            Code(3, "Managers", path="Managers", keywords=("manag*", "line * boss")),
        ]
    )
    texts = [
        "Late feedback again",
        "late feedbacks",
        "late feedback and chocolate",
        "chocolatelate feedback",
        "Deadlines!",
        "the manager",
        "my line direct boss",
        "nothing here",
    ]
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


# --- The trained model: inner-fold tuning, label floor, calibration -------------------------------------------

from qualcode.autotag.classifier import C_GRID, ModelParams, inner_splits, train  # noqa: E402
from qualcode.autotag.evaluate import fold_min_examples  # noqa: E402

SIGNAL = {c: [f"sig{c}w{i}" for i in range(8)] for c in (1, 2, 3)}
NOISE = [f"noise{i}" for i in range(60)]


def synthetic(n: int, seed: int, *, uncoded: float = 0.0, flip: float = 0.15) -> tuple[list[str], list[set[int]]]:
    """Lemma-like texts whose words hint at codes; ``flip`` of the labels are swapped for another code.

    Label noise stands in for coder disagreement, so precision is well below 1
    and calibration has something to get right. ``uncoded`` units carry only
    noise words and no code.
    """
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(n):
        words = list(rng.choice(NOISE, 5))
        if rng.random() < uncoded:
            texts.append(" ".join(words))
            labels.append(set())
            continue
        true = {int(rng.integers(1, 4))}
        if rng.random() < 0.2:
            true.add(int(rng.integers(1, 4)))
        for c in true:
            words += [w for w in SIGNAL[c] if rng.random() < 0.25]
        rng.shuffle(words)
        given = {c if rng.random() >= flip else int(rng.integers(1, 4)) for c in true}
        texts.append(" ".join(words))
        labels.append(given)
    return texts, labels


def _truth(labels: list[set[int]], ids: list[int]) -> np.ndarray:
    return np.array([[c in lab for c in ids] for lab in labels])


def test_confidences_are_calibrated_probabilities() -> None:
    """Reliability check: accepted codings' mean confidence is close to how often they are right."""
    tr_x, tr_y = synthetic(900, seed=1)
    te_x, te_y = synthetic(900, seed=2)
    model = train(tr_x, tr_y, [1, 2, 3], ModelParams(seed=0))
    proba = model.probabilities(te_x)
    assert proba.min() >= 0.0 and proba.max() <= 1.0
    assert all(0.0 <= t <= 1.0 for t in model.thresholds.values())
    accepted = model.decisions(proba)
    truth = _truth(te_y, model.code_ids)
    precision = truth[accepted].mean()
    assert 0.4 < precision < 0.95  # the noise makes this a real test, not a trivially perfect model
    assert abs(proba[accepted].mean() - precision) < 0.05  # raw LR probabilities miss this band here
    # Over every unit x code pair the probabilities also match the base rate, and higher bins are right more often.
    assert abs(proba.mean() - truth.mean()) < 0.05
    low, high = truth[proba < 0.3].mean(), truth[proba >= 0.6].mean()
    assert low < 0.3 < 0.6 <= high + 0.1


def test_calibration_changes_confidences_not_decisions() -> None:
    tr_x, tr_y = synthetic(500, seed=3)
    te_x, _ = synthetic(300, seed=4)
    cal = train(tr_x, tr_y, [1, 2, 3], ModelParams(seed=0))
    raw = train(tr_x, tr_y, [1, 2, 3], ModelParams(seed=0, calibrate=False))
    assert cal.calibration is not None and raw.calibration is None
    assert cal.C == raw.C and (cal.floor is None) == (raw.floor is None)
    p_cal, p_raw = cal.probabilities(te_x), raw.probabilities(te_x)
    assert not np.allclose(p_cal, p_raw)
    assert (np.argsort(p_cal[:, 0]) == np.argsort(p_raw[:, 0])).mean() > 0.99  # a monotone map
    assert (cal.decisions(p_cal) == raw.decisions(p_raw)).all()


def test_c_is_chosen_from_the_grid_unless_fixed() -> None:
    x, y = synthetic(300, seed=5)
    assert train(x, y, [1, 2, 3], ModelParams()).C in C_GRID
    fixed = train(x, y, [1, 2, 3], ModelParams(C=3.0))
    assert fixed.C == 3.0 and fixed.classifier.estimators_[0].C == 3.0


def test_label_floor_when_units_nearly_always_coded() -> None:
    # Weak signal, every unit coded: thresholds alone leave units empty, the floor fills them.
    tr_x, tr_y = synthetic(600, seed=6, flip=0.3)
    te_x, _ = synthetic(300, seed=7, flip=0.3)
    floored = train(tr_x, tr_y, [1, 2, 3], ModelParams(seed=0))
    bare = train(tr_x, tr_y, [1, 2, 3], ModelParams(seed=0, floor=None))
    assert floored.floor is not None and bare.floor is None
    p = floored.probabilities(te_x)
    d = floored.decisions(p)
    assert d[p.max(1) >= floored.floor].any(1).all()
    assert d.any(1).sum() >= bare.decisions(bare.probabilities(te_x)).any(1).sum()
    # The floor adds only each empty unit's top code.
    plain = p >= np.array([floored.thresholds[c] for c in floored.code_ids])
    added = d & ~plain
    assert (added.sum(1) <= 1).all() and not (added.any(1) & plain.any(1)).any()
    assert (p[added] == p[added.any(1)].max(1)).all()


def test_no_floor_forced_on_mostly_uncoded_units() -> None:
    # Interview-like: 80% of units are small talk with no code; a floor would tag them all.
    tr_x, tr_y = synthetic(800, seed=8, uncoded=0.8)
    te_x, te_y = synthetic(800, seed=9, uncoded=0.8)
    model = train(tr_x, tr_y, [1, 2, 3], ModelParams(seed=0))
    d = model.decisions(model.probabilities(te_x))
    empty = np.array([not lab for lab in te_y])
    assert d[empty].any(1).mean() < 0.1


def test_fixed_threshold_means_just_that() -> None:
    x, y = synthetic(300, seed=10)
    model = train(x, y, [1, 2, 3], ModelParams(threshold=0.6))
    assert set(model.thresholds.values()) == {0.6} and model.floor is None
    p = model.probabilities(x)
    assert (model.decisions(p) == (p >= 0.6)).all()


def test_inner_splits_keep_documents_together() -> None:
    groups = [i // 4 for i in range(40)]  # 10 documents of 4 units
    splits = inner_splits(40, 3, 0, groups)
    seen = [i for _, te in splits for i in te]
    assert sorted(seen) == list(range(40))  # a partition
    for _, te in splits:
        docs = {groups[i] for i in te}
        assert sum(1 for g in groups if g in docs) == len(te)  # whole documents only
    assert len(inner_splits(40, 3, 0, [0, 1] * 20)) == 3  # too few documents: plain folds


def test_fold_min_examples_scales_with_folds(project, build_autotag) -> None:
    assert fold_min_examples(5, 5) == 4 and fold_min_examples(5, 2) == 3 and fold_min_examples(1, 5) == 1
    assert fold_min_examples(10, 10) == 9
    build_autotag(project, n_docs=12, coded_docs=12)
    ev = evaluate(project, folds=3, seed=0, method="previous")  # the previous model's C and floor
    assert [t.fold for t in ev.tuning] == [1, 2, 3]
    assert all(t.C in C_GRID and t.codes_modelled == 3 for t in ev.tuning)
    assert [t["fold"] for t in ev.to_json()["tuning"]] == [1, 2, 3]
