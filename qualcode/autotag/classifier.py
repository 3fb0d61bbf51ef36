"""A multi-label classifier trained on the project's own human codings.

Why this design: TF-IDF over lemmas (word 1-2-grams and character
3-5-grams) with one logistic regression per code is fast, needs no
downloads, and gives probabilities a reviewer can sort by. Everything that
is tuned is tuned on *inner* out-of-fold (OOF) predictions of the training
units only, never on the units being predicted or evaluated:

- **Per-code thresholds.** A fixed 0.5 cut-off would be wrong for rare
  codes (their probabilities rarely reach it), so each code's threshold
  maximises that code's F1 on the OOF probabilities.
- **Regularisation.** ``C`` is picked from a small grid (:data:`C_GRID`).
- **Label floor.** Short answers (survey free text) nearly always carry a
  code, but rare codes seldom pass their threshold, so many units would get
  none. The floor gives a unit with no code its single most probable code
  when that probability is at least the floor. Whether to use a floor, and
  which, is chosen from :data:`FLOOR_GRID` (``None`` = no floor): for
  interview turns, where most units are uncoded, the OOF data says "no".
- **Honest selection.** Choosing C and the floor on the same OOF
  predictions the thresholds were fitted to would favour whatever fitted
  them best, so candidates are compared on *cross-fitted* decisions: the
  units of each inner fold are cut by thresholds tuned on the other folds.
  The criterion is micro-F1 + macro-F1 (frequent and rare codes both count).
- **Calibration.** Confidences written on codings must be probabilities a
  reviewer can trust, so one sigmoid (Platt scaling, what scikit-learn's
  ``CalibratedClassifierCV(method="sigmoid", ensemble=False)`` fits) maps
  the model's probability to the observed OOF frequency, over all codes
  pooled (per-code fits on five positives would be noise). The map is
  monotone, so it changes no decision; thresholds and floor are stored on
  the calibrated scale, the one confidences and ``--threshold`` use.

Codes with too few examples are not modelled at all (and reported), because
a threshold tuned on three positives is noise.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

C_GRID: tuple[float, ...] = (1.0, 10.0, 100.0)
FLOOR_GRID: tuple[float | None, ...] = (None, 0.0, 0.05, 0.1, 0.2)
_EPS = 1e-6


@dataclass(frozen=True, slots=True)
class ModelParams:
    """Everything that changes what the model predicts (and so its id)."""

    min_examples: int = 5
    C: float | None = None  # None: chosen from C_GRID on inner folds
    ngram_max: int = 2
    min_df: int = 1
    cv_folds: int = 3
    seed: int = 0
    threshold: float | None = None  # a fixed (calibrated) threshold for every code instead of tuned ones
    char_ngrams: bool = True  # add character 3-5-grams: short answers share stems, not words
    class_weight: str | None = None  # "balanced" trades micro-F1 for rare-code recall
    floor: float | str | None = "auto"  # "auto": chosen from FLOOR_GRID; None: never; a number: that floor
    calibrate: bool = True  # Platt-scale probabilities on the inner OOF predictions


@dataclass(frozen=True, slots=True)
class Calibration:
    """``p' = sigmoid(a * logit(p) + b)``: a monotone map (a > 0) of raw probabilities."""

    a: float = 1.0
    b: float = 0.0

    def __call__(self, p: "np.ndarray") -> "np.ndarray":
        import numpy as np
        from scipy.special import expit, logit

        p = np.asarray(p, dtype=float)
        out = expit(self.a * logit(np.clip(p, _EPS, 1 - _EPS)) + self.b)
        # Keep the ends exact: a raw 0 (a floor of 0.0) stays 0.
        return np.where(p <= 0.0, 0.0, np.where(p >= 1.0, 1.0, out))


@dataclass(slots=True)
class TrainedModel:
    """A fitted vectoriser and classifier with per-code thresholds (calibrated scale)."""

    model_id: str
    params: ModelParams
    code_ids: list[int]
    thresholds: dict[int, float]
    skipped: dict[int, int] = field(default_factory=dict)  # code id -> positive examples
    vectorizer: Any = None
    classifier: Any = None
    C: float | None = None  # the C actually used
    floor: float | None = None  # on the calibrated scale; None: no floor
    calibration: Calibration | None = None

    def probabilities(self, lemma_texts: Sequence[str]) -> "np.ndarray":
        """An (n units x n modelled codes) matrix of calibrated probabilities."""
        import numpy as np

        if not self.code_ids:
            return np.zeros((len(lemma_texts), 0))
        return self.predict_matrix(self.vectorizer.transform(lemma_texts))

    def predict_matrix(self, X: Any) -> "np.ndarray":
        """Calibrated probabilities for an already vectorised matrix (benchmarks use this)."""
        proba = self.classifier.predict_proba(X)
        # One modelled code: a plain binary classifier, keep P(positive).
        proba = proba[:, 1:2] if len(self.code_ids) == 1 else proba
        return self.calibration(proba) if self.calibration is not None else proba

    def decisions(self, proba: "np.ndarray") -> "np.ndarray":
        """Boolean matrix: probability at or above each code's threshold, plus the floor."""
        import numpy as np

        cut = np.array([self.thresholds[c] for c in self.code_ids])
        return apply_floor(proba, proba >= cut[None, :], self.floor)


def apply_floor(proba: "np.ndarray", decided: "np.ndarray", floor: float | None) -> "np.ndarray":
    """Give each unit without a code its top code when that probability reaches ``floor``."""
    import numpy as np

    if floor is None or proba.shape[1] == 0:
        return decided
    out = decided.copy()
    empty = ~out.any(axis=1) & (proba.max(axis=1) >= floor)
    rows = np.flatnonzero(empty)
    out[rows, proba[rows].argmax(axis=1)] = True
    return out


def lemmatise(texts: Sequence[str]) -> list[str]:
    """Vectoriser input: lower-case lemmas of alphabetic tokens."""
    from qualcode.text import lemma_text_many

    return lemma_text_many(texts)


def model_id(
    lemma_texts: Sequence[str], labels: Sequence[set[int]], code_ids: Sequence[int], params: ModelParams
) -> str:
    """A content hash of training data and parameters, recorded on each coding."""
    h = hashlib.sha256()
    h.update(json.dumps(asdict(params), sort_keys=True).encode())
    h.update(json.dumps(sorted(code_ids)).encode())
    for text, lab in zip(lemma_texts, labels):
        h.update(text.encode())
        h.update(b"\x1f" + ",".join(str(c) for c in sorted(lab)).encode() + b"\x1e")
    return "model:" + h.hexdigest()[:12]


def best_threshold(y: "np.ndarray", p: "np.ndarray") -> float:
    """The threshold maximising F1 of ``p >= t`` against ``y``.

    Ties are broken by taking the median of the best thresholds, which stays
    away from the edge of a plateau.
    """
    import numpy as np

    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
    pred = p[:, None] >= grid[None, :]
    pos = y.astype(bool)[:, None]
    tp = (pred & pos).sum(0)
    fp = (pred & ~pos).sum(0)
    fn = (~pred & pos).sum(0)
    denom = 2 * tp + fp + fn
    f1 = np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)
    if f1.max() <= 0:
        return 0.5
    best = grid[f1 == f1.max()]
    return float(best[len(best) // 2])


def micro_macro_f1(Y: "np.ndarray", D: "np.ndarray") -> tuple[float, float]:
    """Micro- and macro-F1 of a 0/1 decision matrix (a code never seen nor predicted scores 0)."""
    import numpy as np

    y, d = np.asarray(Y, dtype=bool), np.asarray(D, dtype=bool)
    tp, fp, fn = (y & d).sum(0), (~y & d).sum(0), (y & ~d).sum(0)
    denom = 2 * tp + fp + fn
    per = np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)
    micro = 2 * tp.sum() / max(1, denom.sum())
    return float(micro), float(per.mean()) if per.size else 0.0


def inner_splits(n: int, folds: int, seed: int, groups: Sequence[Any] | None = None) -> list[tuple[Any, Any]]:
    """Inner CV folds over the training units: grouped (by document) when there are enough groups.

    Why grouped: units of one document share wording; tuning thresholds on
    folds that split a document would make them look better than they are.
    """
    import numpy as np
    from sklearn.model_selection import GroupKFold, KFold

    dummy = np.zeros(n)
    if groups is not None and len(set(groups)) >= folds:
        return list(GroupKFold(folds, shuffle=True, random_state=seed).split(dummy, groups=np.asarray(groups)))
    return list(KFold(folds, shuffle=True, random_state=seed).split(dummy))


def crossfit_decisions(oof: "np.ndarray", Y: "np.ndarray", splits: Sequence[tuple[Any, Any]]) -> "np.ndarray":
    """OOF decisions where each fold is cut by thresholds tuned on the other folds only."""
    import numpy as np

    D = np.zeros(oof.shape, dtype=bool)
    for tr, te in splits:
        cut = np.array([best_threshold(Y[tr, k], oof[tr, k]) for k in range(Y.shape[1])])
        D[te] = oof[te] >= cut[None, :]
    return D


def fit_calibration(oof: "np.ndarray", Y: "np.ndarray") -> Calibration | None:
    """One Platt sigmoid over every (unit, code) OOF probability; None when it cannot be fitted."""
    import numpy as np
    from scipy.special import logit
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(Y).ravel()
    if y.min() == y.max():
        return None
    z = logit(np.clip(np.asarray(oof, dtype=float).ravel(), _EPS, 1 - _EPS)).reshape(-1, 1)
    lr = LogisticRegression(C=1e4, max_iter=1000).fit(z, y)
    a, b = float(lr.coef_[0, 0]), float(lr.intercept_[0])
    return Calibration(a, b) if a > 0 else None  # a <= 0 would reverse the ranking: keep raw probabilities


def _vectorizer(params: ModelParams) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from qualcode.text import TRANSCRIPT_FILLERS

    words = TfidfVectorizer(
        ngram_range=(1, params.ngram_max),
        min_df=params.min_df,
        sublinear_tf=True,
        stop_words=[w for w in TRANSCRIPT_FILLERS if w.isalpha()],
        token_pattern=r"(?u)\b\w+\b",
    )
    if not params.char_ngrams:
        return words
    from sklearn.pipeline import FeatureUnion

    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=max(2, params.min_df), sublinear_tf=True)
    return FeatureUnion([("words", words), ("chars", chars)])


def train(
    lemma_texts: Sequence[str],
    labels: Sequence[set[int]],
    code_ids: Sequence[int],
    params: ModelParams = ModelParams(),
    *,
    groups: Sequence[Any] | None = None,
) -> TrainedModel:
    """Fit TF-IDF + one-vs-rest logistic regression; tune C, floor, thresholds and calibration on inner folds.

    Args:
        lemma_texts: one lemmatised text per training unit (see :func:`lemmatise`).
        labels: the code ids a human gave each unit (empty set: a negative).
        code_ids: the candidate codes; those with fewer than
            ``params.min_examples`` positive units are skipped.
        params: hyper-parameters, seed and fixed threshold.
        groups: optional group (document) of each unit, so inner folds keep
            a document's units together.
    """
    import warnings

    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from sklearn.multiclass import OneVsRestClassifier

    counts = {c: sum(1 for lab in labels if c in lab) for c in code_ids}
    keep = [c for c in code_ids if counts[c] >= params.min_examples and counts[c] < len(labels)]
    skipped = {c: counts[c] for c in code_ids if c not in keep}
    mid = model_id(lemma_texts, labels, code_ids, params)
    if not keep:
        return TrainedModel(mid, params, [], {}, skipped)

    Y = np.array([[1 if c in lab else 0 for c in keep] for lab in labels], dtype=np.int8)
    vectorizer = _vectorizer(params)
    X = vectorizer.fit_transform(lemma_texts)
    single = len(keep) == 1
    target = Y[:, 0] if single else Y

    def make(C: float) -> Any:
        lr = LogisticRegression(C=C, solver="liblinear", max_iter=1000, class_weight=params.class_weight)
        return lr if single else OneVsRestClassifier(lr)

    grid = [float(params.C)] if params.C is not None else list(C_GRID)
    floors: list[float | None]
    if params.floor == "auto":
        floors = [None] if params.threshold is not None else list(FLOOR_GRID)  # a fixed threshold means just that
    else:
        floors = [None if params.floor is None else float(params.floor)]
    folds = min(params.cv_folds, len(labels))
    tuned = len(grid) > 1 or len(floors) > 1 or params.threshold is None or params.calibrate
    best: tuple[float, float, float | None, Any] | None = None  # score, C, raw floor, OOF
    if tuned and folds >= 2:
        splits = inner_splits(len(labels), folds, params.seed, groups)
        for C in grid:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # a fold without positives for a code is expected
                    oof = cross_val_predict(make(C), X, target, cv=splits, method="predict_proba")
            except ValueError:  # a lone code whose positives all fell in one fold
                continue
            oof = oof[:, 1:2] if single else oof
            D = crossfit_decisions(oof, Y, splits)
            for fl in floors:
                score = sum(micro_macro_f1(Y, apply_floor(oof, D, fl)))
                if best is None or score > best[0] + 1e-9:
                    best = (score, C, fl, oof)
    if best is None:  # no usable inner folds: the first candidates, no tuning
        C, raw_floor, oof = grid[0], floors[0], None
    else:
        _, C, raw_floor, oof = best
    calibration = fit_calibration(oof, Y) if (params.calibrate and oof is not None) else None
    to_conf = calibration if calibration is not None else (lambda p: np.asarray(p, dtype=float))
    if params.threshold is not None:
        thresholds = {c: float(params.threshold) for c in keep}  # already on the confidence scale
    elif oof is not None:
        thresholds = {c: float(to_conf(np.array([best_threshold(Y[:, k], oof[:, k])]))[0]) for k, c in enumerate(keep)}
    else:
        thresholds = {c: float(to_conf(np.array([0.5]))[0]) for c in keep}
    floor = None if raw_floor is None else float(to_conf(np.array([raw_floor]))[0])
    classifier = make(C).fit(X, target)
    return TrainedModel(mid, params, keep, thresholds, skipped, vectorizer, classifier, C, floor, calibration)
