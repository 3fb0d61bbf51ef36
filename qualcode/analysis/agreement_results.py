"""The results of intercoder agreement: per-code rows, overall figures, disagreements.

Plain frozen dataclasses with ``to_json``; computed by :mod:`qualcode.analysis.agreement`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def _round(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)


@dataclass(frozen=True, slots=True)
class CodeAgreement:
    """Agreement on one code (or theme, with roll-up); counts are units (characters)."""

    code_id: int
    code: str
    path: str
    units: int
    both: int
    only: dict[str, int]
    neither: int
    percent_agreement: float | None
    kappa: float | None
    alpha: float | None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "path": self.path,
            "kappa": _round(self.kappa),
            "percent_agreement": _round(self.percent_agreement),
            "alpha": _round(self.alpha),
            "both": self.both,
            "only": dict(self.only),
            "neither": self.neither,
            "units": self.units,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class OverallAgreement:
    """Summary over codes: mean kappa, pooled kappa and alpha, pooled % agreement."""

    kappa_mean: float | None
    kappa_pooled: float | None
    alpha: float | None
    percent_agreement: float | None
    codes_with_kappa: int

    def to_json(self) -> dict[str, Any]:
        return {
            "kappa_mean": _round(self.kappa_mean),
            "kappa_pooled": _round(self.kappa_pooled),
            "alpha": _round(self.alpha),
            "percent_agreement": _round(self.percent_agreement),
            "codes_with_kappa": self.codes_with_kappa,
        }


@dataclass(frozen=True, slots=True)
class AgreementResult:
    """What :func:`agreement` found; ``kappa_kind`` is ``cohen`` (2 coders) or ``light``."""

    coders: tuple[str, ...]
    unit: str
    codes: list[CodeAgreement]
    overall: OverallAgreement
    documents: tuple[str, ...]
    units: int
    kappa_kind: str
    rollup: bool = False
    include_machine: bool = False
    all_documents: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "coders": list(self.coders),
            "unit": self.unit,
            "kappa_kind": self.kappa_kind,
            "rollup": self.rollup,
            "include_machine": self.include_machine,
            "all_documents": self.all_documents,
            "documents": list(self.documents),
            "units": self.units,
            "codes": [c.to_json() for c in self.codes],
            "overall": self.overall.to_json(),
        }

    def to_frame(self) -> "pd.DataFrame":
        """One row per code; ``only:<coder>`` columns; NaN where a statistic is undefined."""
        import pandas as pd

        rows = []
        for c in self.codes:
            row: dict[str, Any] = {
                "code": c.code,
                "path": c.path,
                "kappa": c.kappa,
                "percent_agreement": c.percent_agreement,
                "alpha": c.alpha,
                "both": c.both,
            }
            row.update({f"only:{k}": v for k, v in c.only.items()})
            row.update({"neither": c.neither, "units": c.units, "note": c.note})
            rows.append(row)
        frame = pd.DataFrame(rows).astype({"kappa": float, "percent_agreement": float, "alpha": float})
        frame.attrs.update({"coders": list(self.coders), "unit": self.unit, **self.overall.to_json()})
        return frame


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A unit (a run of characters for ``character``) where the coders differ on a code."""

    document_id: int
    document: str
    start: int
    end: int
    text: str
    applied_by: tuple[str, ...]
    not_applied_by: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "document_id": self.document_id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "applied_by": list(self.applied_by),
            "not_applied_by": list(self.not_applied_by),
        }


@dataclass(frozen=True, slots=True)
class Disagreements:
    """The disagreement listing for one code, for a reconciliation meeting."""

    code: str
    path: str
    coders: tuple[str, ...]
    unit: str
    items: list[Disagreement] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "path": self.path,
            "coders": list(self.coders),
            "unit": self.unit,
            "disagreements": [d.to_json() for d in self.items],
        }
