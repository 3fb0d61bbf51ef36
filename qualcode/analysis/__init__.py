"""Analysis queries: pure functions over a project returning pandas DataFrames.

Every table counts codings by the same rule (see
:mod:`qualcode.analysis.attribution`): a coding counts for the participant
turns it overlaps; rejected codings never count, pending ones unless
``include_pending=False``, codings wholly in interviewer turns (or outside
every turn) only with ``include_interviewer=True``; "% of participants" is over the participants in
scope. ``DataFrame.attrs`` records which rules were used.

Names are loaded lazily so ``import qualcode.analysis`` does not import
pandas; ``from qualcode.analysis import frequencies`` does.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "load_corpus": "corpus",
    "attribute": "attribution",
    "attributions": "attribution",
    "Attribution": "attribution",
    "explain": "audit",
    "Explanation": "audit",
    "CountOptions": "corpus",
    "MISSING": "corpus",
    "coded_segments": "counts",
    "frequencies": "counts",
    "frequency_records": "counts",
    "matrix": "tables",
    "cooccurrence": "tables",
    "presence": "tables",
    "coverage": "tables",
    "saturation": "tables",
    "likert": "survey",
    "likert_by_code": "survey",
    "likert_records": "survey",
    "respondents": "survey",
    "evidence": "evidence_quotes",
    "evidence_records": "evidence_quotes",
    "evidence_table": "evidence_quotes",
    "quotes_frame": "evidence_quotes",
    "Quote": "evidence_quotes",
    "Pseudonymiser": "evidence_quotes",
    "memos_table": "memos",
    "agreement": "agreement",
    "disagreements": "disagreement_listing",
    "cohen_kappa_table": "reliability",
    "krippendorff_alpha_nominal": "reliability",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module = importlib.import_module(f"qualcode.analysis.{_EXPORTS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'qualcode.analysis' has no attribute {name!r}")
