"""``qualcode speakers``: see every speaker label per document, and fix the wrong ones.

Why: a misspelt or differently cased label silently becomes another
participant; the analyst must be able to see it (``similar_to``) and fix it
without editing the transcript. Each fix is one undoable action
(``qualcode undo``). The logic lives in :mod:`qualcode.services.speakers`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from qualcode.cli._common import JsonOpt, ProjectOpt, open_for_command, print_json, user_errors

if TYPE_CHECKING:
    from qualcode.services.speakers import SpeakerChange

speakers_app = typer.Typer(
    help="List speaker labels per document (with likely misspellings); rename them or set their role.",
    no_args_is_help=False,
    rich_markup_mode=None,
)

DocumentOpt = Annotated[
    Optional[str], typer.Option("--document", "-d", help="Only this document (name, #id or unique prefix).")
]


@speakers_app.callback(invoke_without_command=True)
def speakers(
    ctx: typer.Context, document: DocumentOpt = None, project: ProjectOpt = None, as_json: JsonOpt = False
) -> None:
    """Each speaker label per document: turns, role, participant and similar_to (a likely misspelling of)."""
    if ctx.invoked_subcommand is not None:
        return
    from qualcode.services.speakers import list_speakers

    with open_for_command(project) as proj, user_errors():
        rows = list_speakers(proj, document)
    if as_json:
        print_json([r.to_json() for r in rows])
        return
    if not rows:
        typer.echo("no speaker turns")
        return
    width = max(len(r.document) for r in rows)
    label_width = max(len(r.speaker or "-") for r in rows)
    for r in rows:
        like = f"  similar to {r.similar_to!r} ({r.similar_turns} turns)" if r.similar_to else ""
        count = f"{r.turns} turn" + ("" if r.turns == 1 else "s")
        typer.echo(
            f"{r.document:<{width}}  {r.speaker or '-':<{label_width}}  {count:>9}  {r.role:<11}"
            f"  {r.participant or '-'}{like}"
        )


@speakers_app.command("rename")
def rename(
    old: Annotated[str, typer.Argument(help="The label to change, as written (case matters).")],
    new: Annotated[str, typer.Argument(help="The label it should be.")],
    document: DocumentOpt = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Relabel OLD's turns as NEW (in every document, or --document) and link them to NEW's participant."""
    from qualcode.services.speakers import rename_speaker

    with open_for_command(project) as proj, user_errors():
        change = rename_speaker(proj, old, new, document)
    _report(change, as_json)


@speakers_app.command("role")
def role(
    label: Annotated[str, typer.Argument(help="The speaker label.")],
    value: Annotated[str, typer.Argument(help="interviewer or participant.")],
    document: DocumentOpt = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Mark every turn of LABEL as interviewer or participant (in every document, or --document)."""
    from qualcode.services.speakers import set_speaker_role

    with open_for_command(project) as proj, user_errors():
        change = set_speaker_role(proj, label, value.strip().lower(), document)
    _report(change, as_json)


def _report(change: "SpeakerChange", as_json: bool) -> None:
    if as_json:
        print_json(change.to_json())
        return
    removed = change.removed_participants
    extra = f"; removed participant {', '.join(removed)}" if removed else ""
    typer.echo(f"{change.summary}{extra} (undo with 'qualcode undo')")


def register(app: typer.Typer) -> None:
    app.add_typer(speakers_app, name="speakers")


__all__ = ["register", "speakers_app"]
