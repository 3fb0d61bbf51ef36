"""The home screen's filter queries on worker threads, where a newer keystroke interrupts an older query.

Why: Textual's ``exclusive`` workers drop a superseded worker's result, but
a thread cannot be stopped, so its SQL would run on to the end and compete
with the query the user is waiting for. Each query runs on its own
connection; a new filter calls ``interrupt()`` on the running one (SQLite
then stops at its next step), and a result for a filter that is no longer
wanted is returned as ``None``.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from qualcode.tui.workers import own_project

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.store import Project
    from qualcode.store.documents import DocumentSummary

T = TypeVar("T")


class FilterSearch:
    """Runs filter queries for one screen; only the latest wanted filter's results come back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.wanted: str | None = None
        self._running: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def want(self, query: str) -> None:
        """Make ``query`` the wanted filter; interrupt the query running for another one."""
        with self._lock:
            changed, self.wanted = self.wanted != query, query
            running = self._running if changed else None
        if running is not None:
            with contextlib.suppress(sqlite3.Error):
                running.interrupt()

    def page(self, query: str, limit: int) -> tuple[str, list["DocumentSummary"]] | None:
        """The first ``limit`` documents matching ``query`` (``None`` if another filter is wanted by now)."""
        return self._run(query, lambda project: project.documents.summaries(query=query, limit=limit))

    def count(self, query: str, cap: int) -> tuple[str, int] | None:
        """How many documents match ``query`` (up to ``cap + 1``), or ``None`` if it is stale."""
        return self._run(query, lambda project: project.documents.matching(query, cap))

    def _run(self, query: str, job: Callable[["Project"], T]) -> tuple[str, T] | None:
        if query != self.wanted:
            return None
        with own_project(self.path) as project:
            conn = project.db.conn
            with self._lock:
                if query != self.wanted:
                    return None
                self._running = conn
            try:
                return query, job(project)
            except sqlite3.OperationalError:
                if query != self.wanted:
                    return None  # interrupted: a newer keystroke wants another filter
                raise
            finally:
                with self._lock:
                    if self._running is conn:
                        self._running = None
