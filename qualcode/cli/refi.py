"""``qualcode refi``: exchange whole projects with NVivo, ATLAS.ti, MAXQDA and QualCoder.

Each command opens the project, calls one function of :mod:`qualcode.exchange`
and prints a short summary or ``--json``. The REFI-QDA project format
(``.qdpx``) is described in README, "Exchanging projects with other QDA tools".
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qualcode.cli._common import (
    CoderOpt,
    JsonOpt,
    ProjectOpt,
    discard_if_new,
    fail,
    open_for_command,
    print_json,
    user_errors,
)

if TYPE_CHECKING:
    from qualcode.exchange import ExchangeSummary

refi_app = typer.Typer(
    name="refi",
    help="Export or import a whole project as REFI-QDA (.qdpx) for NVivo, ATLAS.ti, MAXQDA, QualCoder.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

FileArg = Annotated[Path, typer.Argument(help="The .qdpx file.")]


def register(app: typer.Typer) -> None:
    """Add the ``refi`` command group to the application."""
    app.add_typer(refi_app, name="refi")


def _print(summary: "ExchangeSummary", verb: str, as_json: bool) -> None:
    if as_json:
        print_json(summary.to_dict())
        return
    typer.echo(
        f"{verb} {summary.file}: {summary.documents} documents, {summary.codes} codes, {summary.codings} codings, "
        f"{summary.memos} memos, {summary.participants} participants"
    )
    for warning in summary.warnings:
        typer.echo(f"warning: {warning}", err=True)


@refi_app.command("export")
def export_(
    file: FileArg,
    include_pending: Annotated[
        bool, typer.Option("--include-pending", help="Also export machine codings not yet reviewed (pending).")
    ] = False,
    sources: Annotated[
        str,
        typer.Option(
            "--sources",
            help="Where the texts go: auto (files up to 10,000 documents, else texts up to 4 KiB inline), "
            "files (one sources/ file each, what QualCoder reads) or inline (in project.qde).",
        ),
    ] = "auto",
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the project as a REFI-QDA project archive (.qdpx): documents, codebook, codings, memos, cases."""
    from qualcode.exchange import SOURCE_LAYOUTS, export_qdpx

    if file.suffix.casefold() != ".qdpx":
        fail(f"{file}: the file name must end in .qdpx")
    if file.parent and not file.parent.is_dir():
        fail(f"{file.parent}: folder does not exist")
    if sources not in SOURCE_LAYOUTS:
        fail(f"--sources must be one of {', '.join(SOURCE_LAYOUTS)}, not {sources!r}")
    with open_for_command(project) as proj, user_errors():
        summary = export_qdpx(proj, file, include_pending=include_pending, sources=sources)
    _print(summary, "exported", as_json)


@refi_app.command("import")
def import_(
    file: FileArg,
    project: ProjectOpt = None,
    coder: CoderOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a REFI-QDA project archive (.qdpx) into the project, all or nothing (one undo)."""
    from qualcode.exchange import import_qdpx

    if not file.is_file():
        fail(f"{file}: no such file")
    with discard_if_new(project), open_for_command(project, create=True) as proj, user_errors():
        summary = import_qdpx(proj, file, coder=coder)
    _print(summary, "imported", as_json)
