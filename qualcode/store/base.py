"""Small helpers every store module shares: clock, coder identity, project path.

They live below the repositories and :mod:`qualcode.store.project` so that
nothing in the store imports in a circle.
"""

from __future__ import annotations

import getpass
import os
from datetime import datetime, timezone
from pathlib import Path

DEFAULT_PROJECT = "qualcode.db"
PROJECT_ENV = "QUALCODE_PROJECT"
CODER_ENV = "QUALCODE_CODER"
APPLICATION_ID = 0x51434F44  # "QCOD": marks the file as a qualcode project


def now() -> str:
    """UTC timestamp in ISO 8601 with seconds, used for every stored time."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def default_coder() -> str:
    """The coder identity: ``$QUALCODE_CODER`` or the OS user name."""
    env = os.environ.get(CODER_ENV)
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no passwd entry in some containers
        return "coder"


def resolve_project_path(path: str | os.PathLike[str] | None) -> Path:
    """``--project`` if given, else ``$QUALCODE_PROJECT``, else ``./qualcode.db``."""
    if path:
        return Path(path)
    return Path(os.environ.get(PROJECT_ENV) or DEFAULT_PROJECT)
