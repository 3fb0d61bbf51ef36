"""Memos as a table, with a readable label for what each memo is about."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from qualcode.errors import NotFoundError

if TYPE_CHECKING:
    from qualcode.store import Project


def _label(project: "Project", names: dict[int, str], target: str, target_id: int | None) -> str:
    """A human name for a memo's target; memos can outlive nothing, but be safe."""
    if target == "project" or target_id is None:
        return "project"
    try:
        if target == "document":
            return names[target_id]
        if target == "code":
            return project.codes.get(target_id).path
        if target == "coding":
            c = project.codings.get(target_id)
            doc_name = names.get(c.document_id, f"#{c.document_id}")
            return f"{project.codes.get(c.code_id).path} @ {doc_name} {c.start}-{c.end}"
        turn = project.documents.turn(target_id)
        if turn is None:
            raise NotFoundError(f"no turn with id {target_id}")
        doc_name = names.get(turn.document_id, f"#{turn.document_id}")
        return f"{doc_name} turn {turn.seq + 1} ({turn.speaker or 'unknown'})"
    except (KeyError, NotFoundError):
        return f"{target} #{target_id} (gone)"


def memos_table(project: "Project") -> pd.DataFrame:
    """One row per memo: id, target, target id, target label, author, date and text."""
    names = {d.id: d.name for d in project.documents.headers()}
    rows = [
        {
            "id": m.id,
            "target": m.target,
            "target_id": m.target_id,
            "about": _label(project, names, m.target, m.target_id),
            "author": m.author,
            "created_at": m.created_at,
            "text": m.text,
        }
        for m in project.memos.all()
    ]
    return pd.DataFrame(rows, columns=["id", "target", "target_id", "about", "author", "created_at", "text"])
