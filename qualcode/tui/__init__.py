"""The coding workbench: a Textual app over the project store.

Textual is imported by the modules of this package, never by
``qualcode.cli`` at start-up: ``qualcode tui`` imports :func:`make_app`
inside the command function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.tui.app import QualcodeApp


def make_app(project_path: str | None = None, **kwargs: object) -> "QualcodeApp":
    """Build the app for a project file (see :func:`qualcode.tui.app.make_app`)."""
    from qualcode.tui.app import make_app as _make_app

    return _make_app(project_path, **kwargs)  # type: ignore[arg-type]


__all__ = ["make_app"]
