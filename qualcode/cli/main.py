"""The ``qualcode`` application: registers every command group."""

from __future__ import annotations

import typer

from qualcode import __version__

app = typer.Typer(
    name="qualcode",
    help="Qualitative coding and thematic analysis: import transcripts, code them, count themes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qualcode {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
    shared: bool = typer.Option(
        False, "--shared", help="Create project files and exports group-readable (0640) instead of owner-only (0600)."
    ),
) -> None:
    """Qualitative coding and thematic analysis from the terminal."""
    if shared:
        import os

        os.environ["QUALCODE_SHARED"] = "1"  # read by qualcode.outputs and open_project


def _register() -> None:
    # One module per command group; each exposes ``register(app)``.
    import importlib

    for name in (
        "project",
        "documents",
        "codebook",
        "coding",
        "history",
        "export",
        "tui",
        "themes",
        "autotag",
        "review",
        "refi",
        "agreement",
        "speakers",
        "merge",
        "doctor",
        "serve",
    ):
        try:
            module = importlib.import_module(f"qualcode.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"qualcode.cli.{name}":
                continue  # group not built yet
            raise
        module.register(app)


_register()


def run() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    run()
