"""Behaviour shared by the app's screens: reload when the data changed.

Why: undo, redo and edits made on one screen change what other screens show.
The app keeps a ``data_version`` counter; a screen reloads from the store
when it becomes current and its copy is older, and the current screen is told
at once. Screens never cache across versions, so they cannot show stale data.
A screen reports its own changes with a :class:`~qualcode.tui.messages.DataChanged`
message, and a failed worker through :func:`~qualcode.tui.workers.report_failure`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from textual.screen import Screen
from textual.worker import Worker, WorkerState

from qualcode.tui.workers import report_failure

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.store import Project
    from qualcode.tui.app import QualcodeApp

T = TypeVar("T")


class QScreen(Screen[None]):
    """A screen that shows project data and can reload it."""

    screen_name: str = ""
    seen_version: int = -1

    @property
    def qapp(self) -> "QualcodeApp":
        return cast("QualcodeApp", self.app)

    @property
    def project(self) -> "Project":
        """The UI thread's connection (workers open their own)."""
        return self.qapp.project

    def attempt(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Call a store function through the app: an error becomes a notification (retryable), not a crash."""
        return self.qapp.attempt(fn, *args, **kwargs)

    def reload(self) -> None:
        """Re-read what this screen shows from the store."""

    def sync(self) -> None:
        """Reload if the project changed since this screen last looked."""
        version = self.qapp.data_version
        if self.seen_version != version:
            self.seen_version = version
            self.reload()

    def on_mount(self) -> None:
        self.seen_version = self.qapp.data_version

    def on_screen_resume(self) -> None:
        self.sync()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            report_failure(self, event.worker)
