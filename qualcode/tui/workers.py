"""The body every TUI thread worker shares.

Why: SQLite connections belong to the thread that opened them, so a worker
opens its own project, does one job, and reports back only through messages.
Errors become a message (never a crash), and the connection is always closed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from qualcode.errors import QualcodeError
from qualcode.store import Project, open_project


def with_own_project(path: Path, job: Callable[[Project], None], fail: Callable[[str], None], what: str) -> None:
    """Run ``job`` on a new connection to ``path``; report any error through ``fail``."""
    project = None
    try:
        project = open_project(path, create=False)
        job(project)
    except QualcodeError as exc:
        fail(exc.message)
    except Exception as exc:  # noqa: BLE001 - show, never crash the UI
        fail(f"{what} failed: {exc}")
    finally:
        if project is not None:
            project.close()
