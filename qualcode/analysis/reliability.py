"""Agreement statistics: Cohen's kappa and Krippendorff's alpha (nominal).

Why our own ~60 lines instead of a dependency: both statistics are short,
and owning them lets "undefined" be an explicit ``None`` (sklearn returns NaN
with a warning) while keeping sklearn out of the import path. Both are
checked against ``sklearn.metrics.cohen_kappa_score`` and the
``krippendorff`` package, and against Krippendorff's (2011) worked example,
in ``tests/test_analysis_agreement.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qualcode.errors import ValidationError


# -- statistics ------------------------------------------------------------------
def cohen_kappa_table(both: float, only_a: float, only_b: float, neither: float) -> float | None:
    """Cohen's kappa from a 2×2 table of yes/no counts; ``None`` when undefined.

    Undefined means chance agreement is 1: both coders gave one and the same
    answer everywhere (sklearn returns NaN with a warning there).
    """
    both, only_a, only_b, neither = (int(round(x)) for x in (both, only_a, only_b, neither))
    n = both + only_a + only_b + neither  # integers: the test below must be exact, n² reaches 10¹²
    if n <= 0:
        return None
    expected = (both + only_a) * (both + only_b) + (neither + only_b) * (neither + only_a)
    if expected == n * n:
        return None
    po, pe = (both + neither) / n, expected / (n * n)
    return float((po - pe) / (1 - pe))


def _alpha_from_counts(counts: np.ndarray, weights: np.ndarray | None = None) -> float | None:
    """Nominal alpha from per-unit value counts (units × values), units weighted.

    Coincidence matrix: each unit with m ≥ 2 values adds n_c·n_k/(m-1) to
    o[c, k] (n_c·(n_c-1)/(m-1) on the diagonal); alpha = 1 - (n-1)·Σ_{c≠k} o
    / Σ_{c≠k} n_c·n_k (Krippendorff 2011, nominal metric).
    """
    counts = np.asarray(counts, dtype=float)
    w = np.ones(len(counts)) if weights is None else np.asarray(weights, dtype=float)
    m = counts.sum(axis=1)
    keep = (m >= 2) & (w > 0)
    counts, m, w = counts[keep], m[keep], w[keep]
    if not len(counts):
        return None
    scaled = counts * (w / (m - 1))[:, None]
    o = scaled.T @ counts - np.diag(scaled.sum(axis=0))
    n_c = o.sum(axis=1)
    n = n_c.sum()
    expected = n * n - (n_c**2).sum()
    if expected <= 1e-12:
        return None
    return float(1 - (n - 1) * (n - np.trace(o)) / expected)


def krippendorff_alpha_nominal(reliability_data: Sequence[Sequence[float]] | np.ndarray) -> float | None:
    """Krippendorff's alpha, nominal, for a coders × units matrix (NaN = missing).

    ``None`` when it is undefined (fewer than two values in the pairable data).
    """
    data = np.asarray(reliability_data, dtype=float)
    if data.ndim != 2:
        raise ValidationError("reliability data must be a coders × units matrix")
    values = np.unique(data[~np.isnan(data)])
    counts = np.stack([(data == v).sum(axis=0) for v in values], axis=1) if len(values) else np.zeros((0, 0))
    return _alpha_from_counts(counts)


def _alpha_binary(hist: np.ndarray) -> float | None:
    """Alpha from ``hist[m, k]`` = weight of units with m present coders, k of them saying yes."""
    ms, ks = np.nonzero(hist)
    counts = np.stack([ms - ks, ks], axis=1) if len(ms) else np.zeros((0, 2))
    return _alpha_from_counts(counts, hist[ms, ks])


__all__ = ["cohen_kappa_table", "krippendorff_alpha_nominal"]
