"""Background reads where only the latest request counts, and a newer one interrupts the older.

Why: Textual's ``exclusive`` workers drop a superseded worker's result, but a
thread cannot be stopped, so its SQL would run on to the end and compete for
the two cores with the read the user is waiting for (a filter keystroke at
10^6 documents, a frequency table that takes seconds). Each job runs on its
own connection; :meth:`LatestJob.start` calls ``interrupt()`` on the running
one (SQLite stops at its next step), and a superseded job returns ``None``
instead of its result or its error.
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

T = TypeVar("T")


class LatestJob:
    """Numbered requests for one screen's reads; only the latest one's result comes back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.generation = 0
        self._running: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def start(self) -> int:
        """A new request: interrupt the running job and return the new request's number."""
        with self._lock:
            self.generation += 1
            running, number = self._running, self.generation
        if running is not None:
            with contextlib.suppress(sqlite3.Error):
                running.interrupt()
        return number

    def current(self, number: int) -> bool:
        """Whether request ``number`` is still the latest."""
        return number == self.generation

    def run(self, number: int, job: Callable[["Project"], T]) -> T | None:
        """Run ``job`` on a connection of this thread for request ``number`` (``None`` once superseded)."""
        if not self.current(number):
            return None
        with own_project(self.path) as project:
            conn = project.db.conn
            with self._lock:
                if not self.current(number):
                    return None
                self._running = conn
            try:
                return job(project)
            except Exception:
                if not self.current(number):
                    return None  # interrupted (or failed) after a newer request: nobody waits for it
                raise
            finally:
                with self._lock:
                    if self._running is conn:
                        self._running = None
