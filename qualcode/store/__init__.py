"""The project store: the only place SQL lives.

``import qualcode.store`` must stay light: no spaCy, BERTopic, Textual or pandas.
"""

import sys as _sys

if "sqlite_utils.db" not in _sys.modules and "pandas" not in _sys.modules:
    # sqlite-utils imports pandas at import time when it is installed, only to
    # map pandas values in inserts (qualcode never stores pandas objects); that
    # was 0.5-0.8 s of every command. Hide pandas while sqlite-utils loads; a
    # later ``import pandas`` (the table exports) works as usual.
    _sys.modules["pandas"] = None  # type: ignore[assignment]
    try:
        import sqlite_utils.db  # noqa: F401
    finally:
        del _sys.modules["pandas"]

from qualcode.store.codings import AddedCodings, NewCoding
from qualcode.store.project import (
    Action,
    Project,
    default_coder,
    open_project,
    resolve_project_path,
)
from qualcode.store.search import SearchHit
from qualcode.store.snapshot import copy_project
from qualcode.store.stats import project_stats

__all__ = [
    "Action",
    "AddedCodings",
    "NewCoding",
    "Project",
    "SearchHit",
    "copy_project",
    "default_coder",
    "project_stats",
    "open_project",
    "resolve_project_path",
]
