"""``qualcode review``: the queue of pending machine codings, accept and reject."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from qualcode.cli._common import JsonOpt, ProjectOpt, fail, open_for_command, print_json, user_errors

review_app = typer.Typer(
    help="Review machine codings: list the pending ones by confidence, accept or reject them.",
    invoke_without_command=True,
    no_args_is_help=False,
)

RunOpt = Annotated[Optional[int], typer.Option("--run", help="Only codings of this run.")]
CodeOpt = Annotated[Optional[str], typer.Option("--code", help="Only this code (and its sub-codes).")]
MinConfOpt = Annotated[
    Optional[float], typer.Option("--min-confidence", help="Bulk: only at or above this confidence.")
]
IdsArg = Annotated[Optional[list[int]], typer.Argument(help="Coding ids (see 'qualcode review').")]


@review_app.callback()
def review_list(
    ctx: typer.Context,
    run: RunOpt = None,
    code: CodeOpt = None,
    limit: Annotated[Optional[int], typer.Option("--limit", "-n", help="Show at most N.")] = None,
    min_confidence: MinConfOpt = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List pending machine codings, most confident first, with their text."""
    if ctx.invoked_subcommand is not None:
        return
    from qualcode.autotag import review_queue

    with open_for_command(project) as proj, user_errors():
        items = review_queue(proj, run_id=run, code=code, limit=limit, min_confidence=min_confidence)
        if as_json:
            print_json([i.to_json() for i in items])
            return
        if not items:
            typer.echo("nothing to review")
            return
        for i in items:
            conf = "  -  " if i.confidence is None else f"{i.confidence:.2f}"
            excerpt = i.excerpt if len(i.excerpt) <= 90 else i.excerpt[:89] + "…"
            typer.echo(f"#{i.id:<7} {conf} {i.code} · {i.document} {i.start}-{i.end} [{i.method} {i.rule}]")
            typer.echo(f"           {excerpt}")


def _decide(
    status: str,
    ids: list[int] | None,
    run: int | None,
    code: str | None,
    min_confidence: float | None,
    project,
    as_json: bool,
) -> None:  # noqa: ANN001 - Path | None
    from qualcode.autotag import accept, bulk_ids, reject

    with open_for_command(project) as proj, user_errors():
        if ids and (run is not None or code is not None or min_confidence is not None):
            fail("give coding ids or a bulk filter (--run, --code, --min-confidence), not both")
        chosen = list(ids or []) or bulk_ids(proj, run_id=run, code=code, min_confidence=min_confidence)
        n = 0
        if chosen:
            n = (accept if status == "confirmed" else reject)(proj, chosen)
        if as_json:
            print_json({"status": status, "count": n, "ids": chosen})
        else:
            typer.echo(f"{'accepted' if status == 'confirmed' else 'rejected'} {n} codings")


@review_app.command("accept")
def accept_cmd(
    ids: IdsArg = None,
    run: RunOpt = None,
    code: CodeOpt = None,
    min_confidence: MinConfOpt = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Confirm machine codings (by id, or in bulk by run/code/confidence); origin stays auto."""
    _decide("confirmed", ids, run, code, min_confidence, project, as_json)


@review_app.command("reject")
def reject_cmd(
    ids: IdsArg = None,
    run: RunOpt = None,
    code: CodeOpt = None,
    min_confidence: MinConfOpt = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Reject machine codings; they are remembered so reruns do not add them again."""
    _decide("rejected", ids, run, code, min_confidence, project, as_json)


def register(app: typer.Typer) -> None:
    """Add the ``review`` group to the application."""
    app.add_typer(review_app, name="review")
