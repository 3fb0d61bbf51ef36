"""What an evidence report needs beyond the analysis table: totals, turn numbers, a survey.

Why separate from the table: the evidence DataFrame is per code, so it cannot
say how many distinct documents were coded overall or which turn of its
transcript a quote comes from; those come from the project. The CLI (or any
caller holding the project) builds a :class:`ReportContext` with
:func:`report_context`; without one the report simply leaves them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.store import Project


@dataclass(frozen=True, slots=True)
class ReportContext:
    """Extra facts for an evidence report.

    Attributes:
        documents: distinct documents with a counted coding of a reported code.
        codings: counted codings of the reported codes.
        turn_numbers: turn id → its 1-based number, for documents of more than one turn.
        quote_attributes: participant attributes a quote's attribution shows (None: the
            ``--by`` attributes and one more chosen by :func:`labels.quote_attributes`).
        survey: a Likert table appended as a "Survey" section.
    """

    documents: int | None = None
    codings: int | None = None
    turn_numbers: Mapping[int, int] = field(default_factory=dict)
    quote_attributes: tuple[str, ...] | None = None
    survey: "pd.DataFrame | None" = None

    @property
    def survey_items(self) -> tuple[str, ...]:
        """Survey columns: never shown in attributions (they are answers, not descriptors)."""
        if self.survey is None or "item" not in self.survey:
            return ()
        return tuple(dict.fromkeys(str(i) for i in self.survey["item"]))


def _totals(project: "Project", attrs: dict[str, Any], reported: list[int] | None) -> tuple[int, int]:
    """Counted codings and documents of the reported codes, under the table's counting switches."""
    with project.tables.counted(
        include_interviewer=bool(attrs.get("include_interviewer")),
        include_pending=bool(attrs.get("include_pending", True)),
        coders=attrs.get("coders") or None,
    ) as units:
        return units.totals(reported)


def report_context(
    project: "Project",
    frame: "pd.DataFrame",
    *,
    quote_attributes: list[str] | None = None,
    survey: "pd.DataFrame | None" = None,
) -> ReportContext:
    """Totals and turn numbers for ``frame`` (an evidence or frequency table) from ``project``.

    Counting follows the table's own rules (``frame.attrs``), so the totals
    match its rows; turn numbers are looked up for the quoted turns only.
    """
    attrs: dict[str, Any] = frame.attrs
    reported = sorted(set(int(c) for c in frame["code_id"])) if "code_id" in frame else None
    # Counted in SQL (the attribution rule of the table), not by loading the project; an evidence table
    # brings its totals along.
    totals = attrs.get("counted_totals")
    if totals and reported is not None and sorted(totals["code_ids"]) == reported:
        codings, documents = totals["codings"], totals["documents"]
    else:
        codings, documents = _totals(project, attrs, reported)
    quoted = {q.turn_id for qs in frame["quotes"] for q in qs if q.turn_id is not None} if "quotes" in frame else set()
    numbers = project.tables.turn_numbers(sorted(quoted))
    return ReportContext(
        documents=documents,
        codings=codings,
        turn_numbers=numbers,
        quote_attributes=tuple(quote_attributes) if quote_attributes else None,
        survey=survey,
    )
