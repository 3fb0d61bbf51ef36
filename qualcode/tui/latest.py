"""Background reads where only the latest request counts, and a newer one interrupts the older.

Why: Textual's ``exclusive`` workers drop a superseded worker's result, but a
thread cannot be stopped, so its SQL would run on to the end and compete for
the two cores with the read the user is waiting for (a filter keystroke at
10^6 documents, a frequency table that takes seconds). Each job runs on its
own connection with a progress handler that aborts its statement once a
newer request was made (:meth:`LatestJob.start`; SQLite checks every few
thousand steps, and it also catches a statement begun just after the newer
request), and a superseded job returns ``None`` instead of its result or its
error.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from qualcode.tui.workers import own_project

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.store import Project

T = TypeVar("T")
STEPS = 20_000
"""SQLite virtual-machine steps between two checks for a newer request (well under a millisecond)."""


class LatestJob:
    """Numbered requests for one screen's reads; only the latest one's result comes back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.generation = 0
        self._lock = threading.Lock()

    def start(self) -> int:
        """A new request: the running job stops at its next check; returns the new request's number."""
        with self._lock:
            self.generation += 1
            return self.generation

    def current(self, number: int) -> bool:
        """Whether request ``number`` is still the latest."""
        return number == self.generation

    def run(self, number: int, job: Callable[["Project"], T]) -> T | None:
        """Run ``job`` on a connection of this thread for request ``number`` (``None`` once superseded)."""
        if not self.current(number):
            return None
        with own_project(self.path) as project:
            project.db.conn.set_progress_handler(lambda: not self.current(number), STEPS)
            try:
                return job(project)
            except Exception:
                if not self.current(number):
                    return None  # interrupted (or failed) after a newer request: nobody waits for it
                raise
