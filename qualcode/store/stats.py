"""A one-glance summary of a project (``qualcode stats``).

It lives in the store because it is nothing but counting queries.
"""

from __future__ import annotations

from typing import Any

from qualcode.store.project import Project


def project_stats(project: Project) -> dict[str, Any]:
    """Counts of documents, turns, participants, codes, codings by origin/status, memos, runs."""
    q = project.query

    def one(sql: str) -> int:
        return int(q(sql)[0]["n"])

    return {
        "project": str(project.path),
        "documents": one("SELECT count(*) AS n FROM documents"),
        "turns": one("SELECT count(*) AS n FROM turns"),
        "participants": one("SELECT count(*) AS n FROM participants"),
        "codes": one("SELECT count(*) AS n FROM codes"),
        "codings": one("SELECT count(*) AS n FROM codings WHERE status != 'rejected'"),
        "codings_manual": one("SELECT count(*) AS n FROM codings WHERE origin = 'manual'"),
        "codings_pending": one("SELECT count(*) AS n FROM codings WHERE status = 'pending'"),
        "codings_rejected": one("SELECT count(*) AS n FROM codings WHERE status = 'rejected'"),
        "memos": one("SELECT count(*) AS n FROM memos"),
        "runs": one("SELECT count(*) AS n FROM runs"),
        "events": one("SELECT count(*) AS n FROM events"),
        "characters": one("SELECT coalesce(sum(length(text)), 0) AS n FROM documents"),
    }
