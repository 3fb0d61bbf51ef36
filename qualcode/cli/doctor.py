"""``qualcode doctor``: report what is installed and how to fix what is not.

The checks live in :mod:`qualcode.services.doctor`; this module prints them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from qualcode.cli._common import JsonOpt, print_json


def doctor(
    fix: Annotated[
        bool, typer.Option("--fix", help="Install what can be installed automatically (BERTopic, lean).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check the installation: spaCy lookups, BERTopic, Textual, optional neural model; print fixes."""
    from qualcode.services.doctor import fix as run_fix
    from qualcode.services.doctor import run_checks

    report = run_checks()
    if fix:
        report = run_fix(report)
    if as_json:
        print_json(report.to_json())
    else:
        _print(report)
    if not report.ok:
        raise typer.Exit(1)


def _print(report) -> None:  # noqa: ANN001 - DoctorReport, imported lazily
    typer.echo(f"qualcode {report.qualcode} · Python {report.python} · {report.executable}")
    for check in report.checks:
        label = check.name + (f" {check.version}" if check.version else "")
        level = "" if check.level == "required" else f" ({check.level})"
        typer.echo(f"  {check.status:<8} {label + level:<38} {check.purpose}")
        if check.detail and not check.ok:
            typer.echo(f"  {'':<8} {check.detail}")
        if check.fix:
            typer.echo(f"  {'':<8} fix: {check.fix}")
    if report.fixed:
        typer.echo("installed: " + ", ".join(report.fixed))
    missing_required = [c.name for c in report.checks if c.level == "required" and not c.ok]
    if missing_required:
        typer.echo("Missing required components: " + ", ".join(missing_required) + " (run the fix commands above)")
    elif any(c.auto_fix for c in report.checks if not c.ok):
        typer.echo("The core works. Run 'qualcode doctor --fix' for theme suggestions (BERTopic, no torch).")
    else:
        typer.echo("Everything required works.")


def register(app: typer.Typer) -> None:
    """Add the ``doctor`` command."""
    app.command("doctor")(doctor)
