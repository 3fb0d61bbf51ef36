"""The project file: one SQLite database per study.

Why this shape: every public mutation goes through :meth:`Project.action`,
which opens one transaction and records each row it inserts, updates or
deletes into the ``events`` table *in the same transaction*. That single log
gives us atomic writes (a crash or an exception rolls the whole action back),
an audit trail, and undo/redo that survives restarts, without any
table-specific undo code.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from qualcode.errors import ProjectError
from qualcode.store.action import Action
from qualcode.store.attribution import AttributionStore
from qualcode.store.autotag import AutotagStore
from qualcode.store.base import APPLICATION_ID, default_coder, now, resolve_project_path
from qualcode.store.codes import CodeStore
from qualcode.store.codings import CodingStore
from qualcode.store.documents import DocumentStore
from qualcode.store.history import History
from qualcode.store.memos import MemoStore
from qualcode.store.participants import ParticipantStore
from qualcode.store.reconcile import ReconcileStore
from qualcode.store.runs import RunStore
from qualcode.store.schema import migrations
from qualcode.store.search import Search
from qualcode.store.speakers import SpeakerStore
from qualcode.store.suggestions import SuggestionStore


class Project:
    """An open qualcode project file.

    Open with :func:`open_project`; the repositories hang off it
    (``project.documents``, ``project.codes``, ``project.codings`` …).
    """

    def __init__(self, path: Path, db: Database) -> None:
        self.path = path
        self.db = db
        self._action: Action | None = None
        self.participants = ParticipantStore(self)
        self.documents = DocumentStore(self)
        self.codes = CodeStore(self)
        self.codings = CodingStore(self)
        self.memos = MemoStore(self)
        self.history = History(self)
        self.runs = RunStore(self)
        self.search = Search(self)
        self.suggestions = SuggestionStore(self)
        self.autotag = AutotagStore(self)
        self.attribution = AttributionStore(self)
        self.speakers = SpeakerStore(self)
        self.reconcile = ReconcileStore(self)

    # -- lifecycle -----------------------------------------------------
    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        with contextlib.suppress(Exception):
            self.db.conn.close()

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- helpers used by the repositories ---------------------------------
    def row(self, table: str, row_id: int) -> dict[str, Any] | None:
        """One row as a dict, or ``None``."""
        cur = self.db.execute(f"SELECT * FROM [{table}] WHERE id = ?", [row_id])
        names = [d[0] for d in cur.description]
        found = cur.fetchone()
        return dict(zip(names, found)) if found else None

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        """Run a read-only query and return dict rows."""
        return list(self.db.query(sql, params))

    def meta(self, key: str, default: str | None = None) -> str | None:
        found = self.query("SELECT value FROM meta WHERE key = ?", [key])
        return found[0]["value"] if found else default

    @contextlib.contextmanager
    def action(
        self, name: str, summary: str = "", *, actor: str | None = None, undoable: bool = True
    ) -> Iterator[Action]:
        """One atomic, logged, undoable user action.

        Everything done through the yielded :class:`Action` commits together
        with its event row, or not at all. Nested calls join the outer action.
        """
        if self._action is not None:
            yield self._action
            return
        act = Action(self, name, summary, actor or default_coder())
        act.undoable = undoable
        self._action = act
        try:
            with self.db.atomic():
                yield act
                if act.changes or not undoable:
                    if undoable:
                        # A new action invalidates the redo stack.
                        self.db.execute(
                            "DELETE FROM undone_rows WHERE event_id IN"
                            " (SELECT id FROM events WHERE state = 'undone')"
                        )
                        self.db.execute(
                            "UPDATE events SET state = 'discarded' WHERE state = 'undone'"
                        )
                    self.db.execute(
                        "INSERT INTO events (action, summary, actor, created_at, state, changes, run_id)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [
                            name,
                            act.summary,
                            act.actor,
                            now(),
                            "done" if undoable else "log",
                            json.dumps(act.changes, ensure_ascii=False) if undoable else None,
                            act.run_id,
                        ],
                    )
        finally:
            self._action = None


def open_project(
    path: str | os.PathLike[str] | None = None, *, create: bool = True
) -> Project:
    """Open (and migrate) a project file, creating it if asked.

    Raises:
        ProjectError: the file does not exist (and ``create`` is false), is
            not SQLite, or belongs to another application.
    """
    target = resolve_project_path(path)
    if not target.exists() and not create:
        raise ProjectError(
            "no project here; create one with 'qualcode init' or pass --project",
            where=str(target),
        )
    if target.exists() and target.is_dir():
        raise ProjectError("is a directory, not a project file", where=str(target))
    if target.parent and not target.parent.exists():
        raise ProjectError("folder does not exist", where=str(target.parent))
    try:
        conn = sqlite3.connect(str(target), timeout=30.0, check_same_thread=False)
        db = Database(conn)
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        has_tables = bool(db.table_names())
        if has_tables and app_id != APPLICATION_ID:
            conn.close()
            raise ProjectError("not a qualcode project file", where=str(target))
        db.execute("PRAGMA busy_timeout = 30000")
        db.execute("PRAGMA foreign_keys = ON")
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
        migrations.apply(db)
        if app_id != APPLICATION_ID:
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            with db.atomic():
                db["meta"].insert({"key": "created_at", "value": now()}, replace=True)
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"cannot open project: {exc}", where=str(target)) from None
    return Project(target, db)
