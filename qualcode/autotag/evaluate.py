"""How well would the auto-tagger have reproduced the human coding?

Why K-fold by document: units of one interview share words, speakers and
topics; letting a document's units fall on both sides of a split would
flatter the model. ``GroupKFold`` keeps each document in one fold (plain
``KFold`` over units only when there are fewer documents than folds).

Every score is over unit × code decisions for the evaluated codes (codes
with at least ``min_examples`` human-coded units). ``model`` is the
hierarchy-aware tagger (trained on the whole codebook; its proposals on
codes outside the evaluated ones are not scored), ``previous`` the
one-vs-rest logistic model it replaced. For the model, the reliability
curve bins its calibrated confidences over every (test unit, modelled
code) pair against the human coding (a unit has a theme when it has a
code under it). Two baselines sit
beside the model: ``majority`` gives every unit the most frequent code of
the training folds; ``keywords`` applies the codebook's keyword rules (a
code's name stands in as its keyword when it has none).

Why the model's minimum example count is scaled per fold: a code is
evaluated when the whole project has ``min_examples`` coded units, and
``autotag`` would model it then; a training fold holds only (K-1)/K of
them, so insisting on the full count there would silently drop the rarest
evaluated codes from every fold and score them 0. The fold's model uses
``ceil(min_examples * (K-1) / K)`` instead (4 for the defaults).

Everything the model tunes (C, thresholds, label floor, calibration) is
tuned inside :func:`qualcode.autotag.classifier.train` on inner folds of
the outer training fold, grouped by document, so the outer test fold is
never seen while choosing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.errors import ValidationError

if TYPE_CHECKING:
    import numpy as np

    from qualcode.store import Project

Progress = Any


@dataclass(frozen=True, slots=True)
class CodeScore:
    """Precision, recall and F1 of one code; support = human-coded units."""

    code: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(slots=True)
class Scores:
    """Scores of one predictor against the human coding."""

    micro_f1: float
    macro_f1: float
    kappa: float
    codes: list[CodeScore]

    def to_json(self) -> dict[str, Any]:
        return {
            "micro_f1": round(self.micro_f1, 4),
            "macro_f1": round(self.macro_f1, 4),
            "kappa": round(self.kappa, 4),
            "codes": [
                {
                    "code": c.code,
                    "precision": round(c.precision, 4),
                    "recall": round(c.recall, 4),
                    "f1": round(c.f1, 4),
                    "support": c.support,
                }
                for c in self.codes
            ],
        }


@dataclass(frozen=True, slots=True)
class FoldTuning:
    """What the model chose on one outer fold's inner folds (None: nothing modelled)."""

    fold: int
    C: float | None
    floor: float | None
    codes_modelled: int


@dataclass(slots=True)
class Evaluation:
    """Cross-validated scores of a method, with baselines and the raw decisions."""

    method: str
    folds: int
    grouped: bool
    units: int
    scores: Scores
    baselines: dict[str, Scores]
    skipped_codes: dict[str, int] = field(default_factory=dict)
    code_ids: list[int] = field(default_factory=list)
    y_true: Any = None  # (units x codes) 0/1 matrix, kept for checks and plots
    y_pred: Any = None
    tuning: list[FoldTuning] = field(default_factory=list)
    reliability: list[Any] = field(default_factory=list)  # curve.ReliabilityBin, model methods only

    def to_json(self) -> dict[str, Any]:
        """The scripting contract of ``qualcode autotag evaluate --json``."""
        out = self.scores.to_json()
        out.update(
            {
                "method": self.method,
                "folds": self.folds,
                "grouped_by_document": self.grouped,
                "units": self.units,
                "skipped_codes": self.skipped_codes,
                "baselines": {name: s.to_json() for name, s in self.baselines.items()},
                "tuning": [
                    {
                        "fold": t.fold,
                        "C": t.C,
                        "floor": None if t.floor is None else round(t.floor, 4),
                        "codes_modelled": t.codes_modelled,
                    }
                    for t in self.tuning
                ],
                "reliability": [
                    {
                        "lower": b.lower,
                        "upper": b.upper,
                        "n": b.n,
                        "mean_confidence": round(b.mean_confidence, 4),
                        "observed": round(b.observed, 4),
                    }
                    for b in self.reliability
                ],
            }
        )
        return out


def cohen_kappa(y_true: "np.ndarray", y_pred: "np.ndarray") -> float:
    """Cohen's kappa over every (unit, code) yes/no decision, flattened."""
    import numpy as np

    a = np.asarray(y_true, dtype=bool).ravel()
    b = np.asarray(y_pred, dtype=bool).ravel()
    n = a.size
    if n == 0:
        return 0.0
    po = float((a == b).mean())
    pa, pb = a.mean(), b.mean()
    pe = float(pa * pb + (1 - pa) * (1 - pb))
    if pe >= 1.0:
        return 1.0 if po == 1.0 else 0.0
    return (po - pe) / (1 - pe)


def score(y_true: "np.ndarray", y_pred: "np.ndarray", code_names: list[str]) -> Scores:
    """Per-code and micro/macro scores plus kappa for 0/1 matrices."""
    import numpy as np
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    y_true = np.asarray(y_true, dtype=int)
    y_pred = np.asarray(y_pred, dtype=int)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0)
    codes = [
        CodeScore(n, float(pi), float(ri), float(fi), int(si)) for n, pi, ri, fi, si in zip(code_names, p, r, f, s)
    ]
    micro = float(f1_score(y_true, y_pred, average="micro", zero_division=0))
    macro = float(np.mean(f)) if len(f) else 0.0
    return Scores(micro, macro, cohen_kappa(y_true, y_pred), codes)


def fold_min_examples(min_examples: int, folds: int) -> int:
    """The positive units a code needs in one training fold: ``min_examples`` scaled by (K-1)/K."""
    return max(1, math.ceil(min_examples * (folds - 1) / folds))


def evaluate(
    project: "Project",
    *,
    folds: int = 5,
    unit: str = "turn",
    method: str = "model",
    seed: int = 0,
    min_examples: int = 5,
    include_interviewer: bool = False,
    on_progress: Progress = None,
) -> Evaluation:
    """Cross-validate ``method`` (model, rules or all) against the human codings.

    Raises:
        ValidationError: too few folds, no human codings, no code with
            enough examples, or an unknown method.
    """
    import numpy as np
    from sklearn.model_selection import GroupKFold, KFold

    from qualcode.autotag.calibration import reliability
    from qualcode.autotag.classifier import ModelParams, lemmatise, train
    from qualcode.autotag.evidence import CodeTree
    from qualcode.autotag.rules import RuleMatcher
    from qualcode.autotag.run import training_set
    from qualcode.autotag.tagger import TaggerParams, train_tagger

    if method not in ("model", "previous", "rules", "all"):
        raise ValidationError(f"cannot evaluate method {method!r}; use model, previous, rules or all")
    if folds < 2:
        raise ValidationError("evaluation needs at least 2 folds")
    units, labels = training_set(project, unit, include_interviewer)
    if not units:
        raise ValidationError("no confirmed manual codings to evaluate against; code some documents first")
    all_codes = project.codes.all()
    counts = {c.id: sum(1 for lab in labels if c.id in lab) for c in all_codes}
    codes = [c for c in all_codes if counts[c.id] >= min_examples]
    skipped = {c.path: counts[c.id] for c in all_codes if 0 < counts[c.id] < min_examples}
    if not codes:
        raise ValidationError(f"no code has {min_examples} or more human-coded {unit}s; nothing to evaluate")
    ids = [c.id for c in codes]
    col = {cid: k for k, cid in enumerate(ids)}
    n = len(units)
    Y = np.zeros((n, len(ids)), dtype=np.int8)
    for i, lab in enumerate(labels):
        for cid in lab:
            if cid in col:
                Y[i, col[cid]] = 1
    groups = np.array([u.document_id for u in units])
    grouped = len(set(groups.tolist())) >= folds
    if not grouped and n < folds:
        raise ValidationError(f"only {n} units: fewer than the {folds} folds asked for")
    splitter = (
        GroupKFold(folds, shuffle=True, random_state=seed) if grouped else KFold(folds, shuffle=True, random_state=seed)
    )

    texts = [u.text for u in units]
    rules = np.zeros_like(Y)
    for h in RuleMatcher(codes, names_as_keywords=True).match(texts):
        rules[h.unit, col[h.code_id]] = 1
    lemmas = np.array(lemmatise(texts), dtype=object) if method != "rules" else None
    pred = np.zeros_like(Y)
    majority = np.zeros_like(Y)
    params = ModelParams(min_examples=fold_min_examples(min_examples, folds), seed=seed)
    tuning: list[FoldTuning] = []
    confs: list[Any] = []
    truths: list[Any] = []
    tree = CodeTree.of(all_codes)
    splits = list(splitter.split(np.zeros(n), Y, groups if grouped else None))
    for k, (tr, te) in enumerate(splits, 1):
        majority[te, int(Y[tr].sum(0).argmax())] = 1
        if lemmas is not None and method != "previous":
            tagger = train_tagger(
                list(lemmas[tr]),
                [labels[i] for i in tr],
                all_codes,
                TaggerParams(seed=seed),
                groups=groups[tr].tolist(),
            )
            tuning.append(FoldTuning(k, None, None, len(tagger.code_ids)))
            for p in tagger.propose(list(lemmas[te]), [texts[i] for i in te]):
                if p.code_id in col:
                    pred[te[p.unit], col[p.code_id]] = 1
            if tagger.code_ids:
                confs.append(tagger.scores(tagger.vectorizer.transform(list(lemmas[te]))).ravel())
                expanded = [tree.expand(labels[i]) for i in te]
                truths.append(np.array([[c in lab for c in tagger.code_ids] for lab in expanded]).ravel())
        elif lemmas is not None:
            model = train(list(lemmas[tr]), [labels[i] for i in tr], ids, params, groups=groups[tr].tolist())
            tuning.append(FoldTuning(k, model.C, model.floor, len(model.code_ids)))
            if model.code_ids:
                decided = model.decisions(model.probabilities(list(lemmas[te])))
                cols = [col[c] for c in model.code_ids]
                pred[np.ix_(te, cols)] = decided.astype(np.int8)
        if on_progress:
            on_progress(k, len(splits))
    if method == "rules":
        pred = rules.copy()
    elif method == "all":
        pred = np.maximum(pred, rules)
    rel = reliability(np.concatenate(confs), np.concatenate(truths)) if confs else []
    names = [c.path for c in codes]
    return Evaluation(
        method,
        folds,
        grouped,
        n,
        score(Y, pred, names),
        {"majority": score(Y, majority, names), "keywords": score(Y, rules, names)},
        skipped,
        ids,
        Y,
        pred,
        tuning,
        rel,
    )
