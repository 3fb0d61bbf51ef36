"""Undo, redo and the audit trail, driven by the ``events`` table.

Why a row-change log rather than per-command inverse functions: every
mutation already goes through :class:`~qualcode.store.project.Action`, which
records inserted, updated and deleted rows. Undo replays those changes
backwards, redo forwards, both in one transaction, and both are themselves
logged, so the history is linear, persistent and auditable.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from qualcode.errors import NothingToUndoError, ValidationError
from qualcode.model import Event
from qualcode.store.base import default_coder, now
from qualcode.store.fts import bulk_index
from qualcode.store.schema import MOVED_COLUMNS

if TYPE_CHECKING:
    from qualcode.store.project import Project

_CHUNK = 5000


def _event(r: dict[str, Any]) -> Event:
    return Event(r["id"], r["action"], r["summary"] or "", r["actor"] or "", r["created_at"], r["state"])


class History:
    """Linear undo/redo over the project's event log."""

    def __init__(self, project: "Project") -> None:
        self.project = project

    def events(self, limit: int = 50) -> list[Event]:
        rows = self.project.query(
            "SELECT id, action, summary, actor, created_at, state FROM events ORDER BY id DESC LIMIT ?",
            [limit],
        )
        return [_event(r) for r in rows]

    def _me(self, coder: str | None) -> str:
        return coder or self.project.coder or default_coder()

    def _undo_candidate(self, coder: str | None, any_coder: bool) -> dict[str, Any] | None:
        sql, params = "SELECT * FROM events WHERE state = 'done'", []
        if not any_coder:
            sql, params = sql + " AND actor = ?", [self._me(coder)]
        rows = self.project.query(sql + " ORDER BY id DESC LIMIT 1", params)
        return rows[0] if rows else None

    def _redo_candidate(self, coder: str | None, any_coder: bool) -> dict[str, Any] | None:
        # The most recent undo (by this coder) whose action is still undone.
        sql = (
            "SELECT e.* FROM events e JOIN events u ON u.undo_of = e.id AND u.action = 'undo' WHERE e.state = 'undone'"
        )
        params: list[Any] = []
        if not any_coder:
            sql, params = sql + " AND u.actor = ?", [self._me(coder)]
        rows = self.project.query(sql + " ORDER BY u.id DESC LIMIT 1", params)
        return rows[0] if rows else None

    def can_undo(self, coder: str | None = None, *, any_coder: bool = False) -> bool:
        return self._undo_candidate(coder, any_coder) is not None

    def can_redo(self, coder: str | None = None, *, any_coder: bool = False) -> bool:
        return self._redo_candidate(coder, any_coder) is not None

    def next_undo(self, coder: str | None = None, *, any_coder: bool = False) -> Event | None:
        """The event :meth:`undo` would revert (to confirm before undoing someone else's)."""
        row = self._undo_candidate(coder, any_coder)
        return _event(row) if row else None

    def _nothing(self, what: str, coder: str | None) -> NothingToUndoError:
        me = self._me(coder)
        other = self._undo_candidate(None, True) if what == "undo" else self._redo_candidate(None, True)
        if other is not None:
            return NothingToUndoError(
                f"nothing of yours ({me}) to {what}; the last is {other['actor']}'s "
                f"'{other['summary']}' (use --any to {what} it)"
            )
        return NothingToUndoError(f"nothing to {what}")

    def undo(self, coder: str | None = None, *, any_coder: bool = False) -> Event:
        """Revert the coder's most recent action that is still done (anyone's with ``any_coder``).

        Why per coder: two people (or a person and a script) share the file;
        ctrl+z must never silently revert a colleague's work.
        """
        ev = self._undo_candidate(coder, any_coder)
        if ev is None:
            raise self._nothing("undo", coder)
        changes = list(enumerate(json.loads(ev["changes"] or "[]")))
        return self._replay(
            "undo", ev, coder, "undone", lambda: [self._revert(c, step, ev["id"]) for step, c in reversed(changes)]
        )

    def redo(self, coder: str | None = None, *, any_coder: bool = False) -> Event:
        """Re-apply the action this coder undid last (anyone's undo with ``any_coder``)."""
        ev = self._redo_candidate(coder, any_coder)
        if ev is None:
            raise self._nothing("redo", coder)
        changes = list(enumerate(json.loads(ev["changes"] or "[]")))
        return self._replay("redo", ev, coder, "done", lambda: [self._apply(c, step, ev["id"]) for step, c in changes])

    def _replay(
        self, verb: str, ev: dict[str, Any], coder: str | None, state: str, steps: Callable[[], object]
    ) -> Event:
        """Run ``steps`` (the reverts or re-applies), mark the event ``state`` and log the undo/redo, atomically."""
        db = self.project.db
        try:
            with db.atomic():
                steps()
                db.execute("UPDATE events SET state = ? WHERE id = ?", [state, ev["id"]])
                db.execute(
                    "INSERT INTO events (action, summary, actor, created_at, state, undo_of) VALUES (?, ?, ?, ?, 'log', ?)",
                    [verb, f"{verb}: {ev['summary']}", self._me(coder), now(), ev["id"]],
                )
        except sqlite3.IntegrityError as exc:
            raise ValidationError(
                f"cannot {verb} '{ev['summary']}': a later action changed the same rows ({exc})"
            ) from None
        return _event({**ev, "state": state})

    # -- replay -------------------------------------------------------------
    def _insert(self, table: str, row: dict[str, Any]) -> None:
        cols = list(row)
        self.project.db.execute(
            f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [row[c] for c in cols],
        )

    def _set(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        sets = ", ".join(f"[{c}] = ?" for c in values)
        self.project.db.execute(f"UPDATE [{table}] SET {sets} WHERE id = ?", [*values.values(), row_id])

    def _revert(self, change: list[Any], step: int, event_id: int) -> None:
        kind, table, row_id = change[0], change[1], change[2]
        if kind == "i":
            self.project.db.execute(f"DELETE FROM [{table}] WHERE id = ?", [row_id])
        elif kind == "r":
            self._stash_range(table, row_id, change[3], event_id, step)
        elif kind == "m":
            self._restore_moved(table, change[2], change[3], event_id)
        elif kind == "d":
            self._insert(table, change[3])
        elif kind == "u":
            self._set(table, row_id, change[3])

    def _apply(self, change: list[Any], step: int, event_id: int) -> None:
        kind, table, row_id = change[0], change[1], change[2]
        if kind == "i":
            self._insert(table, change[3])
        elif kind == "r":
            self._unstash_range(table, row_id, change[3], event_id, step)
        elif kind == "m":
            self.project.db.execute(
                f"DELETE FROM [{table}] WHERE id IN (SELECT row_id FROM moved_rows WHERE event_id = ? AND step = ?)",
                [event_id, change[2]],
            )
        elif kind == "d":
            self.project.db.execute(f"DELETE FROM [{table}] WHERE id = ?", [row_id])
        elif kind == "u":
            self._set(table, row_id, change[4])

    # -- moved rows (bulk deletes) and id ranges (bulk inserts) ----------------
    def _restore_moved(self, table: str, step: int, cols: list[str], event_id: int) -> None:
        """Undo a bulk delete: copy its rows back from ``moved_rows`` (kept there for a redo)."""
        with bulk_index(self.project.db.conn, table) as index:
            self.project.db.execute(
                f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)})"
                f" SELECT {', '.join(f'c{i}' for i in range(len(cols)))} FROM moved_rows"
                " WHERE event_id = ? AND step = ? ORDER BY row_id",
                [event_id, step],
            )
            index("id IN (SELECT row_id FROM moved_rows WHERE event_id = ? AND step = ?)", [event_id, step])

    def _stash_range(self, table: str, first: int, last: int, event_id: int, step: int) -> None:
        """Undo a bulk insert: move its rows into ``moved_rows`` (for redo), in SQL."""
        conn = self.project.db.conn
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")]
        if len(cols) > MOVED_COLUMNS:
            self._stash_range_json(table, first, last, event_id)
            return
        conn.execute(
            f"INSERT INTO moved_rows (event_id, step, tbl, row_id, {', '.join(f'c{i}' for i in range(len(cols)))})"
            f" SELECT ?, ?, ?, id, {', '.join(f'[{c}]' for c in cols)} FROM [{table}] WHERE id BETWEEN ? AND ?",
            [event_id, step, table, first, last],
        )
        conn.execute(f"DELETE FROM [{table}] WHERE id BETWEEN ? AND ?", [first, last])

    def _unstash_range(self, table: str, first: int, last: int, event_id: int, step: int) -> None:
        """Redo a bulk insert: put back the rows its undo moved out (kept as JSON by older versions too)."""
        conn = self.project.db.conn
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")][:MOVED_COLUMNS]
        with bulk_index(conn, table) as index:
            conn.execute(
                f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)})"
                f" SELECT {', '.join(f'c{i}' for i in range(len(cols)))} FROM moved_rows"
                " WHERE event_id = ? AND step = ? ORDER BY row_id",
                [event_id, step],
            )
            index("id IN (SELECT row_id FROM moved_rows WHERE event_id = ? AND step = ?)", [event_id, step])
        conn.execute("DELETE FROM moved_rows WHERE event_id = ? AND step = ?", [event_id, step])
        self._unstash_range_json(table, first, last, event_id)

    def _stash_range_json(self, table: str, first: int, last: int, event_id: int) -> None:
        """:meth:`_stash_range` for a table wider than ``moved_rows``: rows as JSON in ``undone_rows``, in chunks."""
        conn = self.project.db.conn
        at = first
        while at <= last:
            upto = min(last, at + _CHUNK - 1)
            cur = conn.execute(f"SELECT * FROM [{table}] WHERE id BETWEEN ? AND ? ORDER BY id", [at, upto])
            names = [d[0] for d in cur.description]
            conn.executemany(
                "INSERT INTO undone_rows (event_id, tbl, row_id, data) VALUES (?, ?, ?, ?)",
                [(event_id, table, r[0], json.dumps(dict(zip(names, r)), ensure_ascii=False)) for r in cur],
            )
            conn.execute(f"DELETE FROM [{table}] WHERE id BETWEEN ? AND ?", [at, upto])
            at = upto + 1

    def _unstash_range_json(self, table: str, first: int, last: int, event_id: int) -> None:
        """Put back rows kept as JSON in ``undone_rows`` (wide tables; undos made by older versions)."""
        conn = self.project.db.conn
        if (
            conn.execute(
                "SELECT 1 FROM undone_rows WHERE event_id = ? AND tbl = ? LIMIT 1", [event_id, table]
            ).fetchone()
            is None
        ):
            return
        at = first
        while at <= last:
            upto = min(last, at + _CHUNK - 1)
            rows = [
                json.loads(r[0])
                for r in conn.execute(
                    "SELECT data FROM undone_rows WHERE event_id = ? AND tbl = ? AND row_id BETWEEN ? AND ?"
                    " ORDER BY row_id",
                    [event_id, table, at, upto],
                )
            ]
            if rows:
                cols = list(rows[0])
                conn.executemany(
                    f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)})"
                    f" VALUES ({', '.join('?' for _ in cols)})",
                    [[r.get(c) for c in cols] for r in rows],
                )
            conn.execute(
                "DELETE FROM undone_rows WHERE event_id = ? AND tbl = ? AND row_id BETWEEN ? AND ?",
                [event_id, table, at, upto],
            )
            at = upto + 1
