"""A private copy of another project file, read without writing to it.

Why: merging a coder's project must not change that file; opening it with
:func:`open_project` would migrate it (and a WAL file not yet checkpointed
would be missed by a plain file copy). SQLite's backup API copies the whole
database, WAL included, from a read-only connection.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from qualcode.errors import ProjectError
from qualcode.store.base import APPLICATION_ID


def copy_project(source: str | Path, target: str | Path) -> None:
    """Copy the project file ``source`` to ``target`` (a new file), leaving ``source`` untouched.

    Raises:
        ProjectError: ``source`` is missing, not SQLite, or not a qualcode project.
    """
    source = Path(source)
    if not source.is_file():
        raise ProjectError("no such project file", where=str(source))
    try:
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.DatabaseError as exc:  # pragma: no cover - unreadable file
        raise ProjectError(f"cannot open project: {exc}", where=str(source)) from None
    try:
        app_id = src.execute("PRAGMA application_id").fetchone()[0]
        if app_id != APPLICATION_ID:
            raise ProjectError("not a qualcode project file", where=str(source))
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"cannot read project: {exc}", where=str(source)) from None
    finally:
        src.close()
