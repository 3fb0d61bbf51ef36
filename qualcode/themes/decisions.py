"""The analyst's decisions on suggestions: accept, reject, merge.

Why each is one undoable action: accepting creates a code and, with
``apply``, codes hundreds of segments; if the analyst changes their mind a
single undo must take back the code, its codings and the suggestion's status
together. Applied codings are machine proposals: origin ``suggested``,
status ``pending``, confidence = membership probability, so they go through
review like auto-tagging output and never overwrite human work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.errors import ValidationError
from qualcode.model import Code
from qualcode.themes.params import TopicSuggestion
from qualcode.themes.run import from_row, load_run

if TYPE_CHECKING:
    from qualcode.store import Project

METHOD = "themes"


@dataclass(frozen=True, slots=True)
class AcceptResult:
    """The code created from a suggestion and the codings applied (if any)."""

    code: Code
    coding_ids: tuple[int, ...] = ()


def _open_suggestion(project: "Project", run_id: int, topic: int):  # noqa: ANN202 - ThemeSuggestion
    load_run(project, run_id)
    sugg = project.suggestions.get(run_id, topic)
    if sugg.status == "merged":
        raise ValidationError(f"topic {topic} was merged into topic {sugg.data.get('merged_into')}; use that one")
    if sugg.status == "accepted":
        raise ValidationError(f"topic {topic} of run {run_id} is already accepted")
    return sugg


def draft_description(run_id: int, size: int, keywords: Sequence[str]) -> str:
    """The description a suggested code starts with (the analyst rewrites it)."""
    terms = ", ".join(keywords[:8]) or "none"
    return f"Suggested by run {run_id} from {size} excerpts; top terms: {terms}"


def accept(
    project: "Project",
    run_id: int,
    topic: int,
    name: str,
    parent: str | int | None = None,
    apply: bool = False,
    coder: str | None = None,
) -> AcceptResult:
    """Turn a suggestion into a code (and optionally code its members).

    Raises:
        NotFoundError: unknown run, topic or parent code.
        ValidationError: the topic is outliers, already accepted or merged,
            or a sibling code has this name.
    """
    from qualcode.store import NewCoding

    if topic < 0:
        raise ValidationError("outliers (topic -1) cannot be accepted as a code")
    sugg = _open_suggestion(project, run_id, topic)
    store = project.suggestions
    members = store.segments(run_id, topic) if apply else []
    with project.action("accept-suggestion", f"accept topic {topic} of run {run_id} as {name}") as act:
        act.run_id = run_id
        code = project.codes.add(
            name,
            parent,
            description=draft_description(run_id, sugg.size, sugg.keywords),
            keywords=list(sugg.keywords),
        )
        ids: list[int] = []
        if members:
            ids = project.codings.add_many(
                [
                    NewCoding(
                        code.id,
                        s.document_id,
                        s.start,
                        s.end,
                        coder=coder,
                        origin="suggested",
                        status="pending",
                        method=METHOD,
                        confidence=None if s.probability is None else min(1.0, max(0.0, s.probability)),
                        run_id=run_id,
                    )
                    for s in members
                ],
                run_id=run_id,
                action="accept-suggestion",
            ).ids
        store.update(act, sugg, status="accepted", code_id=code.id)
    return AcceptResult(project.codes.get(code.id), tuple(ids))


def reject(project: "Project", run_id: int, topic: int) -> TopicSuggestion:
    """Mark a suggestion rejected (it stays recorded; undoable)."""
    sugg = _open_suggestion(project, run_id, topic)
    store = project.suggestions
    with project.action("reject-suggestion", f"reject topic {topic} of run {run_id}") as act:
        act.run_id = run_id
        store.update(act, sugg, status="rejected")
    return from_row(store.get(run_id, topic))


def merge(project: "Project", run_id: int, target: int, sources: Sequence[int]) -> TopicSuggestion:
    """Merge ``sources`` into ``target``: members, sizes, keywords and excerpts.

    Keywords are interleaved by rank (the target's first) so that each merged
    topic keeps its best terms; document and participant counts are
    recomputed from the merged members.
    """
    sources = [s for s in dict.fromkeys(sources)]
    if not sources:
        raise ValidationError("name at least one topic to merge into the first")
    if target in sources:
        raise ValidationError(f"cannot merge topic {target} into itself")
    if target < 0 or any(s < 0 for s in sources):
        raise ValidationError("outliers (topic -1) cannot be merged")
    run = load_run(project, run_id)
    store = project.suggestions
    tgt = _open_suggestion(project, run_id, target)
    srcs = [_open_suggestion(project, run_id, s) for s in sources]
    merged = [from_row(tgt)] + [from_row(s) for s in srcs]

    keywords: list[str] = []
    for rank in range(max(len(t.keywords) for t in merged)):
        for t in merged:
            if rank < len(t.keywords) and t.keywords[rank] not in keywords:
                keywords.append(t.keywords[rank])
    keywords = keywords[: run.params.keywords]
    excerpts = sorted((e for t in merged for e in t.excerpts), key=lambda e: -e.similarity)[: run.params.excerpts]
    absorbed = {t.topic for t in merged}
    candidates = [c for t in merged for c in t.merge_candidates if c not in absorbed]

    with project.action("merge-suggestions", f"merge topics {sources} into {target} (run {run_id})") as act:
        act.run_id = run_id
        for s in srcs:
            store.move_segments(act, run_id, s.topic, target)
            store.update(act, s, status="merged", data={**s.data, "merged_into": target})
        members = store.segments(run_id, target)
        docs = {m.document_id for m in members}
        people = {p for p in (_participant_at(project, m.document_id, m.start) for m in members) if p is not None}
        total_docs = len({m.document_id for m in store.segments(run_id)})
        data = {
            **tgt.data,
            "documents": len(docs),
            "document_share": round(len(docs) / total_docs, 4) if total_docs else 0.0,
            "participants": len(people),
            "excerpts": [_excerpt_dict(e) for e in excerpts],
            "merge_candidates": list(dict.fromkeys(candidates)),
            "merged_from": sorted(absorbed - {target}),
        }
        if merged[0].participants and merged[0].participant_share:
            total_people = merged[0].participants / merged[0].participant_share
            data["participant_share"] = round(len(people) / total_people, 4)
        from qualcode.themes.represent import make_label

        label = make_label(keywords, target)
        store.update(act, tgt, size=len(members), keywords=keywords, label=label, data=data)
    return from_row(store.get(run_id, target))


def _participant_at(project: "Project", document_id: int, offset: int) -> int | None:
    turn = project.documents.turn_at(document_id, offset)
    if turn is not None and turn.participant_id is not None:
        return turn.participant_id
    return project.documents.get(document_id).participant_id


def _excerpt_dict(e: object) -> dict[str, object]:
    from dataclasses import asdict

    return asdict(e)  # type: ignore[call-overload]
