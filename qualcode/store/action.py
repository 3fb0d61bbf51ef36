"""The unit of change: one :class:`Action` records every row it touches.

Used only through :meth:`qualcode.store.project.Project.action`, which owns
the transaction and writes the recorded changes to the ``events`` table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from qualcode.store.base import now
from qualcode.store.schema import ID_MARK_TABLES, MOVED_COLUMNS

if TYPE_CHECKING:
    from qualcode.store.project import Project


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
        self._event_id: int | None = None
        self._columns: dict[str, list[str]] = {}

    def event_id(self) -> int:
        """The id of this action's event row, created (state ``pending``) on first need.

        Why early: rows moved out by a bulk delete are kept under the event
        that removed them, before the event's log is complete.
        """
        if self._event_id is None:
            cur = self.conn.execute(
                "INSERT INTO events (action, summary, actor, created_at, state) VALUES (?, ?, ?, ?, 'pending')",
                [self.name, self.summary, self.actor, now()],
            )
            self._event_id = int(cur.lastrowid or 0)
        return self._event_id

    def columns(self, table: str) -> list[str]:
        """The columns of ``table``, in table order (cached for the action)."""
        if table not in self._columns:
            self._columns[table] = [r[1] for r in self.conn.execute(f"PRAGMA table_info([{table}])")]
        return self._columns[table]

    @property
    def conn(self) -> sqlite3.Connection:
        return self.project.db.conn

    def _free_id(self, table: str) -> int | None:
        """The id above every id ``table`` ever gave, when SQLite would give a lower one (else ``None``).

        Why: SQLite gives the largest id + 1, so once the row with the largest
        id is deleted its id would go to the next new row, and undoing that
        deletion would fail on the taken id (migration m013).
        """
        if table not in ID_MARK_TABLES:
            return None
        top, mark = self.conn.execute(
            f"SELECT coalesce((SELECT MAX(id) FROM [{table}]), 0),"
            " coalesce((SELECT last FROM id_marks WHERE tbl = ?), 0)",
            [table],
        ).fetchone()
        return mark + 1 if mark > top else None

    def _mark(self, table: str, last: int) -> None:
        if table in ID_MARK_TABLES:
            self.conn.execute(
                "INSERT INTO id_marks (tbl, last) VALUES (?, ?)"
                " ON CONFLICT (tbl) DO UPDATE SET last = max(last, excluded.last)",
                [table, last],
            )

    def insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert one row and return its id (never the id of a row deleted before)."""
        if "id" not in row:
            free = self._free_id(table)
            if free is not None:
                row = {"id": free, **row}
        cols = list(row)
        sql = f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) VALUES ({', '.join('?' for _ in cols)})"
        cur = self.conn.execute(sql, [row[c] for c in cols])
        new_id = int(row["id"]) if "id" in row else int(cur.lastrowid or 0)
        self._mark(table, new_id)
        stored = dict(row)
        stored.setdefault("id", new_id)
        self.changes.append(["i", table, new_id, stored])
        return new_id

    def insert_many(self, table: str, rows: Iterable[dict[str, Any]], *, chunk: int = 5000) -> list[int]:
        """Insert rows sharing the same columns; returns their ids in order.

        Why an id range in the log instead of each row: a bulk import of a
        million answers would otherwise copy every row into the event as
        JSON (gigabytes of memory, a 100 MB event row). Without an explicit
        ``id`` the new rows take the ids just above the table's maximum, one
        contiguous range per call, so the log holds ``["r", table, first,
        last]``; undo saves the rows to ``undone_rows`` and deletes the
        range, redo puts them back. Rows are sent to SQLite ``chunk`` at a
        time, so ``rows`` may be a generator (constant memory).
        """
        ids: list[int] = []
        cols: list[str] | None = None
        sql = ""
        batch: list[list[Any]] = []
        explicit = False

        def flush() -> None:
            if not batch:
                return
            if explicit:
                for values in batch:
                    self.insert(table, dict(zip(cols or [], values)))
                    ids.append(int(self.changes[-1][2]))
            else:
                free = self._free_id(table)
                if free is None:
                    first = self.conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM [{table}]").fetchone()[0]
                    self.conn.executemany(sql, batch)
                else:  # ids above the highest ever given, not the next after the current largest
                    first = free - 1
                    self.conn.executemany(
                        sql.replace(f"INSERT INTO [{table}] (", f"INSERT INTO [{table}] ([id], ", 1).replace(
                            "VALUES (", "VALUES (?, ", 1
                        ),
                        ([free + i, *values] for i, values in enumerate(batch)),
                    )
                last = self.conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM [{table}]").fetchone()[0]
                if last - first != len(batch):  # pragma: no cover - defensive
                    raise RuntimeError(f"insert_many into {table}: id bookkeeping failed")
                self._mark(table, last)
                self._log_range(table, first + 1, last)
                ids.extend(range(first + 1, last + 1))
            batch.clear()

        for row in rows:
            if cols is None:
                cols = list(row)
                explicit = "id" in cols
                sql = (
                    f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)})"
                    f" VALUES ({', '.join('?' for _ in cols)})"
                )
            batch.append([row[c] for c in cols])
            if len(batch) >= chunk:
                flush()
        flush()
        return ids

    def _log_range(self, table: str, first: int, last: int) -> None:
        """Log inserted ids ``first..last``, extending the previous range when contiguous."""
        prev = self.changes[-1] if self.changes else None
        if prev is not None and prev[0] == "r" and prev[1] == table and prev[3] + 1 == first:
            prev[3] = last
        else:
            self.changes.append(["r", table, first, last])

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
        self.conn.execute(f"UPDATE [{table}] SET {sets} WHERE id = ?", [values[c] for c in cols] + [row_id])
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
        """Delete many rows in a few statements, kept for undo; returns how many.

        The rows are moved into ``moved_rows`` by SQL (see :meth:`_move`), not
        copied into the log.
        """
        deleted = 0
        for at in range(0, len(row_ids), 500):
            chunk = list(row_ids[at : at + 500])
            deleted += self._move(table, f"id IN ({', '.join('?' for _ in chunk)})", chunk)
        return deleted

    def delete_where(self, table: str, where: str, params: Sequence[Any] = ()) -> int:
        """Delete every row matching ``where`` (kept for undo); returns how many."""
        return self._move(table, where, params)

    def _move(self, table: str, where: str, params: Sequence[Any]) -> int:
        """Delete the rows matching ``where``, moving them into ``moved_rows`` under this event.

        Why in SQL: replacing a survey deletes up to millions of documents,
        turns and codings; logging each as JSON held them all in memory (and
        in one event row). The log gets ``["m", table, step, columns]``; undo
        copies the rows back, redo deletes them again by their ids. A table
        wider than ``moved_rows`` (none today) is logged row by row.
        """
        cols = self.columns(table)
        if not self.undoable:
            return int(self.conn.execute(f"DELETE FROM [{table}] WHERE {where}", list(params)).rowcount)
        if len(cols) > MOVED_COLUMNS or "id" not in cols:
            return self._delete_logged(table, where, params)
        prev = self.changes[-1] if self.changes else None
        if prev is not None and prev[0] == "m" and prev[1] == table and prev[3] == cols:
            step, fresh = prev[2], False
        else:
            step, fresh = len(self.changes), True
            self.changes.append(["m", table, step, cols])
        slots = ", ".join(f"c{i}" for i in range(len(cols)))
        moved = self.conn.execute(
            f"INSERT INTO moved_rows (event_id, step, tbl, row_id, {slots})"
            f" SELECT ?, ?, ?, id, {', '.join(f'[{c}]' for c in cols)} FROM [{table}] WHERE {where}",
            [self.event_id(), step, table, *params],
        ).rowcount
        if not moved:
            if fresh:
                self.changes.pop()
            return 0
        deleted = self.conn.execute(f"DELETE FROM [{table}] WHERE {where}", list(params)).rowcount
        if deleted != moved:  # pragma: no cover - defensive: the same WHERE in one transaction
            raise RuntimeError(f"delete from {table}: moved {moved} rows but deleted {deleted}")
        return int(deleted)

    def _delete_logged(self, table: str, where: str, params: Sequence[Any]) -> int:
        """Delete rows logging each whole as JSON (a table too wide for ``moved_rows``)."""
        ids = [r[0] for r in self.conn.execute(f"SELECT id FROM [{table}] WHERE {where} ORDER BY id", list(params))]
        deleted = 0
        for at in range(0, len(ids), 500):
            chunk = ids[at : at + 500]
            marks = ", ".join("?" for _ in chunk)
            cur = self.conn.execute(f"SELECT * FROM [{table}] WHERE id IN ({marks}) ORDER BY id", chunk)
            names = [d[0] for d in cur.description]
            rows = [dict(zip(names, r)) for r in cur.fetchall()]
            self.conn.execute(f"DELETE FROM [{table}] WHERE id IN ({marks})", chunk)
            self.changes.extend(["d", table, r["id"], r] for r in rows)
            deleted += len(rows)
        return deleted
