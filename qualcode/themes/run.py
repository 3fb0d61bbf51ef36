"""Run a theme suggestion over a project and read recorded runs back.

Why record everything: a suggestion is only useful if the analyst can come
back to it, accept part of it and cite how it was produced. Each run stores
its parameters, seed and library versions, every topic with its excerpts,
and every unit's membership, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from qualcode.errors import NotFoundError, ValidationError
from qualcode.model import Run, ThemeSuggestion
from qualcode.themes.params import Excerpt, SuggestionRun, SuggestParams, TopicSuggestion

if TYPE_CHECKING:
    import numpy as np

    from qualcode.store import Project
    from qualcode.store.suggestions import SuggestionSegment
    from qualcode.themes.embed import Embedder
    from qualcode.themes.params import Unit

RUN_KIND = "themes"
MIN_UNITS = 6
Progress = Callable[[int, int], None]


def library_versions() -> dict[str, str]:
    """Versions recorded with each run, so results can be reproduced."""
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str] = {}
    for name in ("bertopic", "scikit-learn", "spacy", "numpy", "hdbscan"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "missing"
    for name in ("sentence-transformers", "transformers", "torch"):  # only when installed
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            pass
    return out


def suggest(project: "Project", params: SuggestParams, on_progress: Progress | None = None) -> SuggestionRun:
    """Suggest themes over the project's units and record the run.

    Raises:
        ValidationError: bad parameters or too little text.
        DependencyError: the neural backend is asked for but unavailable.
    """
    from qualcode.themes.embed import make_embedder
    from qualcode.themes.pipeline import defer_bertopic_plotting, fit_topics
    from qualcode.themes.represent import describe_topics, seed_topics
    from qualcode.themes.requirements import require_bertopic
    from qualcode.themes.threads import numeric_threads

    steps = 5
    tick: Progress = on_progress or (lambda done, total: None)
    params.validate()
    defer_bertopic_plotting()  # before anything imports BERTopic: no plotly for a run that never plots
    require_bertopic()  # fail before the embeddings, with the install command
    embedder = make_embedder(params, project)  # fail fast on a missing model
    tick(0, steps)
    units, lemmas, embeddings = _units_and_vectors(project, params, embedder)
    if len(units) < MIN_UNITS:
        raise ValidationError(f"only {len(units)} units to analyse; theme suggestion needs at least {MIN_UNITS}")
    if params.topics is not None and params.topics >= len(units):
        raise ValidationError(f"--topics {params.topics} is not smaller than the number of units ({len(units)})")
    tick(1, steps)
    with numeric_threads():
        if embeddings is None:
            embeddings = embedder.fit_embed([u.text for u in units], lemmas)
        tick(2, steps)
        codes = [c for c in project.codes.all()] if params.guided else []
        seeds = seed_topics(codes, project) if codes else None
        result = fit_topics(lemmas, embeddings, params, embedder, seeds)
        tick(3, steps)
        topics = describe_topics(units, embeddings, result, params, embedder, codes)
    tick(4, steps)

    from qualcode.store.suggestions import Memberships

    store = project.suggestions
    recorded = {**params.to_dict(), "versions": library_versions()}
    n_topics = sum(1 for t in topics if t.topic >= 0)
    summary = {
        "units": len(units),
        "topics": n_topics,
        "outliers": sum(t.size for t in topics if t.topic < 0),
        "chosen_k": result.chosen_k,
        "silhouette": {str(k): round(v, 4) for k, v in result.scores.items()},
        "guided_codes": len(codes),
    }
    with project.action("suggest", f"suggest themes: {n_topics} topics", undoable=False):
        run = project.runs.start(RUN_KIND, recorded)
        store.save(
            run.id,
            [_to_row(run.id, t) for t in topics],
            Memberships(
                getattr(units, "document_ids", None) or [u.document_id for u in units],
                getattr(units, "starts", None) or [u.start for u in units],
                getattr(units, "ends", None) or [u.end for u in units],
                result.topics.tolist(),
                result.probabilities.round(4).tolist(),
            ),
        )
        run = project.runs.finish(run.id, summary)
    tick(steps, steps)
    return SuggestionRun(run=run, params=params, topics=tuple(topics), units=len(units))


def _units_and_vectors(
    project: "Project", params: SuggestParams, embedder: "Embedder"
) -> tuple[Sequence["Unit"], list[str], "np.ndarray | None"]:
    """The run's units, their lemma strings and, on a space-cache hit, their vectors.

    Why: with the default embedder the space is keyed by a cheap digest of
    the turn rows and unit settings (``unit_cache.units_key``), and the units
    are stored with it; a rerun on the same units reads them back instead of
    reading, splitting and lemmatising every turn. A miss builds them and
    leaves them on the embedder to be stored with the space it fits.
    """
    from qualcode.themes.embed import TfidfSvdEmbedder
    from qualcode.themes.unit_cache import decode_units, encode_units, units_key
    from qualcode.themes.units import unit_filters, units_from_turns

    wanted, keep = unit_filters(project, params)
    if not isinstance(embedder, TfidfSvdEmbedder) or embedder.project is None:
        return (*units_from_turns(project, params, wanted, keep), None)
    key = units_key(project, params, sorted(wanted) if wanted is not None else None)
    found = embedder.load_units(key)
    if found is not None:
        decoded = decode_units(found[0])
        if decoded is not None and len(decoded[0]) == len(found[1]):
            return (*decoded, found[1])
    units, lemmas = units_from_turns(project, params, wanted, keep)
    embedder.units_key, embedder.unit_parts = key, encode_units(units, lemmas)
    return units, lemmas, None


def _to_row(run_id: int, t: TopicSuggestion) -> ThemeSuggestion:
    data: dict[str, Any] = t.to_data()
    data["code_id"] = t.code_id
    return ThemeSuggestion(run_id, t.topic, t.label, t.keywords, t.size, t.status, t.closest_code, t.similarity, data)


def from_row(s: ThemeSuggestion) -> TopicSuggestion:
    """A stored suggestion row back as a :class:`TopicSuggestion`."""
    d = s.data
    return TopicSuggestion(
        topic=s.topic,
        label=s.label,
        keywords=s.keywords,
        size=s.size,
        documents=int(d.get("documents", 0)),
        document_share=float(d.get("document_share", 0.0)),
        participants=int(d.get("participants", 0)),
        participant_share=float(d.get("participant_share", 0.0)),
        excerpts=tuple(Excerpt(**e) for e in d.get("excerpts", [])),
        merge_candidates=tuple(d.get("merge_candidates", [])),
        closest_code=s.closest_code,
        similarity=s.similarity,
        new_theme=bool(d.get("new_theme", False)),
        status=s.status,
        code_id=d.get("code_id"),
        merged_into=d.get("merged_into"),
    )


def list_runs(project: "Project") -> list[Run]:
    """Every theme-suggestion run, oldest first (topic counts in ``summary``)."""
    return project.runs.all(RUN_KIND)


def load_run(project: "Project", run_id: int) -> SuggestionRun:
    """A recorded run with its topics.

    Raises:
        NotFoundError: no theme-suggestion run has this id.
    """
    run = project.runs.get(run_id)
    if run.kind != RUN_KIND:
        raise NotFoundError(f"run {run_id} is a {run.kind} run, not a theme suggestion")
    params = SuggestParams.from_dict(run.params)
    topics = tuple(from_row(s) for s in project.suggestions.for_run(run_id))
    return SuggestionRun(run=run, params=params, topics=topics, units=int(run.summary.get("units", 0)))


def run_segments(project: "Project", run_id: int, topic: int | None = None) -> list["SuggestionSegment"]:
    """Member units of a run (or of one topic), with membership probability."""
    project.runs.get(run_id)
    return project.suggestions.segments(run_id, topic)
