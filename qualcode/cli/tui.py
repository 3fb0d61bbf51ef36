"""``qualcode tui``: open the coding workbench.

Textual is imported inside the command, so ``import qualcode.cli`` (and
``qualcode --help``) never loads it.
"""

from __future__ import annotations

import typer

from qualcode.cli._common import CoderOpt, ProjectOpt, user_errors


def launch(project: str | None, coder: str | None = None) -> None:
    """Open the workbench on ``project``: the one place the CLI reaches the other front end."""
    with user_errors():
        from qualcode.tui import make_app

        application = make_app(project, coder=coder)
    application.run()


def register(app: typer.Typer) -> None:
    """Add the ``tui`` command."""

    @app.command("tui")
    def tui(project: ProjectOpt = None, coder: CoderOpt = None) -> None:
        """Open the terminal workbench (documents, coding, codebook, excerpts)."""
        launch(str(project) if project else None, coder)
