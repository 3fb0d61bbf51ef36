"""Messages screens send to the app, instead of reaching into it.

Why messages: a screen that changed the project, or wants a document shown,
says so and the app decides what follows (reload other screens, reuse an
open document view). Screens then need no import of the app class and no
cast to it, and tests can watch these messages with ``message_hook``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # pragma: no cover
    from textual.screen import Screen


class DataChanged(Message):
    """The project changed; every screen but ``source`` (which has reloaded itself) must re-read it."""

    def __init__(self, source: "Screen | None" = None) -> None:
        self.source = source
        super().__init__()


class OpenDocument(Message):
    """Show a document, at ``offset`` or with ``select`` selected."""

    def __init__(self, document_id: int, *, offset: int | None = None, select: tuple[int, int] | None = None) -> None:
        self.document_id, self.offset, self.select = document_id, offset, select
        super().__init__()


class ImportProgress(Message):
    """Posted by the import worker: ``done`` of ``total`` files."""

    def __init__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        super().__init__()
