"""A multi-label classifier trained on the project's own human codings.

Why this design: TF-IDF over lemmas with one logistic regression per code is
fast, needs no downloads, and gives probabilities a reviewer can sort by.
A fixed 0.5 cut-off would be wrong for rare codes (their probabilities rarely
reach it), so each code's threshold is chosen on out-of-fold predictions of
the training data, where it maximises that code's F1. Codes with too few
examples are not modelled at all (and reported), because a threshold tuned
on three positives is noise.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True, slots=True)
class ModelParams:
    """Everything that changes what the model predicts (and so its id)."""

    min_examples: int = 5
    C: float = 10.0
    ngram_max: int = 2
    min_df: int = 1
    cv_folds: int = 3
    seed: int = 0
    threshold: float | None = None  # a fixed threshold for every code instead of tuned ones
    char_ngrams: bool = True  # add character 3-5-grams: short answers share stems, not words
    class_weight: str | None = None  # "balanced" trades micro-F1 and calibration for rare-code recall


@dataclass(slots=True)
class TrainedModel:
    """A fitted vectoriser and classifier with per-code thresholds."""

    model_id: str
    params: ModelParams
    code_ids: list[int]
    thresholds: dict[int, float]
    skipped: dict[int, int] = field(default_factory=dict)  # code id -> positive examples
    vectorizer: Any = None
    classifier: Any = None

    def probabilities(self, lemma_texts: Sequence[str]) -> "np.ndarray":
        """An (n units x n modelled codes) probability matrix."""
        import numpy as np

        if not self.code_ids:
            return np.zeros((len(lemma_texts), 0))
        return self.predict_matrix(self.vectorizer.transform(lemma_texts))

    def predict_matrix(self, X: Any) -> "np.ndarray":
        """Probabilities for an already vectorised matrix (benchmarks use this)."""
        proba = self.classifier.predict_proba(X)
        # One modelled code: a plain binary classifier, keep P(positive).
        return proba[:, 1:2] if len(self.code_ids) == 1 else proba

    def decisions(self, proba: "np.ndarray") -> "np.ndarray":
        """Boolean matrix: probability at or above each code's threshold."""
        import numpy as np

        cut = np.array([self.thresholds[c] for c in self.code_ids])
        return proba >= cut[None, :]


def lemmatise(texts: Sequence[str]) -> list[str]:
    """Vectoriser input: lower-case lemmas of alphabetic tokens."""
    from qualcode.text import lemma_text_many

    return lemma_text_many(texts)


def model_id(lemma_texts: Sequence[str], labels: Sequence[set[int]], code_ids: Sequence[int], params: ModelParams) -> str:
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


def train(
    lemma_texts: Sequence[str],
    labels: Sequence[set[int]],
    code_ids: Sequence[int],
    params: ModelParams = ModelParams(),
) -> TrainedModel:
    """Fit TF-IDF + one-vs-rest logistic regression; tune thresholds by CV.

    Args:
        lemma_texts: one lemmatised text per training unit (see :func:`lemmatise`).
        labels: the code ids a human gave each unit (empty set: a negative).
        code_ids: the candidate codes; those with fewer than
            ``params.min_examples`` positive units are skipped.
        params: hyper-parameters, seed and fixed threshold.
    """
    import numpy as np

    counts = {c: sum(1 for lab in labels if c in lab) for c in code_ids}
    keep = [c for c in code_ids if counts[c] >= params.min_examples and counts[c] < len(labels)]
    skipped = {c: counts[c] for c in code_ids if c not in keep}
    mid = model_id(lemma_texts, labels, code_ids, params)
    if not keep:
        return TrainedModel(mid, params, [], {}, skipped)

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold, cross_val_predict
    from sklearn.multiclass import OneVsRestClassifier

    from qualcode.text import TRANSCRIPT_FILLERS

    Y = np.array([[1 if c in lab else 0 for c in keep] for lab in labels], dtype=np.int8)
    words = TfidfVectorizer(
        ngram_range=(1, params.ngram_max),
        min_df=params.min_df,
        sublinear_tf=True,
        stop_words=[w for w in TRANSCRIPT_FILLERS if w.isalpha()],
        token_pattern=r"(?u)\b\w+\b",
    )
    if params.char_ngrams:
        from sklearn.pipeline import FeatureUnion

        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=max(2, params.min_df),
                                sublinear_tf=True)
        vectorizer: Any = FeatureUnion([("words", words), ("chars", chars)])
    else:
        vectorizer = words
    X = vectorizer.fit_transform(lemma_texts)

    single = len(keep) == 1
    target = Y[:, 0] if single else Y

    def make() -> Any:
        lr = LogisticRegression(C=params.C, solver="liblinear", max_iter=1000, class_weight=params.class_weight)
        return lr if single else OneVsRestClassifier(lr)

    if params.threshold is not None:
        thresholds = {c: float(params.threshold) for c in keep}
    else:
        folds = min(params.cv_folds, len(labels))
        if folds >= 2:
            import warnings

            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # a fold without positives for a code is expected
                    oof = cross_val_predict(
                        make(), X, target, cv=KFold(folds, shuffle=True, random_state=params.seed),
                        method="predict_proba",
                    )
                oof = oof[:, 1:2] if single else oof
                thresholds = {c: best_threshold(Y[:, k], oof[:, k]) for k, c in enumerate(keep)}
            except ValueError:  # a lone code whose positives all fell in one fold
                thresholds = {c: 0.5 for c in keep}
        else:  # pragma: no cover - a single training unit
            thresholds = {c: 0.5 for c in keep}
    classifier = make().fit(X, target)
    return TrainedModel(mid, params, keep, thresholds, skipped, vectorizer, classifier)
