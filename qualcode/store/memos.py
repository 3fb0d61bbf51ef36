"""Memos: the analyst's notes on the project, a document, code, coding or turn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualcode.errors import NotFoundError, ValidationError
from qualcode.model import Memo
from qualcode.store.base import default_coder, now

if TYPE_CHECKING:
    from qualcode.store.project import Project

TARGETS = ("project", "document", "code", "coding", "turn")
_TABLE = {"document": "documents", "code": "codes", "coding": "codings", "turn": "turns"}


def _memo(r: dict[str, Any]) -> Memo:
    return Memo(r["id"], r["target"], r["target_id"], r["text"], r["author"] or "", r["created_at"])


class MemoStore:
    """Write and read memos."""

    def __init__(self, project: "Project") -> None:
        self.project = project

    def add(
        self,
        target: str,
        target_id: int | None,
        text: str,
        *,
        author: str | None = None,
        created_at: str | None = None,
    ) -> Memo:
        """Write a memo; ``created_at`` keeps the time of a memo brought in by a merge or an import."""
        if target not in TARGETS:
            raise ValidationError(f"a memo goes on one of {', '.join(TARGETS)}, not {target!r}")
        if not text.strip():
            raise ValidationError("a memo needs some text")
        if target != "project":
            if target_id is None or self.project.row(_TABLE[target], target_id) is None:
                raise NotFoundError(f"no {target} with id {target_id}")
        else:
            target_id = None
        with self.project.action("memo", f"memo on {target} {target_id or ''}".strip()) as act:
            new_id = act.insert(
                "memos",
                {
                    "target": target,
                    "target_id": target_id,
                    "text": text,
                    "author": author or default_coder(),
                    "created_at": created_at or now(),
                },
            )
        return self.get(new_id)

    def edit(self, memo_id: int, text: str) -> Memo:
        self.get(memo_id)
        with self.project.action("memo-edit", f"edit memo {memo_id}") as act:
            act.update("memos", memo_id, {"text": text})
        return self.get(memo_id)

    def remove(self, memo_id: int) -> Memo:
        memo = self.get(memo_id)
        with self.project.action("memo-remove", f"remove memo {memo_id}") as act:
            act.delete("memos", memo_id)
        return memo

    def get(self, memo_id: int) -> Memo:
        row = self.project.row("memos", memo_id)
        if row is None:
            raise NotFoundError(f"no memo with id {memo_id}")
        return _memo(row)

    def for_target(self, target: str, target_id: int | None) -> list[Memo]:
        if target == "project":
            rows = self.project.query("SELECT * FROM memos WHERE target = 'project' ORDER BY id")
        else:
            rows = self.project.query(
                "SELECT * FROM memos WHERE target = ? AND target_id = ? ORDER BY id", [target, target_id]
            )
        return [_memo(r) for r in rows]

    def all(self) -> list[Memo]:
        return [_memo(r) for r in self.project.query("SELECT * FROM memos ORDER BY id")]
