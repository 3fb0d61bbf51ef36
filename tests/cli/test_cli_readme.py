"""Every CLI command and option is documented in README.md (as sqlite-utils checks its docs).

Why: the README is the one CLI reference; a command or flag added without a
line there is invisible to users. Each command must appear as
``qualcode <command>``, and each of its long options somewhere in the README.
"""

from __future__ import annotations

from pathlib import Path

import pytest

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def commands() -> list[tuple[str, object]]:
    """(``"export frequencies"``, command) for every command and group of the CLI."""
    import typer

    from qualcode.cli.main import app

    root = typer.main.get_command(app)
    found = []

    def walk(prefix: str, cmd) -> None:
        if prefix:
            found.append((prefix, cmd))
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):  # a group (typer vendors click)
            walk(f"{prefix} {name}".strip(), sub)

    walk("", root)
    return found


COMMANDS = commands()


def test_the_walk_finds_the_cli():
    names = [name for name, _ in COMMANDS]
    assert {"import", "export frequencies", "suggest accept", "autotag evaluate"} <= set(names)


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_command_and_options_are_in_readme(name, command):
    assert f"qualcode {name}" in README, f"README has no `qualcode {name}`"
    missing = [
        opt
        for p in command.params
        if p.param_type_name == "option"
        for opt in p.opts
        if opt.startswith("--") and opt not in README
    ]
    assert missing == [], f"qualcode {name}: options not in README: {missing}"
