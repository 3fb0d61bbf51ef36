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


def report_context(project: "Project", frame: "pd.DataFrame", *, quote_attributes: list[str] | None = None,
                   survey: "pd.DataFrame | None" = None) -> ReportContext:
    """Totals and turn numbers for ``frame`` (an evidence or frequency table) from ``project``.

    Counting follows the table's own rules (``frame.attrs``), so the totals
    match its rows.
    """
    from qualcode.analysis.corpus import load_corpus

    attrs: dict[str, Any] = frame.attrs
    corpus = load_corpus(project, include_interviewer=bool(attrs.get("include_interviewer")),
                         include_pending=bool(attrs.get("include_pending", True)), coders=attrs.get("coders"))
    reported = set(int(c) for c in frame["code_id"]) if "code_id" in frame else None
    counted = [cc for cc in corpus.codings if reported is None or cc.code.id in reported]
    by_doc: dict[int, list[Any]] = {}
    for turn in project.documents.all_turns():
        by_doc.setdefault(turn.document_id, []).append(turn)
    numbers = {t.id: i for turns in by_doc.values() if len(turns) > 1
               for i, t in enumerate(sorted(turns, key=lambda t: t.seq), 1)}
    return ReportContext(
        documents=len({cc.document.id for cc in counted}),
        codings=len(counted),
        turn_numbers=numbers,
        quote_attributes=tuple(quote_attributes) if quote_attributes else None,
        survey=survey,
    )
