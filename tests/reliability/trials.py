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
    return subprocess.run(
        [PY, "-m", "qualcode.cli.main", *args],
        capture_output=True,
        text=True,
        env=env or cli_env(),
        timeout=timeout,
        cwd=ROOT,
    )


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def counts(db: Path) -> tuple[int, ...]:
    conn = sqlite3.connect(db)
    try:
        return tuple(
            conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("documents", "turns", "codes", "codings", "memos", "participants")
        )
    finally:
        conn.close()


# -- kills ----------------------------------------------------------------------------------


def _base_project(work: Path) -> Path:
    """A coded demo study (documents, codebook, codings) to kill writers on."""
    base = work / "base.db"
    if not base.exists():
        assert cli(
            "import", str(DEMO), "-p", str(base), "--exclude", "*.csv", "--participants", str(DEMO / "participants.csv")
        ).returncode in (0, 1)
        assert cli("codebook", "load", str(ROOT / "codebooks" / "social_value.yaml"), "-p", str(base)).returncode == 0
        conn = sqlite3.connect(base)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    return base


def operations(work: Path) -> dict[str, list[str]]:
    """What to kill: each writer of the project or of an export (``{db}``/``{out}`` filled in)."""
    ops = {
        "import": [
            "import",
            str(DEMO / "interview_01_sme_software.txt"),
            str(DEMO / "focus_group_01.vtt"),
            "--replace",
            "--yes",
            "-p",
            "{db}",
        ],
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
        ops["merge"] = ["merge", str(qdpx), "-p", "{db}"]
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
            proc = subprocess.Popen(
                [PY, "-m", "qualcode.cli.main", *kargs],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
                cwd=ROOT,
            )
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
            if target is not None or name == "merge":  # the next run sweeps what the killed one left
                subprocess.run([PY, "-m", "qualcode.cli.main", *kargs], capture_output=True, env=env, cwd=ROOT)
                left = target.parent.glob(f".{target.name}.*") if target is not None else work.glob(".qualcode-*")
                res.temp_left += len(list(left))
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


# -- concurrent writers -------------------------------------------------------------------------

HOLDER = """
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
end = time.monotonic() + float(sys.argv[2])
n = 0
while time.monotonic() < end:
    c.execute("BEGIN IMMEDIATE")
    c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('lock_holder', ?)", [str(n)])
    time.sleep(float(sys.argv[3]))
    c.execute("COMMIT")
    n += 1
    time.sleep(0.5)
print(n)
"""


@dataclass
class WriterResult:
    seconds: float
    writes_ok: int = 0
    writes_failed: int = 0
    lost: int = 0
    tracebacks: int = 0
    tui_writes: int = 0
    tui_errors: int = 0
    holds: int = 0
    details: list[str] = field(default_factory=list)


def writer_trial(work: Path, seconds: float, hold: float, *, tui: bool = True) -> WriterResult:
    """Two CLI writers (memos and codings), a process holding the write lock for
    ``hold`` seconds at a time, and (optionally) the TUI writing through Pilot,
    all for ``seconds``: every acknowledged write must be in the project."""
    import threading

    work.mkdir(parents=True, exist_ok=True)
    db = work / "writers.db"
    for p in work.glob("writers.db*"):
        p.unlink()
    assert cli("import", str(DEMO / "interview_01_sme_software.txt"), "-p", str(db)).returncode == 0
    assert cli("codebook", "load", str(ROOT / "codebooks" / "social_value.yaml"), "-p", str(db)).returncode == 0
    res = WriterResult(seconds)
    expected: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    holder = subprocess.Popen([PY, "-c", HOLDER, str(db), str(seconds), str(hold)], stdout=subprocess.PIPE, text=True)

    def writer(name: str) -> None:
        i = 0
        while time.monotonic() < deadline:
            text = f"{name}-{i}"
            out = cli("memo", text, "-p", str(db), env=cli_env(QUALCODE_CODER=name))
            if name == "B" and out.returncode == 0:
                out = cli(
                    "code",
                    "interview_01_sme_software",
                    str(i),
                    str(i + 5),
                    "Feedback timeliness",
                    "-p",
                    str(db),
                    env=cli_env(QUALCODE_CODER=name),
                )
                text = text if out.returncode == 0 else ""
            with lock:
                if out.returncode == 0 and text:
                    res.writes_ok += 1
                    expected.append(text)
                else:
                    res.writes_failed += 1
                    res.details.append(out.stderr[-200:])
                res.tracebacks += "Traceback" in out.stderr
            i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("A", "B")]
    for t in threads:
        t.start()
    if tui:
        _tui_writer(db, deadline, res, expected, lock)
    for t in threads:
        t.join()
    res.holds = int((holder.communicate()[0] or "0").strip() or 0)
    conn = sqlite3.connect(db)
    memos = {r[0] for r in conn.execute("SELECT text FROM memos")}
    coded = {r[0] for r in conn.execute("SELECT start FROM codings WHERE coder = 'B'")}
    conn.close()
    for text in expected:
        name, i = text.rsplit("-", 1)
        if text not in memos or (name == "B" and int(i) not in coded):
            res.lost += 1
    return res


def _tui_writer(db: Path, deadline: float, res: WriterResult, expected: list[str], lock) -> None:  # noqa: ANN001
    """The TUI writes memos through ``app.attempt`` (what its screens do), retrying with ctrl+r."""
    import asyncio

    from qualcode.tui.app import make_app

    async def run() -> None:
        app = make_app(db, coder="T", blink=False)
        async with app.run_test(size=(100, 30)) as pilot:
            i = 0
            while time.monotonic() < deadline:
                text = f"T-{i}"
                made = app.attempt(app.project.memos.add, "project", None, text, author="T")
                while made is None and time.monotonic() < deadline + 30:
                    res.tui_errors += 1
                    await pilot.pause(0.5)
                    await pilot.press("ctrl+r")
                    await pilot.pause()
                    made = True if app.pending_retry is None else None
                if made is not None:
                    with lock:
                        res.tui_writes += 1
                        expected.append(text)
                assert app.is_running
                i += 1
                await pilot.pause(0.3)

    asyncio.run(run())


# -- mutation fuzzer ---------------------------------------------------------------------------

OUTCOMES = ("clean error", "success", "traceback", "hang > 30 s", "RSS > 1 GB")


def seed_files(max_bytes: int = 160_000) -> list[Path]:
    """Real files to mutate: the shared corpora (small ones), the REFI-QDA sample, the demo study, codebooks."""
    found: list[Path] = []
    corpora = SHARED / "corpora"
    if corpora.is_dir():
        for path in sorted(corpora.rglob("*")):
            if (
                path.is_file()
                and path.suffix.lower() in (".txt", ".csv", ".json", ".md", ".xlsx", ".pdf", ".jsonl")
                and path.stat().st_size <= max_bytes
            ):
                found.append(path)
    qdpx = SHARED / "refi-qda" / "atlas-standard-project" / "ATLASti_standard_project.qdpx"
    if qdpx.exists():
        found.append(qdpx)
    found += sorted(p for p in DEMO.iterdir() if p.suffix in (".txt", ".vtt", ".csv"))
    found += sorted((ROOT / "codebooks").iterdir())
    return found


def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    kind = rng.randrange(9)
    n = max(1, len(data))
    if kind == 0:  # flip bytes
        for _ in range(rng.randint(1, 20)):
            if data:
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif kind == 1:  # truncate
        del data[rng.randrange(n) :]
    elif kind == 2:  # hostile bytes
        for _ in range(rng.randint(1, 10)):
            data[rng.randrange(n) : rng.randrange(n)] = rng.choice(
                [b"\x00", b"\xff\xfe", b"\x1b[2J", b"\r", b"\x0c", b"\xe2\x80\xae", b"\xed\xa0\x80", b'"', b"\t=1+1"]
            )
    elif kind == 3:  # repeat a chunk (bounded growth)
        at = rng.randrange(n)
        chunk = bytes(data[at : at + rng.randint(1, 200)])
        data[at:at] = chunk * rng.randint(2, min(2000, 1_000_000 // max(1, len(chunk))))
    elif kind == 4:  # delete a chunk
        at = rng.randrange(n)
        del data[at : at + rng.randint(1, 500)]
    elif kind == 5:  # deep nesting / huge token
        at = rng.randrange(n)
        data[at:at] = rng.choice(
            [
                b"[" * 50_000,
                b'{"a":' * 20_000,
                b"x" * 300_000,
                b"Speaker:\n" * 5000,
                b"99999999999999999999999999",
                b"<a>" * 20_000,
            ]
        )
    elif kind == 6:  # swap two halves
        at = rng.randrange(n)
        data = data[at:] + data[:at]
    elif kind == 7:  # random garbage
        data = bytearray(rng.randbytes(rng.randint(0, 4096)))
    else:  # many separators
        at = rng.randrange(n)
        data[at:at] = rng.choice([b",", b";", b":", b"\n", b'"']) * rng.randint(100, 100_000)
    return bytes(data)


def mutate(path: Path, rng: random.Random) -> bytes:
    """A mutated copy of a real file; zip files are also mutated inside (each entry)."""
    data = path.read_bytes()
    if path.suffix.lower() in (".qdpx", ".xlsx", ".docx") and rng.random() < 0.6:
        import io
        import zipfile

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as src:
                entries = [(i, src.read(i)) for i in src.infolist()]
        except Exception:  # noqa: BLE001
            return _mutate_bytes(data, rng)
        out = io.BytesIO()
        target = rng.randrange(len(entries))
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for k, (info, content) in enumerate(entries):
                dst.writestr(info.filename, _mutate_bytes(content, rng) if k == target else content)
        return out.getvalue()
    return _mutate_bytes(data, rng)


def command_for(case: Path, db: Path) -> list[str]:
    ext = case.suffix.lower()
    if ext == ".qdpx":
        return ["refi", "import", str(case), "-p", str(db)]
    if ext in (".yaml", ".yml", ".qdc") or case.name.startswith("codebook"):
        return ["codebook", "load", str(case), "-p", str(db)]
    return ["import", str(case), "-p", str(db)]


def classify(exit_code: int, output: str, exception: BaseException | None) -> str:
    """success: exit 0; clean error: exit 1, every error line coded ``Error: … [Ennn]``; else traceback."""
    if exception is not None and not isinstance(exception, SystemExit):
        return "traceback"
    if exit_code == 0:
        return "success"
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    if exit_code == 1 and errors and all(line.rstrip().endswith("]") and "[E" in line for line in errors):
        return "clean error"
    return "traceback"


def _worker(conn, work: str) -> None:  # noqa: ANN001 - a multiprocessing connection
    """Runs cases in one process (fast), each through the CLI exactly as a user would."""
    import traceback

    from typer.testing import CliRunner

    from qualcode.cli.main import app

    runner = CliRunner()
    while True:
        job = conn.recv()
        if job is None:
            return
        case, db = job
        try:
            out = runner.invoke(app, command_for(Path(case), Path(db)))
            verdict = classify(out.exit_code, out.output, out.exception)
            detail = ""
            if verdict == "traceback":
                detail = (
                    out.output[-300:] + "".join(traceback.format_exception(out.exception))[-1200:]
                    if out.exception and not isinstance(out.exception, SystemExit)
                    else out.output[-500:]
                )
        except BaseException as exc:  # noqa: BLE001 - counted, never fatal to the trial
            verdict, detail = "traceback", repr(exc)
        conn.send((verdict, detail))


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@dataclass
class FuzzResult:
    cases: int = 0
    outcomes: Counter = field(default_factory=Counter)
    by_kind: dict[str, Counter] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    time_by_kind: dict[str, float] = field(default_factory=dict)


def fuzz_trial(
    work: Path, cases: int, seed: int = 14, hang_s: float = 30.0, rss_limit: int = 1 << 30, max_bytes: int = 160_000
) -> FuzzResult:
    """Mutate real files and run each through the CLI in a watched worker process.

    The seed is picked by extension first (then file), so the 143 JSON
    meetings do not drown the one REFI-QDA archive.
    """
    import multiprocessing as mp

    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    by_ext: dict[str, list[Path]] = {}
    for path in seed_files(max_bytes):
        by_ext.setdefault(path.suffix.lower(), []).append(path)
    kinds = sorted(by_ext)
    ctx = mp.get_context("fork")
    res = FuzzResult()
    t0 = time.monotonic()

    def start():  # noqa: ANN202
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(child, str(work)), daemon=True)
        proc.start()
        return proc, parent

    proc, conn = start()
    for i in range(cases):
        src = rng.choice(by_ext[rng.choice(kinds)])
        name = "codebook" if src.parent.name == "codebooks" else "case"
        case = work / f"{name}-{i}{src.suffix}"
        case.write_bytes(mutate(src, rng))
        db = work / f"fuzz-{i // 50}.db"
        conn.send((str(case), str(db)))
        started, verdict, detail = time.monotonic(), None, ""
        while verdict is None:
            if conn.poll(0.05):
                verdict, detail = conn.recv()
            elif time.monotonic() - started > hang_s:
                verdict = "hang > 30 s"
            elif _rss(proc.pid) > rss_limit:
                verdict = "RSS > 1 GB"
        if verdict in ("hang > 30 s", "RSS > 1 GB"):
            proc.kill()
            proc.join()
            proc, conn = start()
        res.cases += 1
        res.outcomes[verdict] += 1
        res.by_kind.setdefault(src.suffix.lower(), Counter())[verdict] += 1
        res.time_by_kind[src.suffix.lower()] = (
            res.time_by_kind.get(src.suffix.lower(), 0.0) + time.monotonic() - started
        )
        if verdict not in ("clean error", "success"):
            res.failures.append(f"{src.name} -> {case.name}: {verdict} {detail}")
        else:
            case.unlink()
    conn.send(None)
    proc.join(5)
    res.seconds = time.monotonic() - t0
    return res
