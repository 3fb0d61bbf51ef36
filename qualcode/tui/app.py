"""The workbench app: project connection, coder, undo/redo, navigation.

Why the app owns these: undo/redo, search, the coder identity and switching
screens work the same everywhere, so they live here once; screens own what
they show. The app holds one store connection for the UI thread; workers
open their own (SQLite connections are not shared across threads) and only
post messages back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from qualcode.errors import ProjectBusyError, QualcodeError, StorageError, as_user_error
from qualcode.store import Project, SearchHit, default_coder, open_project, resolve_project_path
from qualcode.store.busy import busy_limit_from_env
from qualcode.tui.commands import QualcodeCommands
from qualcode.tui.messages import DataChanged, ImportProgress, OpenDocument
from qualcode.tui.screens import SCREENS
from qualcode.tui.screens.base import QScreen
from qualcode.tui.workers import own_project, report_failure

T = TypeVar("T")
UI_BUSY_LIMIT = 5.0


class QualcodeApp(App[None]):
    """Code transcripts in the terminal.

    Each top-level screen is a Textual mode with its own screen stack (a
    document opened from the excerpts stays on the excerpts' stack); the
    function keys switch modes.
    """

    MODES = {e.name: e.factory for e in SCREENS}
    DEFAULT_MODE = "home"
    CSS_PATH = "styles/app.tcss"
    TITLE = "qualcode"
    COMMANDS = App.COMMANDS | {QualcodeCommands}
    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help"),
        Binding("question_mark", "help", "Help", show=False, id="app.help_alt"),
        Binding("ctrl+z", "undo", "Undo", id="app.undo"),
        Binding("ctrl+y", "redo", "Redo", id="app.redo"),
        Binding("slash", "search", "Search", id="app.search"),
        Binding("ctrl+f", "search", "Search", show=False, id="app.search_alt"),
        Binding("ctrl+o", "import", "Import", id="app.import"),
        Binding("ctrl+t", "set_coder", "Coder", show=False, id="app.coder"),
        Binding("ctrl+r", "retry", "Retry", show=False, id="app.retry"),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit"),
    ] + [
        Binding(e.key, f"show_screen('{e.name}')", e.title, show=e.name != "home", id=f"screen.{e.name}")
        for e in SCREENS
    ]

    def __init__(self, project: Project, *, coder: str | None = None) -> None:
        super().__init__()
        self.project = project
        self.coder = coder or default_coder()
        self.data_version = 0
        self.last_code_id: int | None = None
        #: The last write that failed on a busy or failing store, kept for ctrl+r.
        self.pending_retry: Callable[[], Any] | None = None
        project.coder = self.coder
        # The UI thread must not freeze for a minute behind another writer: wait a
        # few seconds, then show the error and keep the action for ctrl+r.
        project.set_busy(min(busy_limit_from_env(), UI_BUSY_LIMIT))

    import_progress: reactive[tuple[int, int] | None] = reactive(None)
    """Files done and total of the running import (``None``: no import running)."""

    # -- lifecycle -------------------------------------------------------------
    def on_mount(self) -> None:
        self._update_subtitle()

    def on_unmount(self) -> None:
        self.project.close()

    def _update_subtitle(self) -> None:
        self.sub_title = f"{self.project.path.name} · coder: {self.coder}"

    # -- errors ------------------------------------------------------------------
    def attempt(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Call a store function; an error becomes a notification, never a crash.

        Why everything is caught: a busy project, a full disk or a read-only
        file must not end the session and lose the analyst's place; the failed
        call is kept so ctrl+r can retry it once the cause is gone.
        """
        try:
            return fn(*args, **kwargs)
        except QualcodeError as exc:
            if isinstance(exc, ProjectBusyError | StorageError):
                self._keep_for_retry(fn, args, kwargs)
            self.notify(exc.message + self._retry_hint(exc), title=f"Error {exc.code}", severity="error")
            return None
        except Exception as exc:  # noqa: BLE001 - never exit on a store error
            coded = as_user_error(exc, str(self.project.path))
            self._keep_for_retry(fn, args, kwargs)
            message = coded.message if coded else f"{type(exc).__name__}: {exc}"
            self.notify(
                message + " — ctrl+r retries", title=f"Error {coded.code if coded else 'E000'}", severity="error"
            )
            return None

    def _keep_for_retry(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.pending_retry = lambda: fn(*args, **kwargs)

    @staticmethod
    def _retry_hint(exc: QualcodeError) -> str:
        return " — ctrl+r retries" if isinstance(exc, ProjectBusyError | StorageError) else ""

    def action_retry(self) -> None:
        """Run the write that last failed on a busy or failing store again."""
        job, self.pending_retry = self.pending_retry, None
        if job is None:
            self.notify("nothing to retry", timeout=2)
            return
        if self.attempt(job) is not None or self.pending_retry is None:
            self.notify("retried: saved", timeout=2)
            self.data_changed()

    def _handle_exception(self, error: Exception) -> None:
        # Safety net: a store or user error that escaped a handler is shown, not fatal.
        coded = as_user_error(error, str(self.project.path))
        if coded is not None or isinstance(error, sqlite3.Error):
            message = coded.message if coded else str(error)
            self.notify(message, title=f"Error {coded.code if coded else 'E000'}", severity="error")
            return
        super()._handle_exception(error)

    # -- data changes ------------------------------------------------------------
    def data_changed(self, *, source: Screen | None = None) -> None:
        """Bump the data version; the current screen reloads unless it is the source."""
        self.data_version += 1
        if isinstance(source, QScreen):
            source.seen_version = self.data_version
        if isinstance(self.screen, QScreen) and self.screen is not source:
            self.screen.sync()

    def on_data_changed(self, message: DataChanged) -> None:
        self.data_changed(source=message.source)

    # -- actions ------------------------------------------------------------------
    def action_undo(self) -> None:
        """Undo this coder's last action; another coder's only after a confirmation naming them."""
        history = self.project.history
        if self.attempt(history.next_undo, self.coder) is None:
            other = self.attempt(history.next_undo, any_coder=True)
            if other is not None:
                self._confirm_undo_other(other)
                return
        self._undo(any_coder=False)

    def _undo(self, *, any_coder: bool) -> None:
        event = self.attempt(self.project.history.undo, self.coder, any_coder=any_coder)
        if event is not None:
            self.notify(f"Undid: {event.summary}", timeout=3)
            self.data_changed()

    def _confirm_undo_other(self, other: Any) -> None:
        from qualcode.tui.modals.choice import ChoiceModal

        def done(yes: bool | None) -> None:
            if yes:
                self._undo(any_coder=True)

        self.push_screen(
            ChoiceModal(
                f'Nothing of yours ({self.coder}) to undo. Undo {other.actor}\'s "{other.summary}"?',
                [(f"Yes, undo {other.actor}'s action", True), ("No, keep it", False)],
                highlight=1,
            ),
            done,
        )

    def action_redo(self) -> None:
        event = self.attempt(self.project.history.redo, self.coder)
        if event is not None:
            self.notify(f"Redid: {event.summary}", timeout=3)
            self.data_changed()

    def action_help(self) -> None:
        from qualcode.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_show_screen(self, name: str) -> None:
        """Switch to a top-level screen (its mode), back at its own base."""
        self.switch_mode(name)
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()
        elif self.current_mode != self.DEFAULT_MODE:
            self.switch_mode(self.DEFAULT_MODE)

    def action_search(self, query: str = "") -> None:
        from qualcode.tui.modals.search import SearchModal

        self.push_screen(SearchModal(lambda q: self.project.search(q), query), self._jump_to_hit)

    def _jump_to_hit(self, hit: SearchHit | None) -> None:
        if hit is None:
            return
        offset = hit.start
        marked = hit.snippet.split("[", 1)
        if len(marked) == 2 and "]" in marked[1]:
            word = marked[1].split("]", 1)[0]
            doc = self.attempt(self.project.documents.get, hit.document_id)
            if doc is not None:
                found = doc.text.lower().find(word.lower(), hit.start, hit.end)
                offset = found if found >= 0 else hit.start
        self.open_document(hit.document_id, offset=offset)

    def open_document(
        self, document_id: int, *, offset: int | None = None, select: tuple[int, int] | None = None
    ) -> None:
        """Show a document (reusing its open view) at an offset or a span."""
        from qualcode.tui.screens.document import DocumentScreen

        for i, screen in enumerate(self.screen_stack):
            if isinstance(screen, DocumentScreen) and screen.document_id == document_id:
                while len(self.screen_stack) > i + 1:
                    self.pop_screen()
                screen.jump(offset=offset, select=select)
                return
        for screen in list(self.screen_stack[1:]):
            if isinstance(screen, DocumentScreen):
                while self.screen is not screen:
                    self.pop_screen()
                self.pop_screen()
                break
        self.push_screen(DocumentScreen(document_id, offset=offset, select=select))

    def on_open_document(self, message: OpenDocument) -> None:
        self.open_document(message.document_id, offset=message.offset, select=message.select)

    def action_set_coder(self) -> None:
        from qualcode.tui.modals.prompt import PromptModal

        def done(value: str | None) -> None:
            if value:
                self.coder = value
                self.project.coder = value
                self._update_subtitle()
                self.notify(f"Coding as {value}")

        self.push_screen(
            PromptModal(
                "Coder identity (stored on every coding you apply)",
                self.coder,
                validate=lambda v: None if v else "the coder needs a name",
            ),
            done,
        )

    def action_import(self) -> None:
        from qualcode.tui.modals.prompt import PromptModal

        def done(value: str | None) -> None:
            if value:
                self.import_files([p for p in value.split() if p])

        self.push_screen(
            PromptModal("Import files or folders (space-separated paths)", placeholder="corpora/demo"), done
        )

    # -- long work ----------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="import", name="Import", exit_on_error=False)
    def import_files(self, paths: list[str]) -> str:
        """Import in a thread with its own connection; returns the summary line."""
        from qualcode.services.imports import import_files

        self.post_message(ImportProgress(0, max(1, len(paths))))
        with own_project(self.project.path) as project:
            summary = import_files(
                project, paths, on_progress=lambda done, total: self.post_message(ImportProgress(done, total))
            )
        return summary.line()

    def on_import_progress(self, message: ImportProgress) -> None:
        self.import_progress = (message.done, message.total)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            report_failure(self, event.worker)
        if event.worker.group == "import" and event.worker.is_finished:
            self.import_progress = None
            if event.state == WorkerState.SUCCESS:
                self.notify(str(event.worker.result or "import finished"), title="Import")
                self.data_changed()

    def action_speakers(self) -> None:
        from qualcode.tui.modals.speakers import SpeakersModal

        self.push_screen(SpeakersModal())

    # -- command palette --------------------------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Set coder", "Change who codings are attributed to", self.action_set_coder)
        yield SystemCommand("Import documents", "Import files or folders (runs in the background)", self.action_import)
        yield SystemCommand(
            "Speakers", "See speaker labels; rename, set role, merge participants", self.action_speakers
        )
        for e in SCREENS:
            yield SystemCommand(f"Go to {e.title}", e.help, lambda name=e.name: self.action_show_screen(name))
        yield SystemCommand(
            "Reconcile coders", "Step through two coders' disagreements into a consensus coder", self.action_reconcile
        )

    def action_reconcile(self) -> None:
        from qualcode.tui.screens.reconcile import ReconcileScreen

        self.push_screen(ReconcileScreen())


def make_app(project_path: str | Path | None = None, *, coder: str | None = None, create: bool = True) -> QualcodeApp:
    """Open the project and build the app.

    Raises:
        ProjectError: the file cannot be opened as a project.
    """
    project = open_project(resolve_project_path(project_path), create=create)
    return QualcodeApp(project, coder=coder)
