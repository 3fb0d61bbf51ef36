"""What every TUI thread worker shares (its own connection), and the one error path.

Why: SQLite connections belong to the thread that opened them, so a worker
opens its own project, does one job and returns its result; the screen reads
``worker.result`` when Textual reports the worker's success. Workers start
with ``exit_on_error=False``, so a failure ends the worker, not the app, and
:func:`report_failure` (called by the app and by every screen) is the one
place a failed worker becomes a notification (a store call on the UI thread
goes through ``QualcodeApp.attempt``, which can also retry it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import QualcodeError
from qualcode.store import Project, open_project

if TYPE_CHECKING:  # pragma: no cover
    from textual.dom import DOMNode
    from textual.worker import Worker


@contextmanager
def own_project(path: Path) -> Iterator[Project]:
    """A connection for this thread to the project at ``path``, always closed."""
    project = open_project(path, create=False)
    try:
        yield project
    finally:
        project.close()


def failure_text(error: BaseException | None) -> str:
    """A user error's own message; anything else says it failed and why."""
    if isinstance(error, QualcodeError):
        return error.message
    return f"failed: {error}"


def report_failure(node: "DOMNode", worker: "Worker[object]") -> None:
    """Show a failed worker's error as a notification titled with the worker's name."""
    node.notify(failure_text(worker.error), title=worker.name or "Background task", severity="error")
