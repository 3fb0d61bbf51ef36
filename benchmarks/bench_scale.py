"""Consultation scale: every step of a survey study at 10^3 … 10^6 answers.

Why this benchmark: a public consultation has 10^4–10^6 short answers, and a
step that is quadratic, or that holds every row in memory, only shows at that
size. For each size N this generates (seeded) a survey CSV of N one-sentence
answers with three attribute columns and a batch-coding CSV with two coders'
codings (2 per answer), then runs each step of a study in its own subprocess
(`qualcode …` as a user would) and prints wall time and the subprocess' peak
RSS. A reference operation runs in the same way on the same project: a bare
SQLite ``SELECT`` reading every turn's text (``ref``), so each step is also
given as a ratio to it; ratios, not seconds, compare across machines.

The scaling exponent of a step is the least-squares slope of log(time) over
log(N) on the sizes ≥ 10^4 (start-up dominates below); 1.0 is linear.

Run: ``make bench-scale`` (up to 10^5) or
``.venv/bin/python benchmarks/bench_scale.py --max 1000000 [--steps import,code,...]``.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scale_common import AGES, FILLER, MODES, REGIONS, ROOT, TOPICS, exponent, run_step, steps_and_sizes

STEPS = (
    "ref",
    "import",
    "code",
    "documents",
    "frequencies",
    "evidence",
    "agreement",
    "refi-export",
    "refi-import",
    "suggest",
    "stats",
    "search",
    "tui",
)


def generate(folder: Path, n: int, seed: int = 15) -> tuple[Path, Path]:
    """Write ``survey.csv`` (N answers) and ``batch.csv`` (2 codings per answer)."""
    rng = random.Random(seed)
    names = list(TOPICS)
    vocab = {t: w.split() for t, w in TOPICS.items()}
    survey, batch = folder / "survey.csv", folder / "batch.csv"
    with survey.open("w", newline="", encoding="utf-8") as s, batch.open("w", newline="", encoding="utf-8") as b:
        sw, bw = csv.writer(s), csv.writer(b)
        sw.writerow(["respondent_id", "region", "age", "mode", "answer"])
        bw.writerow(["document", "code", "coder", "start", "end"])
        for i in range(n):
            rid = f"R{i:07d}"
            topic = rng.choice(names)
            words = rng.choices(vocab[topic], k=rng.randint(4, 8)) + rng.choices(FILLER, k=rng.randint(3, 6))
            rng.shuffle(words)
            answer = " ".join(words).capitalize() + "."
            sw.writerow([rid, rng.choice(REGIONS), rng.choice(AGES), rng.choice(MODES), answer])
            other = topic if rng.random() < 0.7 else rng.choice(names)
            bw.writerow([rid, f"Themes/{topic}", "alice", "", ""])
            bw.writerow([rid, f"Themes/{other}", "bob", "", ""])
    return survey, batch


def commands(py: str, db: Path, survey: Path, batch: Path, work: Path) -> dict[str, list[str]]:
    q = [py, "-m", "qualcode.cli.main"]
    p = ["--project", str(db)]
    ref = (
        "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]);"
        " print(sum(len(r[0]) for r in c.execute('SELECT text FROM turns')))"
    )
    return {
        "ref": [py, "-c", ref, str(db)],
        "import": q
        + ["import", str(survey), "--survey", "--id-column", "respondent_id", "--text-column", "answer", "--json"]
        + p,
        "code": q + ["code", "--batch", str(batch), "--create-codes", "--json"] + p,
        "documents": q + ["documents", "--json"] + p,
        "frequencies": q
        + ["export", "frequencies", "--by", "region", "--format", "xlsx", "-o", str(work / "freq.xlsx")]
        + p,
        "evidence": q + ["export", "evidence", "--format", "json", "-o", str(work / "evidence.json")] + p,
        "agreement": q + ["agreement", "--json"] + p,
        "refi-export": q + ["refi", "export", str(work / "out.qdpx"), "--json"] + p,
        "refi-import": q + ["refi", "import", str(work / "out.qdpx"), "--json", "--project", str(work / "back.db")],
        "suggest": q + ["suggest", "--json"] + p,
        "stats": q + ["stats", "--json"] + p,
        "search": q + ["search", "doctor", "--json"] + p,
        "tui": [py, str(Path(__file__).resolve()), "--tui-first-paint", str(db)],
    }


def tui_first_paint(db: Path) -> None:
    """Child mode: seconds from app start to the home screen's first filled row."""
    import asyncio

    sys.path.insert(0, str(ROOT))
    from textual.widgets import DataTable

    from qualcode.tui import make_app

    async def go() -> float:
        t0 = time.perf_counter()
        app = make_app(db, coder="bench")
        async with app.run_test(size=(120, 40)) as pilot:
            while True:
                tables = app.screen.query("#documents")
                if tables and tables.first(DataTable).row_count:
                    break
                await pilot.pause(0.005)
            return time.perf_counter() - t0

    print(f"{asyncio.run(go()):.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=100_000, help="largest number of answers (default 10^5)")
    parser.add_argument("--min", type=int, default=1_000)
    parser.add_argument("--steps", default=",".join(STEPS), help="comma-separated subset of " + ",".join(STEPS))
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per step before it is killed")
    parser.add_argument("--keep", type=Path, help="keep the generated projects in this folder")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout (e.g. `git worktree add /tmp/before main`): each step also runs with"
        " its code, right after ours on a project of its own, so both see the same load",
    )
    parser.add_argument(
        "--baseline-steps",
        default="",
        help="with --baseline: only these steps run with the baseline too (default: all)",
    )
    parser.add_argument("--tui-first-paint", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tui_first_paint:
        tui_first_paint(args.tui_first_paint)
        return 0
    wanted, sizes = steps_and_sizes(parser, args.steps, STEPS, args.min, args.max)
    py = sys.executable
    trees = [("", ROOT)] + ([("base:", args.baseline.resolve())] if args.baseline else [])
    results: dict[str, dict[int, tuple[float, float, int]]] = {tag + s: {} for tag, _ in trees for s in wanted}
    base = args.keep or Path(tempfile.mkdtemp(prefix="qc-scale-"))
    print(f"python {py}; cores {os.cpu_count()}; load {os.getloadavg()[0]:.1f}; work in {base}")
    for n in sizes:
        work = base / f"n{n}"
        work.mkdir(parents=True, exist_ok=True)
        survey, batch = generate(work, n)
        cmds = {}
        for tag, _root in trees:
            sub = work / (tag.rstrip(":") or "ours")
            sub.mkdir(exist_ok=True)
            db = sub / "project.db"
            for extra in (db, sub / "back.db"):
                for suffix in ("", "-wal", "-shm"):
                    Path(str(extra) + suffix).unlink(missing_ok=True)
            cmds[tag] = (sub, commands(py, db, survey, batch, sub))
        # Import first (the rest needs it); each step runs for every tree in turn.
        order = ["import", "code"] + [s for s in wanted if s not in ("import", "code")]
        base_steps = set(args.baseline_steps.split(",")) if args.baseline_steps else set(STEPS)
        for step in order:
            for tag, root in trees:
                if tag and step not in base_steps | {"import", "code", "ref"}:
                    continue
                sub, cmd = cmds[tag]
                if step in ("import", "code") and step not in wanted:
                    subprocess.run(
                        cmd[step],
                        cwd=sub,
                        stdout=subprocess.DEVNULL,
                        check=False,
                        env={**os.environ, "PYTHONPATH": str(root)},
                    )
                    continue
                secs, rss, rc = run_step(cmd[step], sub, args.timeout, root)
                if rc != 0 and tag and step in ("import", "code"):
                    # The old build failed or ran out of time: build its project with ours, measure the rest.
                    subprocess.run(
                        cmds[""][1][step],
                        cwd=sub,
                        stdout=subprocess.DEVNULL,
                        check=False,
                        env={**os.environ, "PYTHONPATH": str(ROOT)},
                    )
                results[tag + step][n] = (secs, rss, rc)
                flag = "" if rc == 0 else f"  (exit {rc}; see {sub / 'out.log'})"
                print(f"N={n:>9,} {tag + step:<17} {secs:9.2f} s {rss:9.0f} MB{flag}", flush=True)
    print()
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (2 cores shared: figures are noisy)")
    head = "| step | " + " | ".join(f"{n:,}" for n in sizes) + " | exponent | ratio to ref at max |"
    print(head)
    print("|" + "---|" * (len(sizes) + 3))
    for step in [tag + s for s in wanted for tag, _ in trees]:
        row = results[step]
        cells = []
        for n in sizes:
            if n not in row:
                cells.append("—")
                continue
            secs, rss, rc = row[n]
            mark = "" if rc == 0 else " ✗"
            cells.append(f"{secs:.2f} s / {rss:.0f} MB{mark}")
        ks = [n for n in sizes if n in row]
        exp = exponent(ks, [row[n][0] for n in ks])
        ref = results["ref"].get(sizes[-1], (0.0, 0, 0))[0]
        last = row.get(sizes[-1], (0.0, 0, 0))[0]
        ratio = f"{last / ref:.0f}×" if ref and last < float("inf") else "—"
        print(
            f"| {step} | " + " | ".join(cells) + f" | {exp:.2f} |"
            if exp is not None
            else f"| {step} | " + " | ".join(cells) + " | — |",
            end="",
        )
        print(f" {ratio} |")
    if not args.keep:
        import shutil

        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
