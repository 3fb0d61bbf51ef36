"""Memos as a table, with a readable label for what each memo is about."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from qualcode.store import Project


def _label(project: "Project", target: str, target_id: int | None) -> str:
    """A human name for a memo's target; memos can outlive nothing, but be safe."""
    if target == "project" or target_id is None:
        return "project"
    table = {"document": "documents", "code": "codes", "coding": "codings", "turn": "turns"}[target]
    row = project.row(table, target_id)
    if row is None:
        return f"{target} #{target_id} (gone)"
    if target == "document":
        return str(row["name"])
    if target == "code":
        return project.codes.get(target_id).path
    doc = project.row("documents", row["document_id"])
    doc_name = doc["name"] if doc else f"#{row['document_id']}"
    if target == "coding":
        return f"{project.codes.get(row['code_id']).path} @ {doc_name} {row['start']}-{row['end']}"
    return f"{doc_name} turn {row['seq'] + 1} ({row['speaker'] or 'unknown'})"


def memos_table(project: "Project") -> pd.DataFrame:
    """One row per memo: id, target, target id, target label, author, date and text."""
    rows = [
        {
            "id": m.id,
            "target": m.target,
            "target_id": m.target_id,
            "about": _label(project, m.target, m.target_id),
            "author": m.author,
            "created_at": m.created_at,
            "text": m.text,
        }
        for m in project.memos.all()
    ]
    return pd.DataFrame(rows, columns=["id", "target", "target_id", "about", "author", "created_at", "text"])
