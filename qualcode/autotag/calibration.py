"""Reliability of stated confidences: does "0.8" mean the human agrees 8 times in 10?

Why its own module: both evaluations (K-fold and the learning curve) print
the same reliability curve, and neither should import the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    """Model confidences in ``[lower, upper)`` and how often the human agreed."""

    lower: float
    upper: float
    n: int
    mean_confidence: float
    observed: float


def reliability(conf: "np.ndarray", truth: "np.ndarray", bins: int = 10) -> list[ReliabilityBin]:
    """Equal-width bins of confidence with the observed share of human yes in each (empty bins left out)."""
    import numpy as np

    c, t = np.asarray(conf, dtype=float).ravel(), np.asarray(truth, dtype=float).ravel()
    out = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        m = (c >= lo) & ((c < hi) if b < bins - 1 else (c <= hi))
        if m.any():
            out.append(ReliabilityBin(lo, hi, int(m.sum()), float(c[m].mean()), float(t[m].mean())))
    return out


def expected_calibration_error(bins: Sequence[ReliabilityBin]) -> float:
    """Mean |confidence - observed| weighted by bin size."""
    total = sum(b.n for b in bins)
    return sum(b.n * abs(b.mean_confidence - b.observed) for b in bins) / total if total else 0.0
