"""Options, output and error handling shared by every command.

Why: every command must behave the same way for scripts: ``--json`` prints
one JSON document on stdout, a user error prints one line on stderr and exits
1, and nothing ever shows a traceback for a user error.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import click
import typer

from qualcode.errors import as_user_error

if TYPE_CHECKING:
    from qualcode.store import Project

ProjectOpt = Annotated[
    Path | None,
    typer.Option(
        "--project",
        "-p",
        help="Project file (default: $QUALCODE_PROJECT or ./qualcode.db).",
        envvar="QUALCODE_PROJECT",
        show_default=False,
    ),
]
CoderOpt = Annotated[
    str | None,
    typer.Option("--coder", help="Coder identity (default: $QUALCODE_CODER or the OS user).", envvar="QUALCODE_CODER"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (stable keys, see README).")]


def fail(message: str) -> NoReturn:
    """Print a user error on stderr, on one line, and exit 1."""
    typer.echo(f"Error: {' '.join(message.split())}", err=True)
    raise typer.Exit(1)


_PASS_THROUGH = (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, KeyboardInterrupt)


def wait_notice(message: str) -> None:
    """Told once when a write has waited a second for another process's lock."""
    typer.echo(message, err=True)


@contextlib.contextmanager
def open_for_command(project: Path | None, *, create: bool = False) -> Iterator["Project"]:
    """Open the project for one command and turn user errors into exit 1.

    Writes wait for another process's lock (``$QUALCODE_BUSY_TIMEOUT``, 60 s),
    saying so on stderr after a second.
    """
    from qualcode.store import open_project

    where = str(project) if project else None
    try:
        with open_project(project, create=create, on_wait=wait_notice) as proj:
            where = str(proj.path)
            yield proj
    except _PASS_THROUGH:
        raise
    except Exception as exc:  # noqa: BLE001 - coded or re-raised
        _fail_coded(exc, where)


@contextlib.contextmanager
def user_errors(where: str | None = None) -> Iterator[None]:
    """Turn :class:`QualcodeError` (and input/machine failures, see
    :func:`qualcode.errors.as_user_error`) raised inside the block into exit 1."""
    try:
        yield
    except _PASS_THROUGH:
        raise
    except Exception as exc:  # noqa: BLE001 - coded or re-raised
        _fail_coded(exc, where)


def _fail_coded(exc: Exception, where: str | None) -> NoReturn:
    # The project path names only project failures; input errors name their own file.
    coded = as_user_error(exc, where if isinstance(exc, sqlite3.Error) else None)
    if coded is None:
        raise exc
    fail(str(coded))


@contextlib.contextmanager
def discard_if_new(project: Path | None) -> Iterator[None]:
    """Remove the project file the block created if the block fails, so a failed
    first import leaves no empty project behind."""
    from qualcode.store import resolve_project_path

    target = resolve_project_path(project)
    new = not target.exists()
    try:
        yield
    except BaseException:
        if new:
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    Path(str(target) + suffix).unlink()
        raise


def print_json(data: Any) -> None:
    """One JSON document on stdout, written as it is encoded.

    Why not one ``json.dumps`` string: an import of 10^6 answers lists every
    document name; the whole string was ~110 MB of the command's peak memory.
    """
    out = sys.stdout
    encoder = json.JSONEncoder(ensure_ascii=False, indent=2, default=str)
    buffer: list[str] = []
    size = 0
    for chunk in encoder.iterencode(data):
        buffer.append(chunk)
        size += len(chunk)
        if size > 1 << 16:
            out.write("".join(buffer))
            buffer.clear()
            size = 0
    buffer.append("\n")
    out.write("".join(buffer))
    out.flush()


def is_terminal() -> bool:
    """Progress bars only on an interactive terminal; silence when piped."""
    return sys.stderr.isatty()


def progress(total: int, description: str):  # noqa: ANN201 - rich type is lazy
    """A context manager giving ``advance(n)``: a rich progress bar on a
    terminal, a no-op otherwise."""
    return _Progress(total, description)


class _Progress:
    def __init__(self, total: int, description: str) -> None:
        self.total = total
        self.description = description
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> "_Progress":
        if is_terminal() and self.total > 1:
            from rich.progress import Progress

            self._bar = Progress(transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task(self.description, total=self.total)
        return self

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n)

    def __call__(self, done: int, total: int) -> None:
        """Callback form used by core functions: ``on_progress(done, total)``."""
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
