"""Behaviour shared by the app's screens: reload when the data changed.

Why: undo, redo and edits made on one screen change what other screens show.
The app keeps a ``data_version`` counter; a screen reloads from the store
when it becomes current and its copy is older, and the current screen is told
at once. Screens never cache across versions, so they cannot show stale data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.tui.app import QualcodeApp


class QScreen(Screen[None]):
    """A screen that shows project data and can reload it."""

    screen_name: str = ""
    seen_version: int = -1

    @property
    def qapp(self) -> "QualcodeApp":
        return cast("QualcodeApp", self.app)

    def reload(self) -> None:
        """Re-read what this screen shows from the store."""

    def sync(self) -> None:
        """Reload if the project changed since this screen last looked."""
        version = self.qapp.data_version
        if self.seen_version != version:
            self.seen_version = version
            self.reload()

    def on_screen_resume(self) -> None:
        self.sync()
