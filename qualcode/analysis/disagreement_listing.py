"""The disagreement listing of one code, for a reconciliation meeting.

Built on the same units and decisions as :func:`qualcode.analysis.agreement.agreement`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from qualcode.analysis.agreement import _DocUnits, _load
from qualcode.analysis.agreement_results import Disagreement, Disagreements

if TYPE_CHECKING:
    from qualcode.store import Project


def disagreements(
    project: "Project",
    code: str | int,
    coders: Sequence[str] | None = None,
    unit: str = "turn",
    rollup: bool = False,
    include_machine: bool = False,
    *,
    all_documents: bool = False,
    include_interviewer: bool = False,
) -> Disagreements:
    """The units where the present coders differ on ``code``, in document order.

    With ``character`` units, adjacent characters with the same decisions are
    merged into one span. With ``rollup`` the code stands for its subtree.
    """
    target = project.codes.resolve(code)
    chosen, rows, docs = _load(
        project, coders, unit, [target.id], rollup, include_machine, all_documents, include_interviewer
    )
    r = next(i for i, (c, _) in enumerate(rows) if c.id == target.id)
    items: list[Disagreement] = []
    for du in docs:
        yes = du.decisions[:, r, :]  # present coders × units
        count = yes.sum(axis=0)
        runs: list[tuple[int, int, tuple[bool, ...]]] = []
        for u in np.nonzero((count > 0) & (count < len(du.present)))[0]:
            s, e = int(du.spans[u, 0]), int(du.spans[u, 1])
            pattern = tuple(bool(x) for x in yes[:, u])
            if unit == "character" and runs and runs[-1][1] == s and runs[-1][2] == pattern:
                runs[-1] = (runs[-1][0], e, pattern)
            else:
                runs.append((s, e, pattern))
        items += [_disagreement(du, chosen, *run) for run in runs]
    return Disagreements(target.name, target.path, chosen, unit, items)


def _disagreement(
    du: _DocUnits, chosen: tuple[str, ...], start: int, end: int, pattern: tuple[bool, ...]
) -> Disagreement:
    applied = tuple(chosen[ci] for ci, yes in zip(du.present, pattern) if yes)
    not_applied = tuple(chosen[ci] for ci, yes in zip(du.present, pattern) if not yes)
    return Disagreement(du.document.id, du.document.name, start, end, du.document.text[start:end], applied, not_applied)
