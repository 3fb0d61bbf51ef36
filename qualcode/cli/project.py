"""Project commands: ``init``, ``stats``, ``demo``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from qualcode.cli._common import JsonOpt, ProjectOpt, fail, open_for_command, print_json, user_errors


def init(
    path: Annotated[Optional[Path], typer.Argument(help="Project file to create (default ./qualcode.db).")] = None,
    project: ProjectOpt = None,
) -> None:
    """Create a new, empty project file (one file per study)."""
    from qualcode.store import open_project, resolve_project_path

    target = resolve_project_path(path or project)
    if target.exists():
        fail(f"{target} already exists")
    with user_errors(), open_project(target) as proj:
        typer.echo(f"created {proj.path}")


def stats(project: ProjectOpt = None, as_json: JsonOpt = False) -> None:
    """Counts of everything in the project."""
    with open_for_command(project) as proj, user_errors():
        from qualcode.store import project_stats

        data = project_stats(proj)
        if as_json:
            print_json(data)
            return
        for key, value in data.items():
            typer.echo(f"{key:>20}: {value}")


def demo(
    project: ProjectOpt = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Delete and rebuild the demo project.")] = False,
    no_tui: Annotated[
        bool, typer.Option("--no-tui", help="Build and print the frequency table; do not open the TUI.")
    ] = False,
) -> None:
    """Build the demo study shipped with qualcode (qualcode/data/demo, social_value codebook) and open it."""
    from qualcode.demo import build_demo, demo_summary

    target = Path(project) if project else Path("demo.qualcode.db")
    with user_errors():
        created = build_demo(target, rebuild=rebuild)
        typer.echo(("built " if created else "using existing ") + str(target))
        typer.echo(demo_summary(target))
    if no_tui:
        return
    import sys

    if not sys.stdin.isatty() or not sys.stdout.isatty():
        typer.echo("(not a terminal: skipping the TUI; run 'qualcode tui -p " + str(target) + "')")
        return
    from qualcode.cli.tui import launch

    launch(str(target))


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("stats")(stats)
    app.command("demo")(demo)
