"""``qualcode merge OTHER``: bring another coder's project file or ``.qdpx`` into this project."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli._common import (
    CoderOpt,
    JsonOpt,
    ProjectOpt,
    open_for_command,
    print_json,
    user_errors,
)


def merge_cmd(
    other: Annotated[Path, typer.Argument(help="The other coder's project file (.db) or REFI-QDA export (.qdpx).")],
    project: ProjectOpt = None,
    coder: CoderOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Merge another coder's copy of the study: documents matched by text, nothing overwritten, one undo."""
    from qualcode.services.merge import describe, merge

    with open_for_command(project) as proj, user_errors():
        summary = merge(proj, other, coder=coder)
    if as_json:
        print_json(summary.to_dict())
        return
    typer.echo(describe(summary))
    for c in summary.conflicts:
        typer.echo(
            f"conflict: {c['kind']} {c['item']!r} {c['field']}: ours {c['ours']!r}, theirs {c['theirs']!r}"
            f" ({c['resolution']})",
            err=True,
        )
    for warning in summary.warnings:
        typer.echo(f"warning: {warning}", err=True)


def register(app: typer.Typer) -> None:
    """Add ``merge`` to the application."""
    app.command("merge")(merge_cmd)
