"""The project store: the only place SQL lives.

``import qualcode.store`` must stay light: no spaCy, BERTopic or Textual.
"""

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
