"""The long reliability trials, shared by the fast tests (small counts) and ``make soak``.

Why one module: the same code kills writers at random points, races two CLI
writers against a lock holder, and fuzzes real files; the tests run a few
cases on every ``make test``, ``python -m tests.reliability.soak`` runs
thousands and prints the table quoted in the README.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("QUALCODE_SHARED_DIR", ROOT.parent / "shared"))
DEMO = ROOT / "corpora" / "demo"
PY = sys.executable


def cli_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QUALCODE_CODER": "soak", **extra}
    env.pop("QUALCODE_PROJECT", None)
    return env


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PY, "-m", "qualcode.cli.main", *args], capture_output=True, text=True,
                          env=env or cli_env(), timeout=timeout, cwd=ROOT)


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def counts(db: Path) -> tuple[int, ...]:
    conn = sqlite3.connect(db)
    try:
        return tuple(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                     for t in ("documents", "turns", "codes", "codings", "memos", "participants"))
    finally:
        conn.close()


# -- kills ----------------------------------------------------------------------------------

def _base_project(work: Path) -> Path:
    """A coded demo study (documents, codebook, codings) to kill writers on."""
    base = work / "base.db"
    if not base.exists():
        assert cli("import", str(DEMO), "-p", str(base), "--exclude", "*.csv",
                   "--participants", str(DEMO / "participants.csv")).returncode in (0, 1)
        assert cli("codebook", "load", str(ROOT / "codebooks" / "social_value.yaml"), "-p", str(base)).returncode == 0
        conn = sqlite3.connect(base)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    return base


def operations(work: Path) -> dict[str, list[str]]:
    """What to kill: each writer of the project or of an export (``{db}``/``{out}`` filled in)."""
    ops = {
        "import": ["import", str(DEMO / "interview_01_sme_software.txt"), str(DEMO / "focus_group_01.vtt"),
                   "--replace", "--yes", "-p", "{db}"],
        "code --batch": ["code", "--batch", str(DEMO / "codings.csv"), "--create-codes", "-p", "{db}"],
        "autotag": ["autotag", "--method", "rules", "-p", "{db}"],
        "codebook merge": ["codebook", "load", str(ROOT / "codebooks" / "social_value.yaml"), "-p", "{db}"],
        "export xlsx": ["export", "codings", "-o", "{out}.xlsx", "-p", "{db}"],
        "export csv": ["export", "codings", "-o", "{out}.csv", "-p", "{db}"],
        "export docx": ["export", "frequencies", "-o", "{out}.docx", "-p", "{db}"],
    }
    qdpx = SHARED / "refi-qda" / "atlas-standard-project" / "ATLASti_standard_project.qdpx"
    if qdpx.exists():
        ops["refi import"] = ["refi", "import", str(qdpx), "-p", "{db}"]
    return ops


@dataclass
class KillResult:
    op: str
    kills: int = 0
    integrity_ok: int = 0
    whole: int = 0
    temp_left: int = 0
    tmpdir_files: int = 0
    failures: list[str] = field(default_factory=list)


def kill_trials(work: Path, kills_per_op: int, seed: int = 14, ops: list[str] | None = None) -> list[KillResult]:
    """SIGKILL each writer at random points; after each kill the project must pass
    ``integrity_check``, hold either none or all of the change, and an export target
    either its previous bytes or a complete new file; no temp file may remain after
    the next successful run, nor any in ``$TMPDIR``."""
    import shutil

    rng = random.Random(seed)
    work.mkdir(parents=True, exist_ok=True)
    base = _base_project(work)
    tmpdir = work / "tmpdir"
    tmpdir.mkdir(exist_ok=True)
    env = cli_env(TMPDIR=str(tmpdir))
    results = []
    for name, template in operations(work).items():
        if ops and name not in ops:
            continue
        res = KillResult(name)
        # The full, unkilled run: its duration bounds the kill time; its counts are "all".
        db, out = work / "full.db", work / "out"
        for p in work.glob("full.db*"):
            p.unlink()
        shutil.copy(base, db)
        before = counts(db)
        args = [a.replace("{db}", str(db)).replace("{out}", str(out)) for a in template]
        t0 = time.monotonic()
        done = subprocess.run([PY, "-m", "qualcode.cli.main", *args], capture_output=True, text=True, env=env, cwd=ROOT)
        span = time.monotonic() - t0
        after = counts(db)
        target = next((Path(a) for a in args if str(out) in a), None)
        complete = target.read_bytes() if target and target.exists() else None
        if done.returncode not in (0, 1) or "Traceback" in done.stderr:
            res.failures.append(f"unkilled run failed: {done.stderr[-300:]}")
        for _ in range(kills_per_op):
            for p in work.glob("kill.db*"):
                p.unlink()
            kdb = work / "kill.db"
            shutil.copy(base, kdb)
            kargs = [a.replace(str(db), str(kdb)) for a in args]
            if target is not None:
                target.write_bytes(b"previous good file")
            proc = subprocess.Popen([PY, "-m", "qualcode.cli.main", *kargs], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
            time.sleep(rng.uniform(0.3, max(0.4, span * 1.05)))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            res.kills += 1
            ok = integrity(kdb) == "ok"
            res.integrity_ok += ok
            now = counts(kdb)
            whole = now in (before, after)
            if target is not None:
                data = target.read_bytes()
                whole = whole and data in (b"previous good file", complete or b"")
                if not whole and complete is not None:
                    whole = _complete_export(target)
            res.whole += whole
            if not (ok and whole):
                res.failures.append(f"kill: integrity={ok} counts {before} -> {now} (full {after})")
            if target is not None:  # the next run sweeps what the killed one left
                subprocess.run([PY, "-m", "qualcode.cli.main", *kargs], capture_output=True, env=env, cwd=ROOT)
                res.temp_left += len(list(target.parent.glob(f".{target.name}.*")))
        res.tmpdir_files = len(list(tmpdir.iterdir()))
        results.append(res)
    return results


def _complete_export(path: Path) -> bool:
    """A new export that differs from the unkilled run's bytes (timestamps) but is whole."""
    try:
        if path.suffix in (".xlsx", ".docx"):
            import zipfile

            with zipfile.ZipFile(path) as zf:
                return zf.testzip() is None
        return path.read_bytes().endswith(b"\n")
    except Exception:  # noqa: BLE001 - a broken file is the failure being counted
        return False
