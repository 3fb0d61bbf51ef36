"""Waiting for the project's write lock, and naming storage failures.

Why: SQLite lets one process write at a time. A deferred transaction that
reads first and writes later cannot wait for a lock another process took in
between (SQLITE_BUSY_SNAPSHOT fails at once, whatever the busy timeout), so
every write transaction starts with ``BEGIN IMMEDIATE``: it takes the write
lock first, waiting in short slices so the caller can be told after a second
that another process is writing, and gives up after a configurable limit
with a coded error instead of a ``database is locked`` traceback.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlite_utils import Database

from qualcode.errors import ProjectBusyError, QualcodeError, as_user_error

BUSY_ENV = "QUALCODE_BUSY_TIMEOUT"
DEFAULT_BUSY_TIMEOUT = 60.0
NOTICE_AFTER = 1.0
WAIT_MESSAGE = "waiting for the project (another process is writing)…"
_SLICE_MS = 100

WaitNotice = Callable[[str], None]


def busy_limit_from_env() -> float:
    """``$QUALCODE_BUSY_TIMEOUT`` seconds, else 60; a bad value falls back to 60."""
    raw = os.environ.get(BUSY_ENV, "")
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_BUSY_TIMEOUT
    return value if 0 <= value < 10**7 else DEFAULT_BUSY_TIMEOUT


def is_busy(exc: BaseException) -> bool:
    """A lock conflict (``database is locked``/``busy``) rather than a real failure."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def storage_error(exc: BaseException, where: str) -> QualcodeError | None:
    """The coded error for an SQLite or OS failure a user can act on (read-only, disk full), or ``None``."""
    if not isinstance(exc, (sqlite3.Error, OSError)):
        return None
    return as_user_error(exc, where)


def lock_holders(path: Path) -> list[str]:
    """Best effort (Linux ``/proc/locks``): the processes holding the WAL write lock.

    SQLite's WAL write lock is a POSIX lock on byte 120 of the ``-shm`` file;
    naming its holder tells the user *what* to wait for or close.
    """
    try:
        inode = os.stat(str(path) + "-shm").st_ino
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return []
    found: list[str] = []
    for line in lines:
        parts = line.split()
        if len(parts) < 8 or parts[3] != "WRITE" or parts[-2] != "120":
            continue
        pid, ident = parts[4], parts[5]
        if ident.rsplit(":", 1)[-1] != str(inode) or pid == str(os.getpid()):
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            cmd = ""
        cmd = " ".join(cmd.split())
        found.append(f"process {pid}" + (f" ({cmd[:60]})" if cmd else ""))
    return found


class ProjectDatabase(Database):
    """A sqlite-utils database whose outer transactions start with ``BEGIN IMMEDIATE``.

    ``busy_limit`` (seconds) and ``on_wait`` (called once with
    :data:`WAIT_MESSAGE` after :data:`NOTICE_AFTER` seconds of waiting) are
    set by :func:`~qualcode.store.project.open_project`.
    """

    def __init__(
        self, conn: sqlite3.Connection, *, path: Path, busy_limit: float, on_wait: WaitNotice | None = None
    ) -> None:
        super().__init__(conn)
        self.path = path
        self.busy_limit = busy_limit
        self.on_wait = on_wait

    def set_busy_timeout(self, seconds: float) -> None:
        self.busy_limit = seconds
        self.conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    def begin_immediate(self) -> None:
        """Take the write lock, waiting up to ``busy_limit`` seconds."""
        start = time.monotonic()
        noticed = False
        self.conn.execute(f"PRAGMA busy_timeout = {_SLICE_MS}")
        try:
            while True:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if not is_busy(exc):
                        raise storage_error(exc, str(self.path)) or exc from None
                waited = time.monotonic() - start
                if waited >= self.busy_limit:
                    holders = lock_holders(self.path)
                    held = f" by {', '.join(holders)}" if holders else " by another process"
                    raise ProjectBusyError(
                        f"the project has been locked{held} for {waited:.1f} s; try again when it finishes "
                        f"(wait longer with ${BUSY_ENV}=SECONDS)",
                        where=str(self.path),
                    )
                if not noticed and waited >= NOTICE_AFTER and self.on_wait is not None:
                    noticed = True
                    self.on_wait(WAIT_MESSAGE)
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {int(self.busy_limit * 1000)}")

    @contextlib.contextmanager
    def atomic(self) -> Iterator["ProjectDatabase"]:
        """One transaction holding the write lock from its start; nested blocks are savepoints."""
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.begin_immediate()
        try:
            yield self
        except BaseException as exc:
            self.rollback()
            coded = storage_error(exc, str(self.path)) if isinstance(exc, sqlite3.Error) else None
            if coded is not None:
                raise coded from None
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self.rollback()
            raise storage_error(exc, str(self.path)) or exc from None

    def rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
