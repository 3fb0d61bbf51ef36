"""Units of analysis for theme suggestion: turns, sentences or paragraphs.

Why windows: topic models work on short, single-topic texts, while an
interview turn can run to hundreds of words across several subjects. Long
units are therefore cut into windows of whole sentences of at most
``max_words`` words (a sentence longer than that is a window on its own), so
every unit keeps exact offsets into the document and can be coded later.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from qualcode.errors import NotFoundError, ValidationError
from qualcode.text import TRANSCRIPT_FILLERS
from qualcode.themes.params import SuggestParams, Unit
from qualcode.units import select_turns, split_turns, windows

if TYPE_CHECKING:
    from qualcode.store import Project
    from qualcode.store.documents import TurnText


def stop_words() -> list[str]:
    """English stop words plus the one-word transcript fillers (sorted, stable)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    fillers = {w for f in TRANSCRIPT_FILLERS for w in f.replace("-", " ").split()}
    return sorted(set(ENGLISH_STOP_WORDS) | fillers)


_windows = windows  # the old private name, kept for callers


def build_units(project: "Project", params: SuggestParams) -> list[Unit]:
    """The units a run analyses, after filters, windowing and the short-unit cut.

    Raises:
        NotFoundError: a named document does not exist.
        ValidationError: a filter leaves nothing to analyse.
    """
    return build_units_with_lemmas(project, params)[0]


def build_units_with_lemmas(project: "Project", params: SuggestParams) -> tuple[list[Unit], list[str]]:
    """:func:`build_units` and each kept unit's lemma string (lemmatised once, cached in the project).

    Raises:
        NotFoundError: a named document does not exist.
        ValidationError: a filter leaves nothing to analyse.
    """
    wanted, keep = unit_filters(project, params)
    return units_from_turns(project, params, wanted, keep)


def unit_filters(
    project: "Project", params: SuggestParams
) -> tuple[set[int] | None, "Callable[[TurnText], bool] | None"]:
    """The chosen documents' ids and the participant-attribute filter of ``params`` (checked, not yet applied).

    Raises:
        NotFoundError: a named document or attribute does not exist.
    """
    wanted = None
    if params.documents:
        wanted = {project.documents.resolve(ref).id for ref in params.documents}
    keep = None
    if params.where:
        known = set(project.participants.attribute_names())
        for name, _ in params.where:
            if name not in known:
                raise NotFoundError(f"no participant attribute called {name!r}")
        people = {p.id: p.attributes for p in project.participants.all()}

        def keep(t: "TurnText") -> bool:
            attrs = people.get(t.participant_id or t.document_participant_id or -1, {})
            return all(attrs.get(k) == v for k, v in params.where)

    return wanted, keep


def units_from_turns(
    project: "Project",
    params: SuggestParams,
    wanted: set[int] | None,
    keep: "Callable[[TurnText], bool] | None",
) -> tuple[list[Unit], list[str]]:
    """Read, filter and split the turns, lemmatise the units and drop the short ones."""
    from qualcode.themes.lemmas import lemma_texts

    turns = select_turns(
        project,
        document_ids=wanted,
        kinds=tuple(params.kinds or ()),
        include_interviewer=params.include_interviewer,
        keep=keep,
    )
    if not turns:
        raise ValidationError("no turns to analyse: check --document, --kind, --where and interviewer settings")
    units = [
        Unit(t.document_id, t.document, a, b, text, t.speaker, t.participant_id or t.document_participant_id, t.id)
        for t, a, b, text in split_turns(turns, params.unit, params.max_words)
    ]

    stops = set(stop_words())
    lemmas = lemma_texts(project, [u.text for u in units])
    need = params.min_content_words

    def enough(lemma: str) -> bool:  # stops counting at ``need`` content words (10^6 answers)
        n = 0
        for w in lemma.split():
            if len(w) > 1 and w not in stops:
                n += 1
                if n >= need:
                    return True
        return n >= need

    kept = [i for i, lemma in enumerate(lemmas) if enough(lemma)]
    if not kept:
        raise ValidationError(
            f"every unit is too short to analyse (fewer than {params.min_content_words} content words)"
        )
    return [units[i] for i in kept], [lemmas[i] for i in kept]
