"""History commands: ``undo``, ``redo``, ``log``."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from qualcode.cli._common import CoderOpt, JsonOpt, ProjectOpt, open_for_command, print_json, user_errors

AnyOpt = Annotated[bool, typer.Option("--any", help="Act on the last action of any coder, not only yours.")]


def undo(
    run: Annotated[
        Optional[int], typer.Option("--run", help="Remove every machine coding of this run instead.")
    ] = None,
    any_coder: AnyOpt = False,
    project: ProjectOpt = None,
    coder: CoderOpt = None,
) -> None:
    """Undo your last action (persists across sessions; --any: anyone's), or remove a whole machine run."""
    with open_for_command(project) as proj, user_errors():
        if run is not None:
            from qualcode.autotag import undo_run

            n = undo_run(proj, run)
            typer.echo(f"removed {n} codings of run {run}")
            return
        ev = proj.history.undo(coder, any_coder=any_coder)
        who = f" ({ev.actor}'s)" if any_coder else ""
        typer.echo(f"undone{who}: {ev.summary}")


def redo(any_coder: AnyOpt = False, project: ProjectOpt = None, coder: CoderOpt = None) -> None:
    """Redo the action you undid last (--any: anyone's undo)."""
    with open_for_command(project) as proj, user_errors():
        ev = proj.history.redo(coder, any_coder=any_coder)
        typer.echo(f"redone: {ev.summary}")


def log(
    limit: Annotated[int, typer.Option("--limit", "-n")] = 30,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The audit trail: who did what, when, newest first."""
    with open_for_command(project) as proj, user_errors():
        events = proj.history.events(limit)
        if as_json:
            print_json(
                [
                    {
                        "id": e.id,
                        "action": e.action,
                        "summary": e.summary,
                        "actor": e.actor,
                        "created_at": e.created_at,
                        "state": e.state,
                    }
                    for e in events
                ]
            )
            return
        for e in events:
            flag = {"undone": " (undone)", "discarded": " (discarded)"}.get(e.state, "")
            typer.echo(f"{e.id:>5} {e.created_at} {e.actor}: {e.summary}{flag}")


def register(app: typer.Typer) -> None:
    app.command("undo")(undo)
    app.command("redo")(redo)
    app.command("log")(log)
