"""Writing output files without ever losing the previous one or the project.

Why: an export killed half-way used to leave a truncated file where the last
good one was (and a temp file in a shared ``$TMPDIR``), and ``-o study.db``
overwrote the project itself. Every writer here goes to a temporary file *in
the destination folder* (same file system, never ``$TMPDIR``), is flushed to
disk and renamed over the target only when complete; on any failure the
temporary file is removed and the target is untouched. Files are owner-only
(0600) unless shared output is asked for (``--shared`` / ``$QUALCODE_SHARED``:
0640, group-readable).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from qualcode.errors import ValidationError

SHARED_ENV = "QUALCODE_SHARED"
TEMP_SUFFIX = ".qualcode-part"
_SQLITE_MAGIC = b"SQLite format 3\x00"


def shared_default() -> bool:
    """Group-readable output asked for through ``$QUALCODE_SHARED`` (1/yes/true)."""
    return os.environ.get(SHARED_ENV, "").strip().lower() in ("1", "yes", "true", "on")


def file_mode(shared: bool | None = None) -> int:
    return 0o640 if (shared_default() if shared is None else shared) else 0o600


def _is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == _SQLITE_MAGIC
    except OSError:
        return False


def refuse_project_file(target: str | os.PathLike[str]) -> None:
    """Refuse to write over an SQLite file (a project) or its ``-wal``/``-shm``/``-journal``.

    Raises:
        ValidationError: the path is a database or one of its side files.
    """
    path = Path(target)
    for suffix in ("-wal", "-shm", "-journal"):
        if path.name.endswith(suffix) and _is_sqlite(path.with_name(path.name[: -len(suffix)])):
            raise ValidationError("is a side file of a project database; choose another output file", where=str(path))
    if path.is_file() and _is_sqlite(path):
        raise ValidationError("is a project database; refusing to overwrite it with an export", where=str(path))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def sweep_stale(target: Path) -> int:
    """Remove temporary files a killed writer left beside ``target`` (their process
    is gone); returns how many. A SIGKILL cannot clean up, the next write does."""
    import glob

    folder = target.parent if str(target.parent) else Path(".")
    removed = 0
    for tmp in folder.glob(f".{glob.escape(target.name)}.*{TEMP_SUFFIX}"):
        pid = tmp.name[len(target.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                tmp.unlink()
                removed += 1
    return removed


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str], *, shared: bool | None = None) -> Iterator[Path]:
    """A temporary path beside ``target``; renamed over it when the block ends without error."""
    target = Path(target)
    refuse_project_file(target)
    folder = target.parent if str(target.parent) else Path(".")
    sweep_stale(target)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=folder)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, file_mode(shared))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def atomic_text(
    target: str | os.PathLike[str], *, encoding: str = "utf-8", newline: str | None = None, shared: bool | None = None
) -> Iterator[IO[str]]:
    """A text file handle whose content replaces ``target`` only once complete."""
    with atomic_path(target, shared=shared) as tmp, open(tmp, "w", encoding=encoding, newline=newline) as fh:
        yield fh


def write_text_atomic(
    target: str | os.PathLike[str], text: str, *, encoding: str = "utf-8", newline: str | None = None
) -> None:
    with atomic_text(target, encoding=encoding, newline=newline) as fh:
        fh.write(text)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: str) -> str:
    """Prefix text a spreadsheet would run as a formula with a single quote (OWASP)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def restore_formula(value: str) -> str:
    """Undo :func:`neutralise_formula` when reading back a file this program wrote."""
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


def private_workdir_prefix(kind: str) -> str:
    """A prefix naming this process, so :func:`sweep_stale_workdirs` can tell a killed one's folder."""
    return f".qualcode-{kind}-{os.getpid()}-"


def sweep_stale_workdirs(folder: Path, kind: str) -> int:
    """Remove ``.qualcode-KIND-PID-*`` folders whose process is gone (a SIGKILL left them)."""
    import shutil

    removed = 0
    for path in folder.glob(f".qualcode-{kind}-*"):
        pid = path.name[len(f".qualcode-{kind}-") :].split("-", 1)[0]
        if path.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed
