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

from qualcode.errors import ProjectError
from qualcode.store.action import Action
from qualcode.store.attribution import AttributionStore
from qualcode.store.autotag import AutotagStore
from qualcode.store.base import APPLICATION_ID, default_coder, now, resolve_project_path
from qualcode.store.busy import ProjectDatabase, WaitNotice, busy_limit_from_env, storage_error
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
from qualcode.store.tables import TablesStore


class Project:
    """An open qualcode project file.

    Open with :func:`open_project`; the repositories hang off it
    (``project.documents``, ``project.codes``, ``project.codings`` …).
    """

    def __init__(self, path: Path, db: ProjectDatabase) -> None:
        self.path = path
        self.db = db
        #: Who the actions of this connection are logged as (``None``: $QUALCODE_CODER or the OS user).
        self.coder: str | None = None
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
        self.tables = TablesStore(self)

    # -- lifecycle -----------------------------------------------------
    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        with contextlib.suppress(Exception):
            self.db.conn.close()

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def set_busy(self, seconds: float | None = None, on_wait: WaitNotice | None = None) -> None:
        """How long a write waits for another process's lock, and who is told it waits."""
        if seconds is not None:
            self.db.set_busy_timeout(seconds)
        if on_wait is not None:
            self.db.on_wait = on_wait

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

    def set_meta(self, key: str, value: str) -> None:
        """Set a project-level setting (logged, not undoable)."""
        with self.action("meta", f"set {key}", undoable=False):
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])

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
        act = Action(self, name, summary, actor or self.coder or default_coder())
        act.undoable = undoable
        self._action = act
        try:
            with self.db.atomic():
                yield act
                if act.changes or not undoable:
                    if undoable:
                        # A new action invalidates its actor's redo stack (not another coder's).
                        redo_stack = (
                            "SELECT id FROM events WHERE state = 'undone'"
                            " AND id IN (SELECT undo_of FROM events WHERE action = 'undo' AND actor = ?)"
                        )
                        self.db.execute(f"DELETE FROM undone_rows WHERE event_id IN ({redo_stack})", [act.actor])
                        self.db.execute(f"DELETE FROM moved_rows WHERE event_id IN ({redo_stack})", [act.actor])
                        self.db.execute(
                            "UPDATE events SET state = 'discarded' WHERE state = 'undone' AND id IN"
                            " (SELECT undo_of FROM events WHERE action = 'undo' AND actor = ?)",
                            [act.actor],
                        )
                    values = [
                        name,
                        act.summary,
                        act.actor,
                        now(),
                        "done" if undoable else "log",
                        json.dumps(act.changes, ensure_ascii=False) if undoable else None,
                        act.run_id,
                    ]
                    if act._event_id is not None:  # created early by a bulk delete
                        self.db.execute(
                            "UPDATE events SET action = ?, summary = ?, actor = ?, created_at = ?, state = ?,"
                            " changes = ?, run_id = ? WHERE id = ?",
                            [*values, act._event_id],
                        )
                    else:
                        self.db.execute(
                            "INSERT INTO events (action, summary, actor, created_at, state, changes, run_id)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?)",
                            values,
                        )
                elif act._event_id is not None:
                    self.db.execute("DELETE FROM events WHERE id = ?", [act._event_id])
        finally:
            self._action = None


def _shared_default() -> bool:
    return os.environ.get("QUALCODE_SHARED", "").strip().lower() in ("1", "yes", "true", "on")


def _create_private(target: Path, shared: bool) -> bool:
    """Create an empty project file owner-only (0600), or group-readable (0640)
    when ``shared``, whatever the umask; SQLite gives ``-wal``/``-shm`` the same mode.
    False if another process created it first."""
    mode = 0o640 if shared else 0o600
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, mode)
    finally:
        os.close(fd)
    return True


def open_project(
    path: str | os.PathLike[str] | None = None,
    *,
    create: bool = True,
    busy_timeout: float | None = None,
    on_wait: WaitNotice | None = None,
    shared: bool | None = None,
) -> Project:
    """Open (and migrate) a project file, creating it if asked.

    ``busy_timeout`` (seconds, default ``$QUALCODE_BUSY_TIMEOUT`` or 60) is
    how long a write waits while another process writes; ``on_wait`` is told
    once, after a second, that it is waiting. A new file is created 0600
    (0640 with ``shared``, default ``$QUALCODE_SHARED``).

    Raises:
        ProjectError: the file does not exist (and ``create`` is false), is
            not SQLite, or belongs to another application.
        ProjectBusyError: another process kept the project locked too long.
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
    limit = busy_limit_from_env() if busy_timeout is None else busy_timeout
    created = False
    conn: sqlite3.Connection | None = None
    try:
        if not target.exists():
            created = _create_private(target, _shared_default() if shared is None else shared)
        conn = sqlite3.connect(str(target), timeout=limit, check_same_thread=False)
        db = ProjectDatabase(conn, path=target, busy_limit=limit, on_wait=on_wait)
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        has_tables = bool(db.table_names())
        if has_tables and app_id != APPLICATION_ID:
            conn.close()
            raise ProjectError("not a qualcode project file", where=str(target))
        db.set_busy_timeout(limit)
        db.execute("PRAGMA foreign_keys = ON")
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
        migrations.apply(db)
        if app_id != APPLICATION_ID:
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            with db.atomic():
                db["meta"].insert({"key": "created_at", "value": now()}, replace=True)
    except (sqlite3.DatabaseError, OSError) as exc:
        if created:
            _remove_new(target, conn)
        coded = storage_error(exc, str(target))
        if coded is not None:
            raise coded from None
        raise ProjectError(f"cannot open project: {exc}", where=str(target)) from None
    except BaseException:
        if created:
            _remove_new(target, conn)
        raise
    return Project(target, db)


def _remove_new(target: Path, conn: sqlite3.Connection | None) -> None:
    """A project file this call created but could not set up is removed, not left empty."""
    if conn is not None:
        with contextlib.suppress(sqlite3.Error):
            conn.close()
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            Path(str(target) + suffix).unlink()
