"""Machine runs (theme suggestion, auto-tagging) with their parameters."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from qualcode.errors import NotFoundError
from qualcode.model import Run
from qualcode.store.base import now

if TYPE_CHECKING:
    from qualcode.store.project import Project


def _run(r: dict[str, Any]) -> Run:
    return Run(r["id"], r["kind"], json.loads(r["params"] or "{}"), r["created_at"], json.loads(r["summary"] or "{}"))


class RunStore:
    """Record and list runs; their outputs live in their own tables."""

    def __init__(self, project: "Project") -> None:
        self.project = project

    def start(self, kind: str, params: dict[str, Any]) -> Run:
        with self.project.action("run", f"{kind} run", undoable=False):
            cur = self.project.db.execute(
                "INSERT INTO runs (kind, params, summary, created_at, status) VALUES (?, ?, '{}', ?, 'running')",
                [kind, json.dumps(params, ensure_ascii=False, default=str), now()],
            )
            run_id = int(cur.lastrowid or 0)
        return self.get(run_id)

    def finish(self, run_id: int, summary: dict[str, Any], status: str = "done") -> Run:
        with self.project.action("run", f"run {run_id} {status}", undoable=False):
            self.project.db.execute(
                "UPDATE runs SET summary = ?, status = ? WHERE id = ?",
                [json.dumps(summary, ensure_ascii=False, default=str), status, run_id],
            )
        return self.get(run_id)

    def copy(self, run: Run) -> tuple[Run, bool]:
        """Bring a run of another project file in (a merge), or find the copy made before.

        Why: merged machine codings keep their run, so ``review`` and undo of
        a run still group them. A run with the same kind, parameters and start
        time is the same run. Returns the run here and whether it was added;
        the insert joins the caller's action, so undoing the merge removes it.
        """
        params = json.dumps(run.params, ensure_ascii=False, default=str)
        rows = self.project.query(
            "SELECT * FROM runs WHERE kind = ? AND params = ? AND created_at IS ? ORDER BY id LIMIT 1",
            [run.kind, params, run.created_at],
        )
        if rows:
            return _run(rows[0]), False
        with self.project.action("run-copy", f"copy {run.kind} run") as act:
            new_id = act.insert(
                "runs",
                {
                    "kind": run.kind,
                    "params": params,
                    "created_at": run.created_at,
                    "status": "done",
                    "summary": json.dumps(run.summary, ensure_ascii=False, default=str),
                },
            )
        return self.get(new_id), True

    def get(self, run_id: int) -> Run:
        row = self.project.row("runs", run_id)
        if row is None:
            raise NotFoundError(f"no run with id {run_id}")
        return _run(row)

    def all(self, kind: str | None = None) -> list[Run]:
        if kind:
            rows = self.project.query("SELECT * FROM runs WHERE kind = ? ORDER BY id", [kind])
        else:
            rows = self.project.query("SELECT * FROM runs ORDER BY id")
        return [_run(r) for r in rows]
