"""Theme commands: ``suggest`` (run, accept, reject, merge) and ``suggestions``.

``qualcode suggest`` with no subcommand runs a suggestion; the subcommands
act on a recorded run. The themes package is imported inside the commands so
that ``qualcode --help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from qualcode.cli._common import (
    CoderOpt,
    JsonOpt,
    ProjectOpt,
    fail,
    open_for_command,
    print_json,
    progress,
    user_errors,
)

if TYPE_CHECKING:
    from qualcode.store import Project
    from qualcode.themes import SuggestionRun, TopicSuggestion

suggest_app = typer.Typer(
    invoke_without_command=True,
    no_args_is_help=False,
    help="Suggest themes by topic modelling; accept, reject or merge suggestions.",
)


def _where(items: list[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            fail(f"--where wants ATTRIBUTE=VALUE, not {item!r}")
        out.append((name.strip(), value.strip()))
    return tuple(out)


def topic_json(
    project: "Project",
    run_id: int,
    t: "TopicSuggestion",
    *,
    segments: bool = True,
    names: dict[int, str] | None = None,
    members: list[Any] | None = None,
) -> dict[str, Any]:
    """One topic as the ``--json`` outputs print it.

    ``names`` (document id → name) and ``members`` (this topic's segments)
    may be given by a caller printing a whole run, so that a run of 60
    topics reads documents and segments once, not once per topic.
    """
    data: dict[str, Any] = {
        "id": t.topic,
        "label": t.label,
        "keywords": list(t.keywords),
        "size": t.size,
        "documents": t.documents,
        "document_share": t.document_share,
        "participants": t.participants,
        "participant_share": t.participant_share,
        "closest_code": t.closest_code,
        "similarity": t.similarity,
        "new_theme": t.new_theme,
        "merge_candidates": list(t.merge_candidates),
        "status": t.status,
        "code_id": t.code_id,
        "excerpts": [
            {
                "document": e.document,
                "start": e.start,
                "end": e.end,
                "speaker": e.speaker,
                "text": e.text,
                "similarity": e.similarity,
            }
            for e in t.excerpts
        ],
    }
    if segments:
        from qualcode.themes import run_segments

        if names is None:
            names = {d.id: d.name for d in project.documents.headers()}
        if members is None:
            members = run_segments(project, run_id, t.topic)
        data["segments"] = [
            {
                "document": names.get(s.document_id, str(s.document_id)),
                "start": s.start,
                "end": s.end,
                "probability": s.probability,
            }
            for s in members
        ]
    return data


def run_json(project: "Project", srun: "SuggestionRun") -> dict[str, Any]:
    by_topic: dict[int, list[Any]] = {}
    names: dict[int, str] = {}
    for seg in project.suggestions.named_segments(srun.run.id):
        by_topic.setdefault(seg.topic, []).append(seg)
        names[seg.document_id] = seg.document
    return {
        "run": {
            "id": srun.run.id,
            "created_at": srun.run.created_at,
            "params": srun.run.params,
            "summary": srun.run.summary,
        },
        "topics": [
            topic_json(project, srun.run.id, t, names=names, members=by_topic.get(t.topic, [])) for t in srun.topics
        ],
    }


def print_run_json(data: dict[str, Any]) -> None:
    """A run's JSON, indented like every ``--json`` output except each ``segments`` list, kept on one line.

    Why: Python's indenting encoder is pure Python; for a run of 10^5 units
    it took longer than the clustering. The compact C encoder writes the
    segment lists; the document is the same JSON.
    """
    import json
    import re
    import uuid

    mark = uuid.uuid4().hex  # a placeholder no excerpt text can contain
    lists: list[str] = []
    shell = {**data, "topics": []}
    for topic in data.get("topics", []):
        if "segments" in topic:
            lists.append(json.dumps(topic["segments"], ensure_ascii=False, default=str))
            topic = {**topic, "segments": f"{mark}:{len(lists) - 1}"}
        shell["topics"].append(topic)
    text = json.dumps(shell, ensure_ascii=False, indent=2, default=str)
    text = re.sub(f'"{mark}:(\\d+)"', lambda m: lists[int(m.group(1))], text)
    typer.echo(text)


def _print_run(srun: "SuggestionRun") -> None:
    s = srun.run.summary
    typer.echo(f"Run {srun.run.id} ({srun.run.created_at}): {s.get('topics', 0)} topics from {s.get('units', 0)} units")
    for t in srun.topics:
        status = "" if t.status == "open" else f" [{t.status}]"
        typer.echo(f"\n{t.topic:>3}  {t.label}{status}")
        typer.echo(
            f"     {t.size} units, {t.documents} documents ({t.document_share:.0%}), "
            f"{t.participants} participants ({t.participant_share:.0%})"
        )
        if t.keywords:
            typer.echo(f"     keywords: {', '.join(t.keywords)}")
        if t.closest_code is not None:
            flag = "  (possible new theme)" if t.new_theme else ""
            typer.echo(f"     closest code: {t.closest_code} ({t.similarity:.2f}){flag}")
        if t.merge_candidates:
            typer.echo(f"     merge candidates: {', '.join(str(c) for c in t.merge_candidates)}")
        for e in t.excerpts[:3]:
            text = " ".join(e.text.split())
            typer.echo(f"     - {e.speaker or '?'} ({e.document}): {text[:100]}{'…' if len(text) > 100 else ''}")


@suggest_app.callback()
def suggest_cmd(
    ctx: typer.Context,
    unit: Annotated[str, typer.Option("--unit", help="turn, sentence or paragraph.")] = "turn",
    max_words: Annotated[int, typer.Option("--max-words", help="Split longer units into sentence windows.")] = 120,
    include_interviewer: Annotated[
        bool, typer.Option("--include-interviewer", help="Also analyse interviewer turns.")
    ] = False,
    document: Annotated[
        Optional[list[str]], typer.Option("--document", "-d", help="Only this document (repeatable).")
    ] = None,
    kind: Annotated[
        Optional[list[str]], typer.Option("--kind", help="Only documents of this kind (repeatable).")
    ] = None,
    where: Annotated[
        Optional[list[str]],
        typer.Option("--where", help="Participant attribute ATTR=VALUE (repeatable, all must hold)."),
    ] = None,
    embedder: Annotated[
        str,
        typer.Option(
            "--embedder",
            help="tfidf (default, offline) or neural (alias sentence-transformers; a local model, see --model).",
        ),
    ] = "tfidf",
    model: Annotated[
        Optional[str], typer.Option("--model", help="Local path or installed package of a sentence-transformers model.")
    ] = None,
    reducer: Annotated[str, typer.Option("--reducer", help="pca or none.")] = "pca",
    clusterer: Annotated[str, typer.Option("--clusterer", help="kmeans or hdbscan.")] = "kmeans",
    topics: Annotated[
        Optional[int], typer.Option("--topics", help="Number of topics (default: chosen automatically).")
    ] = None,
    max_topics: Annotated[int, typer.Option("--max-topics", help="Upper bound of the automatic choice.")] = 60,
    min_topic_size: Annotated[int, typer.Option("--min-topic-size", help="Smallest topic aimed for.")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same topics.")] = 0,
    no_guided: Annotated[
        bool, typer.Option("--no-guided", help="Ignore the codebook (no seeding, no closest code).")
    ] = False,
    new_theme_threshold: Annotated[
        float,
        typer.Option(
            "--new-theme-threshold", help="Below this similarity to every code a topic is a possible new theme."
        ),
    ] = 0.3,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Suggest themes over the project's units (run when no subcommand is given)."""
    if ctx.invoked_subcommand is not None:
        return
    from qualcode.themes import SuggestParams, suggest

    params = SuggestParams(
        unit=unit,
        max_words=max_words,
        include_interviewer=include_interviewer,
        documents=tuple(document or ()),
        kinds=tuple(kind or ()),
        where=_where(list(where or [])),
        embedder=embedder,
        model=model,
        reducer=reducer,
        clusterer=clusterer,
        topics=topics,
        max_topics=max_topics,
        min_topic_size=min_topic_size,
        seed=seed,
        guided=not no_guided,
        new_theme_threshold=new_theme_threshold,
    )
    with open_for_command(project) as proj, user_errors():
        with progress(5, "Suggesting themes") as bar:
            srun = suggest(proj, params, on_progress=bar)
        if as_json:
            print_run_json(run_json(proj, srun))
        else:
            _print_run(srun)


@suggest_app.command("accept")
def accept_cmd(
    run: Annotated[int, typer.Argument(help="Run id.")],
    topic: Annotated[int, typer.Argument(help="Topic id within the run.")],
    name: Annotated[str, typer.Option("--as", help="Name of the new code.")],
    parent: Annotated[Optional[str], typer.Option("--parent", help="Parent code path.")] = None,
    apply: Annotated[bool, typer.Option("--apply", help="Also code the topic's segments (pending review).")] = False,
    project: ProjectOpt = None,
    coder: CoderOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a code from a suggestion (and, with --apply, code its segments)."""
    from qualcode.themes import accept

    with open_for_command(project) as proj, user_errors():
        result = accept(proj, run, topic, name, parent=parent, apply=apply, coder=coder)
        if as_json:
            print_json(
                {
                    "code": {
                        "id": result.code.id,
                        "path": result.code.path,
                        "description": result.code.description,
                        "keywords": list(result.code.keywords),
                    },
                    "codings": len(result.coding_ids),
                    "run": run,
                    "topic": topic,
                }
            )
        else:
            extra = f", {len(result.coding_ids)} segments coded (pending review)" if apply else ""
            typer.echo(f"Created code {result.code.path}{extra}")


@suggest_app.command("reject")
def reject_cmd(
    run: Annotated[int, typer.Argument(help="Run id.")],
    topic: Annotated[int, typer.Argument(help="Topic id within the run.")],
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Mark a suggestion rejected."""
    from qualcode.themes import reject

    with open_for_command(project) as proj, user_errors():
        t = reject(proj, run, topic)
        if as_json:
            print_json(topic_json(proj, run, t, segments=False))
        else:
            typer.echo(f"Rejected topic {topic} of run {run}: {t.label}")


@suggest_app.command("merge")
def merge_cmd(
    run: Annotated[int, typer.Argument(help="Run id.")],
    topics: Annotated[list[int], typer.Argument(help="TARGET SOURCE...: merge the sources into the first topic.")],
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Merge suggestions into one (the first topic named keeps its id)."""
    from qualcode.themes import merge

    if len(topics) < 2:
        fail("name the target topic and at least one topic to merge into it")
    with open_for_command(project) as proj, user_errors():
        t = merge(proj, run, topics[0], topics[1:])
        if as_json:
            print_json(topic_json(proj, run, t, segments=False))
        else:
            typer.echo(f"Merged {', '.join(map(str, topics[1:]))} into topic {topics[0]}: {t.label} ({t.size} units)")


def suggestions_cmd(
    run: Annotated[Optional[int], typer.Argument(help="Show this run (default: list runs).")] = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List theme-suggestion runs, or show one run's topics."""
    from qualcode.themes import list_runs, load_run

    with open_for_command(project) as proj, user_errors():
        if run is not None:
            srun = load_run(proj, run)
            if as_json:
                print_run_json(run_json(proj, srun))
            else:
                _print_run(srun)
            return
        runs = list_runs(proj)
        if as_json:
            print_json(
                [
                    {
                        "id": r.id,
                        "created_at": r.created_at,
                        "topics": r.summary.get("topics"),
                        "units": r.summary.get("units"),
                        "seed": r.params.get("seed"),
                        "params": r.params,
                    }
                    for r in runs
                ]
            )
            return
        if not runs:
            typer.echo("No theme-suggestion runs yet; run 'qualcode suggest'.")
        for r in runs:
            typer.echo(
                f"{r.id:>4}  {r.created_at}  {r.summary.get('topics', '?')} topics from "
                f"{r.summary.get('units', '?')} {r.params.get('unit', 'turn')} units (seed {r.params.get('seed')})"
            )


def register(app: typer.Typer) -> None:
    """Add ``suggest`` (group) and ``suggestions`` to the application."""
    app.add_typer(suggest_app, name="suggest")
    app.command("suggestions")(suggestions_cmd)
