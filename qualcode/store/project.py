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
import getpass
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from qualcode.errors import ProjectError
from qualcode.store.schema import migrations

DEFAULT_PROJECT = "qualcode.db"
PROJECT_ENV = "QUALCODE_PROJECT"
CODER_ENV = "QUALCODE_CODER"
APPLICATION_ID = 0x51434F44  # "QCOD": marks the file as a qualcode project


def now() -> str:
    """UTC timestamp in ISO 8601 with seconds, used for every stored time."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def default_coder() -> str:
    """The coder identity: ``$QUALCODE_CODER`` or the OS user name."""
    env = os.environ.get(CODER_ENV)
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no passwd entry in some containers
        return "coder"


def resolve_project_path(path: str | os.PathLike[str] | None) -> Path:
    """``--project`` if given, else ``$QUALCODE_PROJECT``, else ``./qualcode.db``."""
    if path:
        return Path(path)
    return Path(os.environ.get(PROJECT_ENV) or DEFAULT_PROJECT)


class Action:
    """Records the row-level changes of one user action.

    Each ``insert``/``update``/``delete`` is executed at once (inside the
    action's transaction) and remembered so the action can be undone and
    redone. Use it only through :meth:`Project.action`.
    """

    def __init__(self, project: "Project", name: str, summary: str, actor: str) -> None:
        self.project = project
        self.name = name
        self.summary = summary
        self.actor = actor
        self.changes: list[list[Any]] = []
        self.run_id: int | None = None
        self.undoable = True

    @property
    def conn(self) -> sqlite3.Connection:
        return self.project.db.conn

    def insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert one row and return its id."""
        cols = list(row)
        sql = f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) VALUES ({', '.join('?' for _ in cols)})"
        cur = self.conn.execute(sql, [row[c] for c in cols])
        new_id = int(cur.lastrowid or 0)
        stored = dict(row)
        stored.setdefault("id", new_id)
        self.changes.append(["i", table, new_id, stored])
        return new_id

    def insert_many(self, table: str, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert rows sharing the same columns; returns their ids in order."""
        if not rows:
            return []
        cols = list(rows[0])
        sql = f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) VALUES ({', '.join('?' for _ in cols)})"
        first = self.conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM [{table}]").fetchone()[0]
        self.conn.executemany(sql, [[r[c] for c in cols] for r in rows])
        ids = [
            r[0]
            for r in self.conn.execute(
                f"SELECT id FROM [{table}] WHERE id > ? ORDER BY id", [first]
            )
        ]
        if len(ids) != len(rows):  # pragma: no cover - defensive
            raise RuntimeError(f"insert_many into {table}: id bookkeeping failed")
        for new_id, row in zip(ids, rows):
            stored = dict(row)
            stored["id"] = new_id
            self.changes.append(["i", table, new_id, stored])
        return ids

    def update(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        """Update columns of one row, remembering their previous values."""
        cols = list(values)
        before = self.project.row(table, row_id)
        if before is None:
            return
        old = {c: before.get(c) for c in cols}
        if old == values:
            return
        sets = ", ".join(f"[{c}] = ?" for c in cols)
        self.conn.execute(
            f"UPDATE [{table}] SET {sets} WHERE id = ?", [values[c] for c in cols] + [row_id]
        )
        self.changes.append(["u", table, row_id, old, dict(values)])

    def update_many(self, table: str, row_ids: Sequence[int], values: dict[str, Any]) -> list[int]:
        """Set the same ``values`` on many rows in a few statements; logged like :meth:`update`.

        Returns the ids that do not exist (nothing is changed for them).
        """
        cols = list(values)
        missing: list[int] = []
        for at in range(0, len(row_ids), 500):
            chunk = list(row_ids[at : at + 500])
            marks = ", ".join("?" for _ in chunk)
            cur = self.conn.execute(
                f"SELECT id, {', '.join(f'[{c}]' for c in cols)} FROM [{table}] WHERE id IN ({marks})", chunk
            )
            before = {r[0]: dict(zip(cols, r[1:])) for r in cur.fetchall()}
            missing += [i for i in chunk if i not in before]
            changed = [i for i in chunk if i in before and before[i] != values]
            if not changed:
                continue
            sets = ", ".join(f"[{c}] = ?" for c in cols)
            self.conn.execute(
                f"UPDATE [{table}] SET {sets} WHERE id IN ({', '.join('?' for _ in changed)})",
                [values[c] for c in cols] + changed,
            )
            self.changes.extend(["u", table, i, before[i], dict(values)] for i in changed)
        return missing

    def delete(self, table: str, row_id: int) -> None:
        """Delete one row, remembering it whole."""
        before = self.project.row(table, row_id)
        if before is None:
            return
        self.conn.execute(f"DELETE FROM [{table}] WHERE id = ?", [row_id])
        self.changes.append(["d", table, row_id, before])

    def delete_many(self, table: str, row_ids: Sequence[int]) -> int:
        """Delete many rows in a few statements, remembering each whole; returns how many."""
        deleted = 0
        for at in range(0, len(row_ids), 500):
            chunk = list(row_ids[at : at + 500])
            marks = ", ".join("?" for _ in chunk)
            cur = self.conn.execute(f"SELECT * FROM [{table}] WHERE id IN ({marks}) ORDER BY id", chunk)
            names = [d[0] for d in cur.description]
            rows = [dict(zip(names, r)) for r in cur.fetchall()]
            if not rows:
                continue
            self.conn.execute(f"DELETE FROM [{table}] WHERE id IN ({', '.join('?' for _ in rows)})",
                              [r["id"] for r in rows])
            self.changes.extend(["d", table, r["id"], r] for r in rows)
            deleted += len(rows)
        return deleted

    def delete_where(self, table: str, where: str, params: Sequence[Any] = ()) -> int:
        """Delete every row matching ``where``; returns how many."""
        ids = [r[0] for r in self.conn.execute(f"SELECT id FROM [{table}] WHERE {where} ORDER BY id", list(params))]
        return self.delete_many(table, ids)


class Project:
    """An open qualcode project file.

    Open with :func:`open_project`; the repositories hang off it
    (``project.documents``, ``project.codes``, ``project.codings`` …).
    """

    def __init__(self, path: Path, db: Database) -> None:
        self.path = path
        self.db = db
        self._action: Action | None = None
        # Imported here to keep the repositories next to their SQL while
        # avoiding an import cycle (they type-hint Project).
        from qualcode.store.codes import CodeStore
        from qualcode.store.codings import CodingStore
        from qualcode.store.documents import DocumentStore
        from qualcode.store.history import History
        from qualcode.store.memos import MemoStore
        from qualcode.store.participants import ParticipantStore
        from qualcode.store.runs import RunStore
        from qualcode.store.search import Search
        from qualcode.store.suggestions import SuggestionStore
        from qualcode.store.autotag import AutotagStore

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
